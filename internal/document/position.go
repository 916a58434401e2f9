package document

import (
	"strings"
)

// yaml.v3 reports many indentation mistakes at the construct it was parsing
// (the enclosing mapping, often the start of the document) rather than at
// the line that is wrong, and without a column. The functions here find the
// offending line in the source so the diagnostic points where the author
// must edit. They are heuristics over lines, used only after yaml.v3 has
// already rejected the input; when they find nothing the reported line
// stands.

// srcLine is one line of the source with its indentation measured.
type srcLine struct {
	num    int    // 1-based
	indent int    // leading spaces
	text   string // without indentation, trailing comment kept
}

func splitLines(data []byte) []srcLine {
	raw := strings.Split(string(data), "\n")
	out := make([]srcLine, len(raw))
	for i, l := range raw {
		l = strings.TrimSuffix(l, "\r")
		t := strings.TrimLeft(l, " ")
		out[i] = srcLine{num: i + 1, indent: len(l) - len(t), text: t}
	}
	return out
}

// block is an open block collection: a mapping or a sequence whose entries
// start at indent.
type block struct {
	indent int
	seq    bool
}

// misindented returns the first line at or after from whose indentation
// matches no open block (a dedent to a level that was never opened, an
// over-indented key, a "-" item where a key belongs), and the column of its
// first character.
func misindented(data []byte, from int) (line, col int, ok bool) {
	var stack []block
	// opener is the indent of the last line if it opened a nested block
	// ("key:" or "-" with nothing after it); key tells whether it was a key,
	// which may also be followed by a sequence at its own indent.
	opener, key := -1, false
	scalarIndent := -1 // inside a block scalar: lines deeper than this are text
	flowDepth := 0
	for _, l := range splitLines(data) {
		t := strings.TrimRight(l.text, " \t")
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if scalarIndent >= 0 {
			if l.indent > scalarIndent {
				continue
			}
			scalarIndent = -1
		}
		if flowDepth > 0 {
			flowDepth += flowBalance(t)
			continue
		}
		if l.indent == 0 && (t == "---" || strings.HasPrefix(t, "--- ") || t == "..." || strings.HasPrefix(t, "%")) {
			stack, opener, key = nil, -1, false
			continue
		}
		isSeq := t == "-" || strings.HasPrefix(t, "- ")
		wrong := false
		switch {
		case len(stack) == 0:
			stack = append(stack, block{l.indent, isSeq})
		case opener >= 0 && l.indent > opener:
			stack = append(stack, block{l.indent, isSeq})
		case opener >= 0 && key && isSeq && l.indent == opener:
			stack = append(stack, block{l.indent, true})
		default:
			for len(stack) > 0 && stack[len(stack)-1].indent > l.indent {
				stack = stack[:len(stack)-1]
			}
			// A sequence written at its key's indent ends where the next
			// key of that mapping starts.
			if n := len(stack); !isSeq && n > 1 && stack[n-1].seq && stack[n-2].indent == l.indent {
				stack = stack[:n-1]
			}
			if len(stack) == 0 {
				// Dedented below the document's first line.
				wrong = true
				stack = append(stack, block{l.indent, isSeq})
				break
			}
			top := stack[len(stack)-1]
			switch {
			case top.indent != l.indent:
				// Deeper text without a key continues a plain scalar.
				wrong = l.indent < top.indent || hasKey(t) || isSeq
			case top.seq != isSeq:
				wrong = true
			}
		}
		if wrong && l.num >= from {
			return l.num, l.indent + 1, true
		}
		opener, key = -1, false
		rest, at := t, l.indent
		// "- key: v" opens a mapping at the key's column inside the item.
		for strings.HasPrefix(rest, "- ") || rest == "-" {
			if rest == "-" {
				opener = at
				rest = ""
				break
			}
			trimmed := strings.TrimLeft(rest[1:], " ")
			at += len(rest) - len(trimmed)
			rest = trimmed
			if hasKey(rest) || strings.HasPrefix(rest, "- ") {
				stack = append(stack, block{at, strings.HasPrefix(rest, "- ")})
			}
		}
		if rest == "" {
			continue
		}
		v, isKey := value(rest)
		switch {
		case !isKey:
			flowDepth = flowBalance(rest)
		case v == "" || strings.HasPrefix(v, "&") && !strings.Contains(v, " ") || strings.HasPrefix(v, "!") && !strings.Contains(v, " "):
			opener, key = at, true
		case strings.HasPrefix(v, "|") || strings.HasPrefix(v, ">"):
			scalarIndent = at
		default:
			flowDepth = flowBalance(v)
		}
	}
	return 0, 0, false
}

