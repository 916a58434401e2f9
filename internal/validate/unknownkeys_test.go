package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/resource"
)

func TestSuggestKey(t *testing.T) {
	known := []string{"enabled", "tableName", "schemaName", "srid", "fields", "title"}
	tests := []struct{ key, want string }{
		{"enabeld", "enabled"},     // swapped letters: one edit
		{"enable", "enabled"},      // dropped letter
		{"tablename", "tableName"}, // case only
		{"TABLENAME", "tableName"},
		{"srdi", "srid"},
		{"feilds", "fields"},
		{"colour", ""}, // nothing close
		{"geometryColumns", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, suggestKey(tt.key, known), tt.key)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "ab", 2},
		{"enabeld", "enabled", 1}, {"kitten", "sitting", 3}, {"srid", "srid", 0},
		{"ca", "abc", 3}, // optimal string alignment, not full Damerau
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, editDistance(tt.a, tt.b), "%s→%s", tt.a, tt.b)
	}
}

func TestCheckUnknownKeys(t *testing.T) {
	tests := []struct {
		name, kind, spec string
		want             []diag.Diagnostic
	}{
		{
			name: "typo with a suggestion", kind: "Layer", spec: "srid: 4326\nenabeld: true\n",
			want: []diag.Diagnostic{{Pos: diag.Pos{File: "f.yaml", Line: 2, Col: 1}, Severity: diag.Warning,
				Message: "Layer/ns/x: spec.enabeld is not a key Honua knows", Hint: "did you mean `enabled`?"}},
		},
		{
			name: "unknown key without a near miss", kind: "Service", spec: "description: d\ncolour: red\n",
			want: []diag.Diagnostic{{Pos: diag.Pos{File: "f.yaml", Line: 2, Col: 1}, Severity: diag.Warning,
				Message: "Service/ns/x: spec.colour is not a key Honua knows", Hint: "remove it; Honua stores it but nothing reads it"}},
		},
		{name: "generation 2 keys are known", kind: "Layer", spec: "popupInfo: {}\npermanentFilter: null\nlicense: CC-BY\n"},
		{name: "nested keys are open", kind: "Style", spec: "style: {anything: 1}\n"},
		{name: "open kinds accept any key", kind: "Theme", spec: "primaryColor: red\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, d := document.Parse("f.yaml", []byte(tt.spec), document.YAML)
			require.Empty(t, d)
			var got diag.List
			checkUnknownKeys(&got, resource.Identity{Kind: tt.kind, Namespace: "ns", Name: "x"}, nodes[0])
			assert.Equal(t, diag.List(tt.want), got)
		})
	}
}

func TestStrict(t *testing.T) {
	var d diag.List
	d.Warnf(diag.Pos{File: "a"}, "", "w")
	d.Addf(diag.Pos{File: "b"}, "", "e")
	s := Strict(d)
	assert.True(t, s.HasErrors())
	assert.Len(t, s.Errors(), 2)
	assert.Equal(t, diag.Warning, d[0].Severity, "the input is not changed")
}
