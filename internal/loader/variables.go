package loader

import (
	"regexp"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// SecretPrefix marks a placeholder resolved from the process environment at
// apply time only: ${secret:NAME}. The loader leaves those (and their
// escape, $${secret:NAME}) to package secret, which owns that grammar.
const SecretPrefix = secret.Prefix

var (
	varNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// refRe finds ${...} references; $${ escapes a literal ${.
	refRe = regexp.MustCompile(`\$?\$\{([^}]*)\}`)
)

// variable is one value from a variables file.
type variable struct {
	value any
	pos   diag.Pos
}

// parseVariables reads a variables file: a flat mapping of NAME to a scalar.
func parseVariables(file string, docs []*document.Node, into map[string]variable, d *diag.List) {
	for _, n := range docs {
		if n.Kind != document.Map {
			d.Addf(n.Pos, "write variables as NAME: value", "variables file must be a mapping, got %s", n.TypeName())
			continue
		}
		for _, e := range n.Entries {
			if !varNameRe.MatchString(e.Key) {
				d.Addf(e.KeyPos, "use letters, digits and _", "invalid variable name %q", e.Key)
				continue
			}
			if e.Value.Kind != document.Scalar || e.Value.Value == nil {
				d.Addf(e.Value.Pos, "variables hold strings, numbers or booleans", "variable %s must be a scalar, got %s", e.Key, e.Value.TypeName())
				continue
			}
			if s, ok := e.Value.Value.(string); ok && strings.Contains(s, "${") {
				d.Addf(e.Value.Pos, "write the value out in full", "variable %s must not reference other variables", e.Key)
				continue
			}
			into[e.Key] = variable{value: e.Value.Value, pos: e.Value.Pos}
		}
	}
}

// substitute returns n with ${NAME} replaced in every string value (keys are
// left alone), copying only the nodes it changes. A string that is exactly
// one reference takes the variable's type, so srid: ${SRID} stays an
// integer. ${secret:NAME} is kept as a placeholder; $${ is a literal ${.
func substitute(n *document.Node, vars map[string]variable, used map[string]bool, d *diag.List) *document.Node {
	switch n.Kind {
	case document.Map:
		var entries []document.Entry
		for i, e := range n.Entries {
			v := substitute(e.Value, vars, used, d)
			if v != e.Value && entries == nil {
				entries = append([]document.Entry(nil), n.Entries...)
			}
			if entries != nil {
				entries[i].Value = v
			}
		}
		if entries == nil {
			return n
		}
		c := *n
		c.Entries = entries
		return &c
	case document.List:
		var items []*document.Node
		for i, it := range n.Items {
			v := substitute(it, vars, used, d)
			if v != it && items == nil {
				items = append([]*document.Node(nil), n.Items...)
			}
			if items != nil {
				items[i] = v
			}
		}
		if items == nil {
			return n
		}
		c := *n
		c.Items = items
		return &c
	}
	s, ok := n.Value.(string)
	if !ok || !strings.Contains(s, "${") {
		return n
	}
	c := *n
	if m := refRe.FindStringSubmatch(s); m != nil && m[0] == s && !strings.HasPrefix(s, "$$") && !strings.HasPrefix(m[1], SecretPrefix) {
		v, found := lookup(m[1], n.Pos, vars, used, d)
		if !found {
			return n
		}
		c.Value = v
		return &c
	}
	c.Value = refRe.ReplaceAllStringFunc(s, func(ref string) string {
		if strings.HasPrefix(ref, "$$") {
			if strings.HasPrefix(ref[3:], SecretPrefix) {
				// Secrets are resolved at apply time, by package secret,
				// which owns the grammar: the escape must reach it.
				return ref
			}
			return ref[1:] // $${X} is a literal ${X}
		}
		name := ref[2 : len(ref)-1]
		if strings.HasPrefix(name, SecretPrefix) {
			checkSecretName(name, n.Pos, d)
			return ref
		}
		v, found := lookup(name, n.Pos, vars, used, d)
		if !found {
			return ref
		}
		return scalarText(v)
	})
	return &c
}

func lookup(name string, pos diag.Pos, vars map[string]variable, used map[string]bool, d *diag.List) (any, bool) {
	if strings.HasPrefix(name, SecretPrefix) {
		return nil, false
	}
	if !varNameRe.MatchString(name) {
		d.Addf(pos, "write ${NAME} with letters, digits and _, or $${ for a literal ${", "invalid variable reference ${%s}", name)
		return nil, false
	}
	v, ok := vars[name]
	if !ok {
		d.Addf(pos, "define it in the environment's variables file, or write $${ for a literal ${", "undefined variable ${%s}", name)
		return nil, false
	}
	used[name] = true
	return v.value, true
}

func checkSecretName(name string, pos diag.Pos, d *diag.List) {
	if !secret.IsWhole("${" + name + "}") {
		d.Addf(pos, "name an environment variable: ${secret:PARCELS_DB_PASSWORD}", "invalid secret reference ${%s}", name)
	}
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int64, float64:
		b, _ := jsonNumber(x)
		return b
	}
	return ""
}

func jsonNumber(v any) (string, error) {
	b, err := resource.CanonicalJSON(v)
	return string(b), err
}
