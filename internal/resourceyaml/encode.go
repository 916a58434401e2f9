package resourceyaml

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// File is the YAML text of resources, one document each, with header as
// the comment above the first document (each line prefixed "# ").
func File(header string, rs []*resource.Resource) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for i, r := range rs {
		doc, err := document(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.ID(), err)
		}
		if i == 0 && header != "" {
			doc.HeadComment = header
		}
		if err := enc.Encode(doc); err != nil {
			return nil, fmt.Errorf("%s: %w", r.ID(), err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// document is one resource as a YAML document node.
func document(r *resource.Resource) (*yaml.Node, error) {
	if err := checkSecrets(r); err != nil {
		return nil, err
	}
	md := mapping()
	add(md, "name", str(r.Metadata.Name))
	add(md, "namespace", str(r.Metadata.Namespace))
	if len(r.Metadata.Labels) > 0 {
		add(md, "labels", stringMap(r.Metadata.Labels))
	}
	if len(r.Metadata.Annotations) > 0 {
		add(md, "annotations", stringMap(r.Metadata.Annotations))
	}
	spec, err := value(r.Spec, specOrder(r.Kind), 0)
	if err != nil {
		return nil, err
	}
	root := mapping()
	add(root, "apiVersion", str(cmpOr(r.APIVersion, resource.APIVersion)))
	add(root, "kind", str(r.Kind))
	add(root, "metadata", md)
	add(root, "spec", spec)
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}, nil
}

// checkSecrets refuses a secret key holding anything but placeholders.
func checkSecrets(r *resource.Resource) error {
	for k, v := range r.Spec {
		if !resource.IsSecretKey(r.Kind, k) || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok || s != "" && !secret.IsWhole(s) {
			return fmt.Errorf("spec.%s holds a secret value: write a ${secret:NAME} placeholder or a secretReference instead", k)
		}
	}
	return nil
}

// specOrder is the order of a kind's top-level spec keys.
func specOrder(kind string) []string {
	keys, ok := resource.KnownSpecKeys(kind)
	if !ok {
		return nil
	}
	return keys.Keys
}

// leading keys come first in nested objects, in this order.
var leading = []string{"version", "id", "name", "type"}

func value(v any, order []string, depth int) (*yaml.Node, error) {
	switch x := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	case string:
		return str(escape(x)), nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}, nil
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(x)}, nil
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(x, 10)}, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("number %v cannot be written", x)
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(x, 'g', -1, 64)}, nil
	case map[string]any:
		n := mapping()
		for _, k := range keyOrder(x, order, depth) {
			c, err := value(x[k], nil, depth+1)
			if err != nil {
				return nil, err
			}
			add(n, k, c)
		}
		return n, nil
	case []any:
		// Lists of scalars go on one line; a list of small flat objects
		// (a layer's fields) gets one line per object.
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		scalars := true
		for _, e := range x {
			c, err := value(e, nil, depth+1)
			if err != nil {
				return nil, err
			}
			scalars = scalars && c.Kind == yaml.ScalarNode && !strings.Contains(c.Value, "\n")
			n.Content = append(n.Content, c)
		}
		if scalars {
			n.Style = yaml.FlowStyle
			return n, nil
		}
		for _, c := range n.Content {
			if c.Kind == yaml.MappingNode && small(c) {
				c.Style = yaml.FlowStyle
			}
		}
		return n, nil
	}
	return nil, fmt.Errorf("value of type %T cannot be written", v)
}

// keyOrder is order's keys present in m, then (top level) the rest sorted;
// below the top level, the leading keys, then the rest sorted.
func keyOrder(m map[string]any, order []string, depth int) []string {
	if depth > 0 {
		order = leading
	}
	out := make([]string, 0, len(m))
	for _, k := range order {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(out, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// small reports whether an object reads well on one line: at most six
// members, all single-line scalars.
func small(n *yaml.Node) bool {
	if len(n.Content) > 12 {
		return false
	}
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode || strings.Contains(c.Value, "\n") {
			return false
		}
	}
	return true
}

// escape writes a literal "${" with the loader's escape, keeping secret
// placeholders (and their own escapes) as they are.
func escape(s string) string {
	if !strings.Contains(s, "${") || secret.IsWhole(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "${") && !strings.HasPrefix(s[i:], secret.Marker) {
			b.WriteByte('$')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func stringMap(m map[string]string) *yaml.Node {
	n := mapping()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		add(n, k, str(escape(m[k])))
	}
	return n
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Escape is s as a file holds it: a literal "${" written with the
// loader's escape, secret placeholders kept as they are.
func Escape(s string) string { return escape(s) }

// Quoted is s as a double-quoted YAML scalar, escaped: quotes,
// backslashes and every character YAML does not allow as is (controls,
// DEL, C1 controls, line separators, the byte-order mark) are escapes.
func Quoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range escape(s) {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case !printable(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Scalar is s as one YAML token, escaped: plain where YAML reads it back
// as the same string, double-quoted otherwise. In a flow collection the
// flow indicators also force quotes.
func Scalar(s string, flow bool) string {
	out, err := yaml.Marshal(str(escape(s)))
	text := strings.TrimSuffix(string(out), "\n")
	if err != nil || strings.ContainsAny(text, "\n") || strings.HasPrefix(text, "|") || strings.HasPrefix(text, ">") || flow && strings.ContainsAny(text, ",[]{}#:?&*!|>'\"%@`") {
		return Quoted(s)
	}
	return text
}

// Printable reports whether YAML can hold s as is inside quotes: no
// character of it needs an escape (tabs and newlines aside, which only
// double quotes keep).
func Printable(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || !printable(r) }) < 0
}

// printable is YAML's printable set less the line separators and the
// byte-order mark, which readers treat specially.
func printable(r rune) bool {
	switch {
	case r == '\t':
		return true
	case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0x2028, r == 0x2029, r == 0xfeff, r == 0xfffe, r == 0xffff:
		return false
	}
	return true
}
