package prcomment

import (
	"fmt"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// The helpers below are small equivalents of internal/render's unexported
// escaping helpers, so that text this package writes itself (environment
// names, status messages, lifecycle text) is escaped exactly as the plan
// renderer escapes what it writes.

// sanitize makes free text safe to print on one line of a Markdown
// document: control characters (including newlines), line separators and
// bidirectional formatting characters are written as \u escapes, and
// invalid UTF-8 as \x escapes.
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
	case r == '\u2028' || r == '\u2029':
		return true
	case r == '\u200e' || r == '\u200f' || r == '\u061c':
		return true
	case r >= '\u202a' && r <= '\u202e':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// escapeMarkdown makes text literal in Markdown outside code, on one line
// (also inside a table cell: '|' is escaped).
func escapeMarkdown(s string) string {
	s = sanitize(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune("\\`*_{}[]()<>#|~&!$", r):
			b.WriteByte('\\')
		case i == 0 && strings.ContainsRune("-+=", r):
			b.WriteByte('\\')
		case (r == '.' || r == ')') && i > 0 && isDigits(s[:i]):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDigits(s string) bool { return strings.TrimLeft(s, "0123456789") == "" }

// escapeHTML makes text literal inside raw HTML (a <summary>, a <b>).
func escapeHTML(s string) string { return html.EscapeString(sanitize(s)) }

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

// cellCode is codeSpan for a table cell, where GFM needs '|' escaped even
// inside code.
func cellCode(s string) string { return strings.ReplaceAll(codeSpan(s), "|", `\|`) }

// truncateRunes cuts s to at most n runes, the last being "…".
func truncateRunes(s string, n int) string {
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

// shortSHA abbreviates a commit id to seven characters; anything that is
// not a hex commit id is kept (cut to 40 runes).
func shortSHA(s string) string {
	if len(s) >= 7 && strings.Trim(strings.ToLower(s), "0123456789abcdef") == "" {
		return s[:7]
	}
	return truncateRunes(s, 40)
}

// secretMarker starts a secret placeholder.
const secretMarker = "${secret:"

// maxSecretRefBytes bounds how far a placeholder's closing brace is looked
// for.
const maxSecretRefBytes = 256

// redactSecretRefs replaces every ${secret:...} placeholder in s with
// plan.Sensitive. Plans already carry plan.Sensitive instead of
// placeholders; this is the last line of defence for text that did not go
// through the plan renderer (validation problems, results, messages) and
// for paths or names that contain a placeholder. An unterminated
// placeholder is replaced up to the end of its line when that is near, and
// only its "${secret:" otherwise.
func redactSecretRefs(s string) string {
	if !strings.Contains(s, secretMarker) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.Index(s, secretMarker)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(plan.Sensitive)
		rest := s[i+len(secretMarker):]
		end := len(rest)
		if j := strings.IndexAny(rest, "}\n"); j >= 0 && j < maxSecretRefBytes {
			end = j
			if rest[j] == '}' {
				end++
			}
		} else if end > maxSecretRefBytes {
			end = 0 // only the marker itself is dropped
		}
		s = rest[end:]
	}
}
