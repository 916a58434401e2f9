package document_test

import (
	"testing"

	"github.com/honua-io/honua-gitops/internal/document"
)

// FuzzParse checks that any input, YAML or JSON, parses or fails with a
// positioned diagnostic, never panics, and that every position is inside the
// file.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: a}\nspec: {srid: 4326}\n",
		"a: &x [1, 2]\nb: *x\nc: {<<: {d: 1}}\n",
		"---\n---\nk: v\n...\n",
		`{"resources": [{"kind": "Layer", "spec": {"srid": 4326.0}}]}`,
		"a: 1\na: 2\n",
		"\xEF\xBB\xBFk: \"\\u00e9\"\r\n",
		"x: 0x1F\ny: 1_000\nz: .inf\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		format := document.YAML
		if asJSON {
			format = document.JSON
		}
		docs, diags := document.Parse("f", data, format)
		lines := 1
		for i, b := range data {
			if b == '\n' || b == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
				lines++
			}
		}
		for _, d := range diags {
			if d.Pos.File != "f" || d.Pos.Line < 1 || d.Pos.Line > lines+1 {
				t.Fatalf("diagnostic position %v outside the file (%d lines): %s", d.Pos, lines, d.Message)
			}
		}
		for _, n := range docs {
			_ = n.Interface()
		}
	})
}
