package sourceedit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/resourceyaml"
)

// scalarEdit replaces the bytes [from, to) of a file with text.
type scalarEdit struct {
	file     string
	from, to int
	text     string
}

// scalarEdits returns an in-place edit for every change, or false when
// any change is not a scalar replaced where the environment wrote it.
func (e *Editor) scalarEdits(root *document.Node, changes []diff.Change) ([]scalarEdit, bool) {
	var out []scalarEdit
	for _, c := range changes {
		if c.Op != diff.Replace || !isScalar(c.Before) || !isScalar(c.After) {
			return nil, false
		}
		n := nodeAt(root, diff.SplitPointer(c.Path))
		if n == nil || n.Kind != document.Scalar || !e.inEnv(n.Pos.File) || n.Pos.Line == 0 || !resource.Equal(n.Value, c.Before) {
			return nil, false
		}
		f, err := e.file(n.Pos.File)
		if err != nil {
			return nil, false
		}
		from, to, style, flow, ok := scalarToken(f.src, n.Pos.Line, n.Pos.Col)
		if !ok || bytes.Contains(f.src[from:to], []byte("${")) {
			// A variable (or a token this reader cannot delimit): a
			// rewrite would replace the reference by its value.
			return nil, false
		}
		text, ok := scalarText(c.After, style, flow, isJSON(n.Pos.File))
		if !ok {
			return nil, false
		}
		out = append(out, scalarEdit{file: n.Pos.File, from: from, to: to, text: text})
	}
	return out, true
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// Token styles.
const (
	plain = iota
	doubleQuoted
	singleQuoted
)

// scalarToken finds the scalar starting at line:col (1-based; the column
// counts characters, as yaml.v3 does) and returns its byte span, its
// quoting style and whether it sits inside a flow collection.
func scalarToken(src []byte, line, col int) (from, to, style int, flow, ok bool) {
	start, end := lineOffsets(src, line, line)
	if start >= len(src) && line > 1 {
		return 0, 0, 0, false, false
	}
	text := src[start:end]
	text = bytes.TrimSuffix(text, []byte("\n"))
	text = bytes.TrimSuffix(text, []byte("\r"))
	at := 0
	for i := 1; i < col; i++ {
		if at >= len(text) {
			return 0, 0, 0, false, false
		}
		_, size := utf8.DecodeRune(text[at:])
		at += size
	}
	if at >= len(text) {
		return 0, 0, 0, false, false
	}
	flow = flowDepth(text[:at]) > 0
	rest := text[at:]
	switch rest[0] {
	case '"':
		for i := 1; i < len(rest); i++ {
			switch rest[i] {
			case '\\':
				i++
			case '"':
				return start + at, start + at + i + 1, doubleQuoted, flow, true
			}
		}
		return 0, 0, 0, false, false
	case '\'':
		for i := 1; i < len(rest); i++ {
			if rest[i] == '\'' {
				if i+1 < len(rest) && rest[i+1] == '\'' {
					i++
					continue
				}
				return start + at, start + at + i + 1, singleQuoted, flow, true
			}
		}
		return 0, 0, 0, false, false
	case '|', '>', '&', '*', '!', '[', '{':
		// Block scalars, anchors, aliases, tags: not a single token.
		return 0, 0, 0, false, false
	}
	n := len(rest)
	for i := 0; i < len(rest); i++ {
		if rest[i] == '#' && i > 0 && (rest[i-1] == ' ' || rest[i-1] == '\t') {
			n = i
			break
		}
		if flow && (rest[i] == ',' || rest[i] == ']' || rest[i] == '}') {
			n = i
			break
		}
	}
	tok := bytes.TrimRight(rest[:n], " \t")
	if len(tok) == 0 {
		return 0, 0, 0, false, false
	}
	return start + at, start + at + len(tok), plain, flow, true
}

// flowDepth counts the flow collections open at the end of text, quotes
// skipped.
func flowDepth(text []byte) int {
	depth := 0
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote == '"' && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			depth++
		case (c == ']' || c == '}') && depth > 0:
			depth--
		}
	}
	return depth
}

// scalarText writes v as the token replacing one of the given style.
func scalarText(v any, style int, flow, jsonFile bool) (string, bool) {
	if jsonFile {
		b, err := json.Marshal(v)
		return string(b), err == nil
	}
	s, isString := v.(string)
	if !isString {
		switch x := v.(type) {
		case nil:
			return "null", true
		case bool:
			return strconv.FormatBool(x), true
		case int64:
			return strconv.FormatInt(x, 10), true
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), true
		}
		return "", false
	}
	switch style {
	case doubleQuoted:
		return resourceyaml.Quoted(s), true
	case singleQuoted:
		// Single quotes hold printable text only; anything else needs
		// double quotes' escapes.
		if !resourceyaml.Printable(s) {
			return resourceyaml.Quoted(s), true
		}
		return "'" + strings.ReplaceAll(resourceyaml.Escape(s), "'", "''") + "'", true
	}
	return resourceyaml.Scalar(s, flow), true
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
