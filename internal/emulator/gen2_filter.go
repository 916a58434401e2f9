package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
)

// The filter facet (/metadata/layers/{layerId}/filter) stores
// resource.permanentFilter {expression, language}. The language is stored
// canonically (AdminLayerFilterConfigurationEndpoints): arcgis and
// geoservices-sql are arcgis-sql, cql2 is cql2-text, and an absent
// language is arcgis-sql.

type g2Filter struct {
	Expression string `json:"expression"`
	Language   string `json:"language"`
}

type g2FilterView struct {
	LayerID         int       `json:"layerId"`
	PermanentFilter *g2Filter `json:"permanentFilter,omitempty"`
}

const gen2FilterMaxLength = 4096

// canonicalFilterLanguage maps a language and its aliases to the stored
// spelling; ok is false for an unknown language.
func canonicalFilterLanguage(lang *string) (string, bool) {
	if lang == nil || strings.TrimSpace(*lang) == "" {
		return "arcgis-sql", true
	}
	switch strings.ToLower(strings.TrimSpace(*lang)) {
	case "arcgis-sql", "arcgis", "geoservices-sql":
		return "arcgis-sql", true
	case "cql2-text", "cql2":
		return "cql2-text", true
	case "cql2-json":
		return "cql2-json", true
	}
	return "", false
}

func (s *Server) handleGen2GetFilter(w http.ResponseWriter, _ *http.Request, p params) {
	s.readLayer(w, p, func(id int, l *g2Layer) any { return g2FilterView{LayerID: id, PermanentFilter: l.PermanentFilter} })
}

// handleGen2PutFilter replaces the permanent filter; {} or
// {permanentFilter:null} clears it. An invalid filter is a 400 problem
// titled "Invalid layer filter". The filter writer saves once.
func (s *Server) handleGen2PutFilter(w http.ResponseWriter, r *http.Request, p params) {
	id, ok := gen2LayerID(w, p)
	if !ok {
		return
	}
	var req struct {
		PermanentFilter *struct {
			Expression *string `json:"expression"`
			Language   *string `json:"language"`
		} `json:"permanentFilter"`
	}
	if !decodeGen2(w, r, &req) {
		return
	}
	g := s.gen2
	g.mu.Lock()
	l := g.layer(id)
	var fields []string
	if l != nil {
		for _, f := range l.Fields {
			fields = append(fields, f.Name)
		}
	}
	g.mu.Unlock()
	if l == nil {
		s.layerNotFound(w, id)
		return
	}
	var stored *g2Filter
	if pf := req.PermanentFilter; pf != nil {
		lang, ok := canonicalFilterLanguage(pf.Language)
		expr := ""
		if pf.Expression != nil {
			expr = *pf.Expression
		}
		detail := ""
		switch {
		case !ok:
			detail = fmt.Sprintf("Filter language '%s' is not supported. Use arcgis-sql, cql2-text or cql2-json.", *pf.Language)
		case strings.TrimSpace(expr) == "":
			detail = "The filter expression is required."
		case len([]rune(expr)) > gen2FilterMaxLength:
			detail = fmt.Sprintf("The filter expression must be %d characters or fewer.", gen2FilterMaxLength)
		default:
			detail = validateFilter(lang, expr, fields)
		}
		if detail != "" {
			s.writeProblem(w, http.StatusBadRequest, "Invalid layer filter", detail)
			return
		}
		stored = &g2Filter{Expression: expr, Language: lang}
	}
	var out g2FilterView
	ok = s.gen2GraphWrite(w, r, Identity{Kind: "LayerFilter", Namespace: s.gen2Env(), Name: strconv.Itoa(id)}, "layer.filter", strconv.Itoa(id), func(g *gen2Store) error {
		l := g.layer(id)
		if l == nil {
			return errGen2Gone
		}
		l.PermanentFilter = stored
		out = g2FilterView{LayerID: id, PermanentFilter: stored}
		return nil
	})
	if ok {
		s.writeDataV2(w, http.StatusOK, out, "")
	}
}

// validateFilter is a modest, honest check, not Honua's parser: balanced
// quotes and parentheses, and every identifier directly followed by a
// comparison operator must be a field of the layer (case-insensitively).
// cql2-json must be a JSON object whose {"property": name} references are
// fields. It returns "" when the expression passes.
func validateFilter(lang, expr string, fields []string) string {
	if lang == "cql2-json" {
		var v any
		if err := json.Unmarshal([]byte(expr), &v); err != nil {
			return "The cql2-json expression is not valid JSON."
		}
		if _, ok := v.(map[string]any); !ok {
			return "The cql2-json expression must be a JSON object."
		}
		var bad string
		walkJSON(v, func(m map[string]any) {
			if name, ok := m["property"].(string); ok && bad == "" && !containsFold(fields, name) {
				bad = fmt.Sprintf("Unknown field '%s' in the filter.", name)
			}
		})
		return bad
	}
	type tok struct {
		kind string // ident, op, str, num, punct
		text string
	}
	var toks []tok
	depth := 0
	rs := []rune(expr)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '\'':
			j := i + 1
			for ; j < len(rs); j++ {
				if rs[j] == '\'' {
					if j+1 < len(rs) && rs[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(rs) {
				return "The filter has an unterminated string literal."
			}
			toks = append(toks, tok{"str", string(rs[i : j+1])})
			i = j + 1
		case c == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			if j >= len(rs) {
				return "The filter has an unterminated quoted identifier."
			}
			toks = append(toks, tok{"ident", string(rs[i+1 : j])})
			i = j + 1
		case c == '(' || c == ')':
			if c == '(' {
				depth++
			} else if depth--; depth < 0 {
				return "The filter has unbalanced parentheses."
			}
			toks = append(toks, tok{"punct", string(c)})
			i++
		case strings.ContainsRune("=<>!", c):
			j := i + 1
			for j < len(rs) && strings.ContainsRune("=<>", rs[j]) {
				j++
			}
			toks = append(toks, tok{"op", string(rs[i:j])})
			i = j
		case unicode.IsLetter(c) || c == '_':
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '.') {
				j++
			}
			word := string(rs[i:j])
			kind := "ident"
			switch strings.ToUpper(word) {
			case "LIKE", "ILIKE", "IN", "BETWEEN", "IS":
				kind = "op"
			}
			toks = append(toks, tok{kind, word})
			i = j
		default:
			j := i + 1
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.') {
				j++
			}
			toks = append(toks, tok{"num", string(rs[i:j])})
			i = j
		}
	}
	if depth != 0 {
		return "The filter has unbalanced parentheses."
	}
	for i, t := range toks {
		if t.kind != "ident" || i+1 >= len(toks) || toks[i+1].kind != "op" {
			continue
		}
		if strings.EqualFold(t.text, "NOT") {
			continue
		}
		if !containsFold(fields, t.text) {
			return fmt.Sprintf("Unknown field '%s' in the filter.", t.text)
		}
	}
	return ""
}

func walkJSON(v any, visit func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		visit(x)
		for _, c := range x {
			walkJSON(c, visit)
		}
	case []any:
		for _, c := range x {
			walkJSON(c, visit)
		}
	}
}