// hasKey reports whether t starts with a mapping key ("key:" or "key: v").
func hasKey(t string) bool {
	_, ok := value(t)
	return ok
}

// value splits "key: value" and returns the value without a trailing
// comment; ok is false when t is not a key line.
func value(t string) (v string, ok bool) {
	inQuote := byte(0)
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case (c == '"' || c == '\'') && i == 0:
			inQuote = c
		case c == '[' || c == '{':
			if i == 0 {
				return "", false
			}
		case c == '#' && i > 0 && t[i-1] == ' ':
			return "", false
		case c == ':' && (i+1 == len(t) || t[i+1] == ' '):
			v = strings.TrimSpace(t[i+1:])
			if j := strings.Index(v, " #"); j >= 0 || strings.HasPrefix(v, "#") {
				v = strings.TrimSpace(v[:max(j, 0)])
			}
			return v, true
		}
	}
	return "", false
}

// flowBrackets calls visit with the index of every [ { ] } in t outside
// quoted text, stopping at a comment: the one scanner both flow checks use.
func flowBrackets(t string, visit func(i int, c byte)) {
	inQuote := byte(0)
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '"' || c == '\'':
			if i == 0 || strings.ContainsRune(" [{,:", rune(t[i-1])) {
				inQuote = c
			}
		case c == '#' && (i == 0 || t[i-1] == ' '):
			return
		case c == '[' || c == '{' || c == ']' || c == '}':
			visit(i, c)
		}
	}
}

// flowBalance returns how many flow collections ([ or {) t leaves open,
// ignoring quoted text and comments.
func flowBalance(t string) int {
	depth := 0
	flowBrackets(t, func(_ int, c byte) {
		if c == '[' || c == '{' {
			depth++
		} else {
			depth--
		}
	})
	return depth
}

// unclosedFlow returns the position of the first [ or { at or after line
// from that is never closed.
func unclosedFlow(data []byte, from int) (line, col int, ok bool) {
	type open struct{ line, col int }
	var stack []open
	for _, l := range splitLines(data) {
		if l.num < from {
			continue
		}
		t := l.text
		flowBrackets(t, func(i int, c byte) {
			switch {
			case c == '[' || c == '{':
				stack = append(stack, open{l.num, l.indent + i + 1})
			case len(stack) > 0:
				stack = stack[:len(stack)-1]
			}
		})
		if len(stack) == 0 && l.num > from && l.indent == 0 && strings.HasPrefix(t, "---") {
			break
		}
	}
	if len(stack) == 0 {
		return 0, 0, false
	}
	return stack[0].line, stack[0].col, true
}

// tabIndented returns the first line at or after from whose indentation
// contains a tab, and the tab's column.
func tabIndented(data []byte, from int) (line, col int, ok bool) {
	for _, l := range splitLines(data) {
		if l.num < from {
			continue
		}
		if strings.HasPrefix(l.text, "\t") {
			return l.num, l.indent + 1, true
		}
	}
	return 0, 0, false
}

// keyColumn returns the column of the first character of line, or 1.
func keyColumn(data []byte, line int) int {
	ls := splitLines(data)
	if line < 1 || line > len(ls) {
		return 1
	}
	return ls[line-1].indent + 1
}
