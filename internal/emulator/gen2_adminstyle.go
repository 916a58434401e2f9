package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The deprecated admin layer style (/metadata/layers/{layerId}/style,
// LayerStyleService): it shares its storage with the OGC style of the
// layer's name, and every PUT bumps styleVersion and writes the graph.
// Every answer carries the deprecation headers (ADR-0048).

const (
	gen2StyleSunset = "Thu, 31 Dec 2026 23:59:59 GMT"
	gen2StyleLink   = `</ogc/styles>; rel="successor-version"`
)

type g2AdminStyleView struct {
	MapLibreStyle          json.RawMessage `json:"mapLibreStyle"`
	DrawingInfo            json.RawMessage `json:"drawingInfo"`
	StyleVersion           int             `json:"styleVersion"`
	RevisedAt              *time.Time      `json:"revisedAt,omitempty"`
	RevisedBy              *string         `json:"revisedBy,omitempty"`
	ChangeSummary          *string         `json:"changeSummary,omitempty"`
	UnsupportedSymbolizers []any           `json:"unsupportedSymbolizers"`
}

func setDeprecation(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Deprecation", "true")
	h.Set("Sunset", gen2StyleSunset)
	h.Set("Link", gen2StyleLink)
}

// styleKind maps a geometry type to the MapLibre layer type and the Esri
// symbol type of the default style.
func styleKind(geometryType string) (string, string) {
	g := strings.ToLower(geometryType)
	switch {
	case strings.Contains(g, "point"):
		return "circle", "esriSMS"
	case strings.Contains(g, "line"):
		return "line", "esriSLS"
	}
	return "fill", "esriSFS"
}

// defaultStyle is the in-memory default for an unstyled layer (not
// persisted, as StyleDefaults.BuildDefaultMapLibreStyle).
func defaultStyle(l *g2Layer) json.RawMessage {
	t, _ := styleKind(l.GeometryType)
	raw, _ := json.Marshal(map[string]any{"version": 8, "layers": []any{map[string]any{
		"id": "layer-" + strconv.Itoa(l.LayerID), "type": t, "paint": map[string]any{t + "-color": "#3388ff"}}}})
	norm, _ := normalizeMapLibre(raw, l.LayerID)
	return norm
}

// drawingInfoFor is the emulator's stand-in for
// MapLibreToGeoServicesConverter: a simple renderer of the geometry's
// symbol type.
func drawingInfoFor(l *g2Layer) json.RawMessage {
	_, sym := styleKind(l.GeometryType)
	raw, _ := json.Marshal(map[string]any{"renderer": map[string]any{"type": "simple",
		"symbol": map[string]any{"type": sym, "color": []int{51, 136, 255, 255}}}})
	return raw
}

func adminStyleView(l *g2Layer) g2AdminStyleView {
	v := g2AdminStyleView{MapLibreStyle: l.Style, DrawingInfo: l.StyleDrawingInfo, StyleVersion: l.StyleVersion,
		RevisedAt: l.StyleRevisedAt, UnsupportedSymbolizers: []any{}}
	if v.MapLibreStyle == nil {
		v.MapLibreStyle = defaultStyle(l)
	}
	if v.DrawingInfo == nil {
		v.DrawingInfo = drawingInfoFor(l)
	}
	if l.StyleRevisedBy != "" {
		v.RevisedBy = strp(l.StyleRevisedBy)
	}
	if l.StyleChangeSummary != "" {
		v.ChangeSummary = strp(l.StyleChangeSummary)
	}
	return v
}

func (s *Server) handleGen2GetAdminStyle(w http.ResponseWriter, _ *http.Request, p params) {
	setDeprecation(w)
	s.readLayer(w, p, func(id int, l *g2Layer) any { return adminStyleView(l) })
}

func isJSONNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// handleGen2PutAdminStyle stores a MapLibre style (normalised; the
// drawingInfo is then generated) or, without one, a drawingInfo (stored
// verbatim; the MapLibre style is then the default for the geometry).
func (s *Server) handleGen2PutAdminStyle(w http.ResponseWriter, r *http.Request, p params) {
	setDeprecation(w)
	id, ok := gen2LayerID(w, p)
	if !ok {
		return
	}
	var req struct {
		MapLibreStyle json.RawMessage `json:"mapLibreStyle"`
		DrawingInfo   json.RawMessage `json:"drawingInfo"`
		ChangedBy     *string         `json:"changedBy"`
		ChangeSummary *string         `json:"changeSummary"`
	}
	if !decodeGen2(w, r, &req) {
		return
	}
	g := s.gen2
	g.mu.Lock()
	l := g.layer(id)
	var tmpl g2Layer
	if l != nil {
		tmpl = *l
	}
	g.mu.Unlock()
	if l == nil {
		s.layerNotFound(w, id)
		return
	}
	bad := func(detail string) { s.writeProblem(w, http.StatusBadRequest, "Invalid style", detail) }
	var style, drawing json.RawMessage
	switch {
	case !isJSONNull(req.MapLibreStyle):
		norm, msg := normalizeMapLibre(req.MapLibreStyle, id)
		if msg != "" {
			bad(msg)
			return
		}
		style, drawing = norm, drawingInfoFor(&tmpl)
	case !isJSONNull(req.DrawingInfo):
		if bytes.TrimSpace(req.DrawingInfo)[0] != '{' {
			bad("drawingInfo must be a JSON object.")
			return
		}
		style, drawing = defaultStyle(&tmpl), append(json.RawMessage{}, req.DrawingInfo...)
	default:
		bad("Either mapLibreStyle or drawingInfo must be provided.")
		return
	}
	var out g2AdminStyleView
	ok = s.gen2GraphWrite(w, r, Identity{Kind: "LayerStyle", Namespace: s.gen2Env(), Name: strconv.Itoa(id)}, "layer.style", strconv.Itoa(id), func(g *gen2Store) error {
		l := g.layer(id)
		if l == nil {
			return errGen2Gone
		}
		l.Style, l.StyleDrawingInfo = style, drawing
		l.stampStyle(s.now(), deref(req.ChangedBy), deref(req.ChangeSummary))
		out = adminStyleView(l)
		return nil
	})
	if ok {
		s.writeDataV2(w, http.StatusOK, out, "")
	}
}

// stampStyle records one style revision (admin or OGC PUT).
func (l *g2Layer) stampStyle(now time.Time, by, summary string) {
	l.StyleVersion++
	at := now.UTC()
	l.StyleRevisedAt = &at
	l.StyleRevisedBy, l.StyleChangeSummary = by, summary
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
