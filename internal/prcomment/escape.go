package prcomment

import (
	"strings"
	"unicode/utf8"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// cellCode is render.CodeCell.
func cellCode(s string) string { return render.CodeCell(s) }

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

// redactSecretRefs replaces every ${secret:...} placeholder in s with
// plan.Sensitive: the last line of defence for text that did not go
// through the plan renderer (validation problems, results, messages).
func redactSecretRefs(s string) string { return secret.Mask(s, plan.Sensitive) }
