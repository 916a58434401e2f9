package document

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// nodeAllowance is added to a file's size to bound how many values one
// document may expand to. A document without aliases has fewer values than
// bytes, so only YAML alias bombs reach the bound, and fail with a message
// in time linear in the input instead of exhausting memory.
const nodeAllowance = 10_000

var bom = []byte{0xEF, 0xBB, 0xBF}

// Format is the syntax of a file.
type Format int

const (
	// YAML is YAML 1.2, one or more documents separated by ---.
	YAML Format = iota
	// JSON is strict JSON (RFC 8259): no comments, no trailing commas.
	JSON
)

// FormatOf returns the format for a file name, and false for files that are
// not configuration (anything but .yaml, .yml and .json).
func FormatOf(name string) (Format, bool) {
	switch {
	case strings.HasSuffix(name, ".yaml"), strings.HasSuffix(name, ".yml"):
		return YAML, true
	case strings.HasSuffix(name, ".json"):
		return JSON, true
	}
	return 0, false
}

// Parse parses data, the contents of file, into its documents. Empty YAML
// documents are skipped. On a syntax error it returns the documents before
// the error and a diagnostic at the error's position. Every error it
// returns is marked as a parse error (diag.Diagnostic.Parse).
func Parse(file string, data []byte, format Format) ([]*Node, diag.List) {
	docs, diags := parse(file, data, format)
	for i := range diags {
		diags[i].Parse = diags[i].Severity == diag.Error
	}
	return docs, diags
}

