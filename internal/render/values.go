package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// maxValueRunes is the longest a rendered value gets before it is cut and
// marked with an ellipsis.
const maxValueRunes = 120

// maxStringRunes is the longest each side of a replaced string is shown in
// full: a reviewer must see the whole edited description, not two equal
// prefixes.
const maxStringRunes = 2000

// formatValue renders a field value as compact JSON on one line (JSON
// escapes newlines and control characters), cut to maxValueRunes.
func formatValue(v any) string {
	return Truncate(encodeValue(v), maxValueRunes)
}

// formatPair renders both sides of a replaced value so that they differ
// visibly: strings are shown whole up to maxStringRunes, other values up to
// maxValueRunes, and a longer pair is cut to the same window around the
// first difference on both sides.
func formatPair(before, after any) (string, string) {
	limit := maxValueRunes
	_, bs := before.(string)
	_, as := after.(string)
	if bs && as {
		limit = maxStringRunes
	}
	return cutAround(encodeValue(before), encodeValue(after), limit)
}

// cutAround cuts a and b to at most n runes each, from the same offset:
// one that keeps their first difference in view, marked with "…" where
// text was left out.
func cutAround(a, b string, n int) (string, string) {
	ra, rb := []rune(a), []rune(b)
	if len(ra) <= n && len(rb) <= n {
		return a, b
	}
	d := 0
	for d < len(ra) && d < len(rb) && ra[d] == rb[d] {
		d++
	}
	start := 0
	if d > n*2/3 {
		start = d - n/3
	}
	return window(ra, start, n), window(rb, start, n)
}

// window is up to n runes of r from start, with "…" for what is cut.
func window(r []rune, start, n int) string {
	if start >= len(r) {
		start = max(0, len(r)-n/3)
	}
	prefix := ""
	if start > 0 {
		prefix = "…"
		n--
	}
	end := len(r)
	if end-start > n {
		end = start + n - 1
		return prefix + string(r[start:end]) + "…"
	}
	return prefix + string(r[start:end])
}

// encodeValue is a value as sanitized compact JSON on one line.
func encodeValue(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	s := ""
	if err := enc.Encode(v); err != nil {
		// Plan values are JSON values; anything else is shown, not dropped.
		s = fmt.Sprintf("%v", v)
	} else {
		s = strings.TrimSuffix(buf.String(), "\n")
	}
	return sanitize(s)
}

// fieldDisplay is newFieldLine for the text and Markdown formats: the path
// names keyed list elements ([name=situs_address]), and both sides of a
// replaced value are shown by formatPair.
func fieldDisplay(fc plan.FieldChange) fieldLine {
	l := newFieldLine(fc)
	if fc.DisplayPath != "" {
		l.Path = sanitize(fc.DisplayPath)
	}
	if fc.Op == plan.OpReplace && l.Masked == "" && !fieldIsSensitive(fc) {
		l.Before, l.After = formatPair(fc.Before, fc.After)
	}
	return l
}

// wrapRunes splits s into lines of at most width runes, before a space
// when there is one in the second half of the line (the space starts the
// next line, so no line ends in invisible whitespace).
func wrapRunes(s string, width int) []string {
	r := []rune(s)
	var out []string
	for len(r) > width {
		cut := width
		for i := width; i > width/2; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, string(r[:cut]))
		r = r[cut:]
	}
	return append(out, string(r))
}

// Truncate cuts s to at most n runes, the last being "…": the one
// truncation of display text, so a cut never splits a character.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n-1 {
			return s[:i] + "…"
		}
		count++
	}
	return s
}

// sanitize makes free text safe to print on one line of a terminal or a
// Markdown document: control characters (including ESC and newlines),
// line separators and bidirectional formatting characters are written as
// \u escapes, so a name cannot move the cursor, colour the terminal, start
// a new Markdown line or reorder what a reviewer reads.
func sanitize(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !validAt(s, i):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func validAt(s string, i int) bool {
	r, size := utf8.DecodeRuneInString(s[i:])
	return r != utf8.RuneError || size > 1
}

func unsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == '\u2028' || r == '\u2029': // line and paragraph separators
		return true
	case r == '\u200e' || r == '\u200f' || r == '\u061c': // directional marks
		return true
	case r >= '\u202a' && r <= '\u202e': // embeddings and overrides
		return true
	case r >= '\u2066' && r <= '\u2069': // isolates
		return true
	}
	return false
}

// hasSecretRef reports whether v, or any key or element inside it, contains
// a secret placeholder.
func hasSecretRef(v any) bool {
	switch x := v.(type) {
	case string:
		return secret.Has(x)
	case map[string]any:
		for k, e := range x {
			if secret.Has(k) || hasSecretRef(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasSecretRef(e) {
				return true
			}
		}
	case nil, bool, int, int64, float64, json.Number:
	default:
		// A value of another Go type: judge by its printed form.
		return secret.Has(fmt.Sprintf("%v", v))
	}
	return false
}

// escapeMarkdown makes text literal in Markdown outside code: characters
// that start emphasis, links, code, HTML, entities, tables, strikethrough or
// math are backslash-escaped, and so is a leading character that would
// start a list, quote or heading.
func escapeMarkdown(s string) string {
	s = sanitize(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune("\\`*_{}[]()<>#|~&!$@:", r):
			// '@' would mention someone; ':' would start an emoji
			// shortcode or an autolinked URL scheme.
			b.WriteByte('\\')
		case i == 0 && strings.ContainsRune("-+=", r):
			b.WriteByte('\\')
		case (r == '.' || r == ')') && i > 0 && isDigits(s[:i]):
			b.WriteByte('\\') // "1." or "1)" would start an ordered list
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDigits(s string) bool {
	return strings.TrimLeft(s, "0123456789") == ""
}

// escapeHTML makes text literal inside raw HTML (a <summary>, a <code>).
func escapeHTML(s string) string {
	return html.EscapeString(sanitize(s))
}

// longestBacktickRun is the length of the longest run of backticks in s.
func longestBacktickRun(s string) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// codeFence returns a backtick fence longer than any backtick run in
// content (and at least three), so content can never close it.
func codeFence(content string) string {
	return strings.Repeat("`", max(3, longestBacktickRun(content)+1))
}

// codeSpan renders s as inline code that s cannot break out of.
func codeSpan(s string) string {
	s = sanitize(s)
	ticks := strings.Repeat("`", longestBacktickRun(s)+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "" {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

// shortRevision abbreviates a commit id to seven characters; other
// revisions are kept whole.
func shortRevision(rev string) string {
	if len(rev) >= 12 && strings.Trim(strings.ToLower(rev), "0123456789abcdef") == "" {
		return rev[:7]
	}
	return rev
}

// plural returns "1 resource" or "n resources".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
