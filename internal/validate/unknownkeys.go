package validate

import (
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// maxSuggestDistance is how far a misspelling may be from a known key for
// "did you mean" to name it: two edits catch a swap or a dropped letter
// without suggesting unrelated keys.
const maxSuggestDistance = 2

// checkUnknownKeys warns about top-level spec keys Honua does not know for
// the kind. Honua stores them silently and nothing reads them, so a typo such
// as enabeld would otherwise reach the server and do nothing. It is a
// warning, not an error: Honua accepts the key; --strict makes it an error.
func checkUnknownKeys(d *diag.List, id resource.Identity, spec *document.Node) {
	if spec == nil || spec.Kind != document.Map {
		return
	}
	known, ok := resource.KnownSpecKeys(id.Kind)
	if !ok || known.Open {
		return
	}
	for _, e := range spec.Entries {
		if resource.IsKnownSpecKey(id.Kind, e.Key) {
			continue
		}
		hint := "remove it; Honua stores it but nothing reads it"
		if s := suggestKey(e.Key, known.Keys); s != "" {
			hint = fmt.Sprintf("did you mean `%s`?", s)
		}
		d.Warnf(e.KeyPos, hint, "%s: spec.%s is not a key Honua knows", id, e.Key)
	}
}

// suggestKey returns the known key closest to key: one that differs only in
// case, else the nearest within maxSuggestDistance edits (the first in table
// order on a tie), else "".
func suggestKey(key string, known []string) string {
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	best, bestDist := "", maxSuggestDistance+1
	for _, k := range known {
		if dist := editDistance(strings.ToLower(key), strings.ToLower(k)); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent letters each
// count one, so enabeld is one edit from enabled.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