func parse(file string, data []byte, format Format) ([]*Node, diag.List) {
	var diags diag.List
	data = bytes.TrimPrefix(data, bom)
	if !utf8.Valid(data) {
		diags.Addf(invalidUTF8Pos(file, data), "save the file as UTF-8", "file is not valid UTF-8")
		return nil, diags
	}
	if format == JSON {
		if d, ok := checkJSON(file, data); !ok {
			return nil, diag.List{d}
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Node
	for {
		var y yaml.Node
		err := dec.Decode(&y)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			diags = append(diags, yamlError(file, data, err))
			break
		}
		if len(y.Content) == 0 || isEmptyDocument(y.Content[0]) {
			continue
		}
		c := converter{file: file, limit: nodeAllowance + len(data)}
		n := c.convert(y.Content[0])
		diags = append(diags, c.diags...)
		if n != nil && !c.diags.HasErrors() {
			docs = append(docs, n)
		}
	}
	return docs, diags
}

// isEmptyDocument reports a document with no content ("---" followed by
// "---" or "...", a trailing "---", only comments). yaml.v3 returns it as an
// untagged empty null; kubectl and Flux ignore such documents, and so do we.
// An explicit null ("null", "~", "!!null") is content and stays an error.
func isEmptyDocument(y *yaml.Node) bool {
	return y.Kind == yaml.ScalarNode && y.Style == 0 && y.Value == "" && y.ShortTag() == "!!null"
}

func invalidUTF8Pos(file string, data []byte) diag.Pos {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return diag.Pos{File: file, Line: line, Col: col}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return diag.Pos{File: file, Line: line, Col: col}
}

// checkJSON enforces strict JSON, which YAML would otherwise accept loosely
// (trailing commas, comments, unquoted keys).
func checkJSON(file string, data []byte) (diag.Diagnostic, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	err := dec.Decode(&raw)
	if err == nil {
		if _, err2 := dec.Token(); !errors.Is(err2, io.EOF) {
			off := dec.InputOffset()
			return diag.Diagnostic{Pos: offsetPos(file, data, off), Message: "unexpected data after the JSON value",
				Hint: "a .json file holds one value: a resource, an array of resources, or {\"resources\": [...]}"}, false
		}
		return diag.Diagnostic{}, true
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		// The offset points just past the offending byte.
		off := max(syn.Offset-1, 0)
		return diag.Diagnostic{Pos: offsetPos(file, data, off), Message: "invalid JSON: " + syn.Error(),
			Hint: ".json files must be strict JSON: no comments or trailing commas"}, false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return diag.Diagnostic{Pos: offsetPos(file, data, int64(len(data))), Message: "invalid JSON: unexpected end of file"}, false
	}
	return diag.Diagnostic{Pos: diag.Pos{File: file, Line: 1, Col: 1}, Message: "invalid JSON: " + err.Error()}, false
}

func offsetPos(file string, data []byte, off int64) diag.Pos {
	off = min(off, int64(len(data)))
	prefix := data[:off]
	line := bytes.Count(prefix, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(prefix, '\n') + 1
	col := utf8.RuneCount(prefix[lineStart:]) + 1
	return diag.Pos{File: file, Line: line, Col: col}
}

var (
	// intLiteralRe and floatLiteralRe are the YAML 1.2 core schema number
	// forms (which cover JSON numbers), after removing _ separators.
	intLiteralRe   = regexp.MustCompile(`^[-+]?([0-9]+|0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+)$`)
	floatLiteralRe = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
)

// outOfRange reports, as a diagnostic at pos, a plain (unquoted, untagged)
// number literal the model cannot hold: yaml.v3 would silently turn a float
// that overflows float64 (1e400) into a string, and an integer beyond int64
// into a rounded float. Integers are rejected rather than rounded because
// identifiers and counts must arrive at Honua exactly; a float literal that
// merely loses precision or underflows to zero is accepted, as in any JSON
// parser. Quoting or an explicit tag (!!str, !!float) keeps the author's
// intent.
func (c *converter) outOfRange(y *yaml.Node, pos diag.Pos) bool {
	if y.Style != 0 && y.Style != yaml.FlowStyle {
		return false // quoted, block or tagged: not a plain number
	}
	v := strings.ReplaceAll(y.Value, "_", "")
	switch {
	case intLiteralRe.MatchString(v):
		base := 10
		if strings.Contains(v, "0x") || strings.Contains(v, "0o") || strings.Contains(v, "0b") {
			base = 0
		}
		if _, err := strconv.ParseInt(v, base, 64); errors.Is(err, strconv.ErrRange) {
			c.diags.Addf(pos, `quote it if it is meant as text, or add ".0" to accept a rounded float`,
				"integer %s is out of range: integers must fit in 64 bits (%d to %d)", y.Value, int64(math.MinInt64), int64(math.MaxInt64))
			return true
		}
	case floatLiteralRe.MatchString(v):
		if f, err := strconv.ParseFloat(v, 64); errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0) {
			c.diags.Addf(pos, "quote it if it is meant as text",
				"number %s is out of range: it is larger than a 64-bit float can hold (about 1.8e308)", y.Value)
			return true
		}
	}
	return false
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a yaml.v3 error into a diagnostic at the line and column
// to edit (see position.go for why yaml.v3's own line is not enough).
func yamlError(file string, data []byte, err error) diag.Diagnostic {
	msg := err.Error()
	m := yamlLineRe.FindStringSubmatch(msg)
	if m == nil {
		return diag.Diagnostic{Pos: diag.Pos{File: file, Line: 1, Col: 1}, Message: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	col := 0
	problem := m[2]
	if strings.HasPrefix(problem, "did not find expected") {
		// yaml.v3 reports parser errors at the 0-based line of the
		// construct being parsed (scanner errors are 1-based).
		line++
	}
	var l, c int
	var found bool
	switch {
	case strings.HasPrefix(problem, "did not find expected ',' or"):
		l, c, found = unclosedFlow(data, line)
	case strings.HasPrefix(problem, "found a tab character"):
		l, c, found = tabIndented(data, line)
	case strings.HasPrefix(problem, "did not find expected"):
		l, c, found = misindented(data, line)
	case strings.HasPrefix(problem, "mapping values are not allowed"):
		l, c, found = line, keyColumn(data, line), true
	}
	if found {
		line, col = l, c
	} else {
		col = 1
	}
	return diag.Diagnostic{Pos: diag.Pos{File: file, Line: line, Col: col}, Message: "invalid YAML: " + problem,
		Hint: "check indentation and quoting on this line or the one before it"}
}

type converter struct {
	file  string
	count int
	limit int
	diags diag.List
}

func (c *converter) pos(y *yaml.Node) diag.Pos {
	return diag.Pos{File: c.file, Line: y.Line, Col: y.Column}
}

func (c *converter) convert(y *yaml.Node) *Node {
	c.count++
	if c.count > c.limit {
		if c.count == c.limit+1 {
			c.diags.Addf(c.pos(y), "remove recursive or repeated YAML aliases", "document expands to more than %d values", c.limit)
		}
		return nil
	}
	switch y.Kind {
	case yaml.AliasNode:
		if y.Alias == nil {
			c.diags.Addf(c.pos(y), "", "unknown YAML alias")
			return nil
		}
		// Converting the anchor again yields a fresh tree for each alias.
		return c.convert(y.Alias)
	case yaml.MappingNode:
		return c.mapping(y)
	case yaml.SequenceNode:
		n := &Node{Kind: List, Pos: c.pos(y), Items: make([]*Node, 0, len(y.Content))}
		for _, it := range y.Content {
			if v := c.convert(it); v != nil {
				n.Items = append(n.Items, v)
			}
		}
		return n
	case yaml.ScalarNode:
		return c.scalar(y)
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil
		}
		return c.convert(y.Content[0])
	}
	c.diags.Addf(c.pos(y), "", "unsupported YAML node")
	return nil
}

func (c *converter) mapping(y *yaml.Node) *Node {
	n := &Node{Kind: Map, Pos: c.pos(y), Entries: make([]Entry, 0, len(y.Content)/2)}
	seen := make(map[string]diag.Pos, len(y.Content)/2)
	var merges []*Node
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			if m := c.convert(v); m != nil {
				merges = append(merges, m)
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			c.diags.Addf(c.pos(k), "use a plain string as the key", "mapping key must be a string, not a complex value")
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			c.diags.Addf(c.pos(k), "remove one of them", "key %q is defined twice in this mapping (first at line %d)", k.Value, prev.Line)
			continue
		}
		seen[k.Value] = c.pos(k)
		val := c.convert(v)
		if val == nil {
			continue
		}
		n.Entries = append(n.Entries, Entry{Key: k.Value, KeyPos: c.pos(k), Value: val})
	}
	// YAML merge keys (<<) contribute keys the mapping does not set itself.
	for _, m := range merges {
		sources := []*Node{m}
		if m.Kind == List {
			sources = m.Items
		}
		for _, s := range sources {
			if s.Kind != Map {
				c.diags.Addf(s.Pos, "", "a YAML merge key (<<) needs a mapping or a list of mappings")
				continue
			}
			for _, e := range s.Entries {
				if _, set := seen[e.Key]; !set {
					seen[e.Key] = e.KeyPos
					n.Entries = append(n.Entries, e)
				}
			}
		}
	}
	return n
}

func (c *converter) scalar(y *yaml.Node) *Node {
	n := &Node{Kind: Scalar, Pos: c.pos(y)}
	if c.outOfRange(y, n.Pos) {
		return nil
	}
	switch y.ShortTag() {
	case "!!null":
		n.Value = nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(y.Value))
		if err != nil {
			n.Value = y.Value
		} else {
			n.Value = b
		}
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(y.Value, "_", ""), 0, 64); err == nil {
			n.Value = i
		} else if f, err := strconv.ParseFloat(y.Value, 64); err == nil {
			n.Value = resource.NormalizeNumber(f)
		} else {
			c.diags.Addf(n.Pos, "quote it if it is meant as text", "integer %s is out of range", y.Value)
			return nil
		}
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(y.Value, "_", ""), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			c.diags.Addf(n.Pos, "quote it if it is meant as text", "%s is not a finite number", y.Value)
			return nil
		}
		n.Value = resource.NormalizeNumber(f)
	default:
		// Strings, timestamps, binary and custom tags all stay text: Honua
		// receives JSON, where they can only be strings.
		n.Value = y.Value
	}
	return n
}
