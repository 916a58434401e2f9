// Package order sorts resource operations so that dependencies hold at every
// step: creates and updates run parents first (connections, services,
// layers, then styles and relationships), deletes run children first, and
// all deletes come after all creates and updates, so a reference can move to
// a new resource before the old one goes.
package order

import (
	"slices"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// Sort orders items in place. id gives each item's identity and isDelete
// whether it is a delete. Ties break by kind, namespace and name, so the
// result is stable whatever order the input had.
func Sort[T any](items []T, id func(T) resource.Identity, isDelete func(T) bool) {
	slices.SortStableFunc(items, func(a, b T) int {
		da, db := isDelete(a), isDelete(b)
		switch {
		case da && !db:
			return 1
		case !da && db:
			return -1
		case da && db:
			return compareReverseRank(id(a), id(b))
		}
		return id(a).Compare(id(b))
	})
}

func compareReverseRank(a, b resource.Identity) int {
	ra, rb := resource.RankOf(a.Kind), resource.RankOf(b.Kind)
	if ra != rb {
		return rb - ra
	}
	return a.Compare(b)
}

// Levels groups an ordered list into levels that may run concurrently: items
// of one level share an action class (write or delete) and a dependency rank.
func Levels[T any](items []T, id func(T) resource.Identity, isDelete func(T) bool) [][]T {
	var out [][]T
	for i, it := range items {
		if i > 0 {
			prev := items[i-1]
			if isDelete(prev) == isDelete(it) && resource.RankOf(id(prev).Kind) == resource.RankOf(id(it).Kind) {
				out[len(out)-1] = append(out[len(out)-1], it)
				continue
			}
		}
		out = append(out, []T{it})
	}
	return out
}
