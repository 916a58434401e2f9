package diff_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/diff"
)

func field(name, alias string) map[string]any {
	return map[string]any{"name": name, "alias": alias}
}

func styleLayer(id string) map[string]any { return map[string]any{"id": id} }

// TestCompareLists covers element-wise list diffs: keyed lists by identity
// key, other lists by position with insertions found by LCS.
func TestCompareLists(t *testing.T) {
	keys := diff.ListKeys{"/spec/fields": "name", "/spec/style/layers": "id"}
	tests := []struct {
		name          string
		before, after any
		want          []diff.Change
	}{
		{
			"keyed: insert in the middle and rename",
			map[string]any{"spec": map[string]any{"fields": []any{field("apn", "APN"), field("owner", "Owner")}}},
			map[string]any{"spec": map[string]any{"fields": []any{field("apn", "Parcel ID (APN)"), field("situs_address", "Site"), field("owner", "Owner")}}},
			[]diff.Change{
				{Path: "/spec/fields/0/alias", Op: diff.Replace, Before: "APN", After: "Parcel ID (APN)",
					Key: map[string]any{"name": "apn"}, Display: "/spec/fields[name=apn]/alias"},
				{Path: "/spec/fields/1", Op: diff.Add, After: field("situs_address", "Site"),
					Key: map[string]any{"name": "situs_address"}, Display: "/spec/fields[name=situs_address]"},
			},
		},
		{
			"keyed: removal",
			map[string]any{"spec": map[string]any{"fields": []any{field("a", "A"), field("b", "B"), field("c", "C")}}},
			map[string]any{"spec": map[string]any{"fields": []any{field("a", "A"), field("c", "C")}}},
			[]diff.Change{{Path: "/spec/fields/1", Op: diff.Remove, Before: field("b", "B"),
				Key: map[string]any{"name": "b"}, Display: "/spec/fields[name=b]"}},
		},
		{
			"keyed: one element moved is one move",
			map[string]any{"spec": map[string]any{"style": map[string]any{"layers": []any{styleLayer("a"), styleLayer("b"), styleLayer("c")}}}},
			map[string]any{"spec": map[string]any{"style": map[string]any{"layers": []any{styleLayer("b"), styleLayer("c"), styleLayer("a")}}}},
			[]diff.Change{{Path: "/spec/style/layers/2", Op: diff.Move, From: "/spec/style/layers/0", Before: int64(0), After: int64(2),
				Key: map[string]any{"id": "a"}, Display: "/spec/style/layers[id=a]"}},
		},
		{
			"positional: insertion is one add",
			map[string]any{"l": []any{"a", "b", "c"}},
			map[string]any{"l": []any{"a", "x", "b", "c"}},
			[]diff.Change{{Path: "/l/1", Op: diff.Add, After: "x"}},
		},
		{
			"positional: removal and substitution",
			map[string]any{"l": []any{"a", "b", "c", "d"}},
			map[string]any{"l": []any{"a", "c", "e"}},
			[]diff.Change{{Path: "/l/1", Op: diff.Remove, Before: "b"}, {Path: "/l/2", Op: diff.Replace, Before: "d", After: "e"}},
		},
		{
			"keyed list with a duplicate key falls back to positions",
			map[string]any{"spec": map[string]any{"fields": []any{field("a", "A"), field("a", "B")}}},
			map[string]any{"spec": map[string]any{"fields": []any{field("a", "A")}}},
			[]diff.Change{{Path: "/spec/fields/1", Op: diff.Remove, Before: field("a", "B")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diff.Compare("", tt.before, tt.after, keys)
			assert.Equal(t, tt.want, got)
			patched, err := diff.Apply(tt.before, got)
			require.NoError(t, err)
			assert.Empty(t, diff.Values("", patched, tt.after), "Apply is the inverse of Compare")
		})
	}
}

// TestCompareReplay checks the replay invariant over many reorderings.
func TestCompareReplay(t *testing.T) {
	keys := diff.ListKeys{"/l": "id"}
	el := func(id string, v int64) any { return map[string]any{"id": id, "v": v} }
	lists := [][]any{
		{},
		{el("a", 1)},
		{el("a", 1), el("b", 1), el("c", 1), el("d", 1)},
		{el("d", 1), el("c", 2), el("b", 1), el("a", 1)},
		{el("c", 1), el("x", 1), el("a", 3), el("y", 1)},
		{el("b", 1), el("d", 2), el("a", 1), el("e", 1), el("c", 1)},
	}
	for _, b := range lists {
		for _, a := range lists {
			before, after := map[string]any{"l": b}, map[string]any{"l": a}
			for _, k := range []diff.ListKeys{keys, nil} {
				patched, err := diff.Apply(before, diff.Compare("", before, after, k))
				require.NoError(t, err)
				assert.Empty(t, diff.Values("", patched, after))
			}
		}
	}
}
