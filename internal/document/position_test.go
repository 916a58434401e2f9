package document_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
)

// Indentation mistakes are reported where the author must edit, not where
// yaml.v3 was when it noticed; every parse error is marked as one.
func TestParseErrorPositions(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		message   string
	}{
		{"dedent to an unopened level", "a: 1\nspec:\n    title: x\n    b: 2\n  c: 3\n", 5, 3, "did not find expected key"},
		{"dedent on line 8 of a mapping at indent 4", "k: v\nspec:\n    a: 1\n    b: 2\n    c: 3\n    d: 4\n    e: 5\n  f: 6\n", 8, 3, "did not find expected key"},
		{"dedent in the second document", "a: 1\n---\nb: 1\nc:\n    d: 1\n  e: 2\n", 6, 3, "did not find expected key"},
		{"dedent after a block scalar", "a: |\n  text\n    more\nspec:\n    b: 2\n  c: 3\n", 6, 3, "did not find expected key"},
		{"dedent with CRLF line ends", "a: 1\r\nspec:\r\n    b: 2\r\n  c: 3\r\n", 4, 3, "did not find expected key"},
		{"over-indented key", "a: 1\nspec:\n  title: x\n    b: 2\n", 4, 5, "mapping values are not allowed in this context"},
		{"tab in indentation", "a: 1\nspec:\n  title: x\n\tb: 2\n", 4, 1, "found a tab character that violates indentation"},
		{"list item between levels", "spec:\n  fields:\n    - a: 1\n    - b: 2\n   - c: 3\n", 5, 4, "did not find expected key"},
		{"list item where a key belongs", "spec:\n  fields:\n  - a: 1\n    - b: 2\n", 4, 5, "did not find expected key"},
		{"unclosed flow sequence", "a: 1\nspec:\n  f: [1, 2\n  g: 3\n", 3, 6, "did not find expected ',' or ']'"},
		{"unclosed flow mapping at end of file", "a: 1\nspec:\n  f: {a: 1, b: 2\n", 3, 6, "did not find expected ',' or '}'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, d := document.Parse("f.yaml", []byte(tt.src), document.YAML)
			require.Len(t, d, 1, d.Error())
			assert.Equal(t, diag.Pos{File: "f.yaml", Line: tt.line, Col: tt.col}, d[0].Pos, d.Error())
			assert.Equal(t, "invalid YAML: "+tt.message, d[0].Message)
			assert.True(t, d[0].Parse, "a syntax error is a parse error")
			_ = docs
		})
	}
}

// Empty documents are skipped; an explicit null is content and is kept for
// the loader to reject.
func TestParseSkipsEmptyDocuments(t *testing.T) {
	tests := []struct {
		name string
		src  string
		docs int
	}{
		{"--- followed by ---", "---\n---\na: 1\n", 1},
		{"trailing ---", "a: 1\n---\n", 1},
		{"end marker", "a: 1\n...\n", 1},
		{"end marker then more", "a: 1\n...\n---\nb: 2\n...\n", 2},
		{"only empty documents", "---\n---\n...\n", 0},
		{"only comments", "# nothing\n---\n# nothing\n", 0},
		{"explicit null is content", "--- null\n", 1},
		{"tilde is content", "--- ~\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, d := document.Parse("f.yaml", []byte(tt.src), document.YAML)
			assert.Empty(t, d)
			assert.Len(t, docs, tt.docs)
		})
	}
}
