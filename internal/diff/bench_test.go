package diff_test

import (
	"fmt"
	"testing"

	"github.com/honua-io/honua-gitops/internal/diff"
)

// BenchmarkCompareKeyedList measures a keyed list with an insert in the
// middle, a removal, a rename and the last element moved to the front.
func BenchmarkCompareKeyedList(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		before, after := make([]any, n), make([]any, 0, n+1)
		for i := range n {
			before[i] = map[string]any{"name": fmt.Sprintf("f%d", i), "alias": "A"}
		}
		after = append(after, before[n-1])
		after = append(after, before[:n/2]...)
		after = append(after, map[string]any{"name": "new", "alias": "N"})
		after = append(after, before[n/2+1:n-1]...)
		after[1] = map[string]any{"name": "f0", "alias": "renamed"}
		bv, av := map[string]any{"l": before}, map[string]any{"l": after}
		keys := diff.ListKeys{"/l": "name"}
		b.Run(fmt.Sprintf("elements=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				diff.Compare("", bv, av, keys)
			}
		})
	}
}
