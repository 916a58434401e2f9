package diff_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/diff"
)

func TestValues(t *testing.T) {
	tests := []struct {
		name          string
		before, after any
		want          []diff.Change
	}{
		{"equal numbers of different types", map[string]any{"a": int64(1)}, map[string]any{"a": 1.0}, nil},
		{"nested replace", map[string]any{"s": map[string]any{"srid": int64(4326)}}, map[string]any{"s": map[string]any{"srid": int64(3857)}},
			[]diff.Change{{Path: "/s/srid", Op: diff.Replace, Before: int64(4326), After: int64(3857)}}},
		{"add and remove sorted", map[string]any{"b": "x", "c": true}, map[string]any{"a": nil, "c": true},
			[]diff.Change{{Path: "/a", Op: diff.Add}, {Path: "/b", Op: diff.Remove, Before: "x"}}},
		{"same-length lists element-wise", map[string]any{"l": []any{"a", "b"}}, map[string]any{"l": []any{"a", "c"}},
			[]diff.Change{{Path: "/l/1", Op: diff.Replace, Before: "b", After: "c"}}},
		{"appended list element is one add", map[string]any{"l": []any{"a"}}, map[string]any{"l": []any{"a", "b"}},
			[]diff.Change{{Path: "/l/1", Op: diff.Add, After: "b"}}},
		{"pointer escaping", map[string]any{"a/b": int64(1), "m~n": int64(1)}, map[string]any{"a/b": int64(2), "m~n": int64(2)},
			[]diff.Change{{Path: "/a~1b", Op: diff.Replace, Before: int64(1), After: int64(2)}, {Path: "/m~0n", Op: diff.Replace, Before: int64(1), After: int64(2)}}},
		{"type change", map[string]any{"a": map[string]any{}}, map[string]any{"a": "x"},
			[]diff.Change{{Path: "/a", Op: diff.Replace, Before: map[string]any{}, After: "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diff.Values("", tt.before, tt.after)
			assert.Equal(t, tt.want, got)
			patched, err := diff.Apply(tt.before, got)
			require.NoError(t, err)
			assert.Equal(t, diff.Values("", patched, tt.after), []diff.Change(nil), "Apply is the inverse of Values")
		})
	}
}

func TestPointerRoundTrip(t *testing.T) {
	for _, k := range []string{"plain", "a/b", "~", "~1", "/~/"} {
		assert.Equal(t, []string{k}, diff.SplitPointer("/"+diff.EscapePointer(k)))
	}
}
