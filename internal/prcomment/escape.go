package prcomment

import (
	"strings"
	"unicode/utf8"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
)

// cellCode is codeSpan for a table cell, where GFM needs '|' escaped even
// inside code.
func cellCode(s string) string { return strings.ReplaceAll(render.CodeSpan(s), "|", `\|`) }

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
