package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/honua-io/honua-gitops/internal/secret"
)

// maxValueRunes is the longest a rendered value gets before it is cut and
// marked with an ellipsis.
const maxValueRunes = 120

// formatValue renders a field value as compact JSON on one line (JSON
// escapes newlines and control characters), cut to maxValueRunes.
func formatValue(v any) string {
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
	return truncate(sanitize(s), maxValueRunes)
}

// truncate cuts s to at most n runes, the last being "…".
func truncate(s string, n int) string {
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
