package diag_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/diag"
)

// Sort prints parse errors, other errors, warnings, then one closing line
// per set of unparsable files naming every environment that skipped checks.
func TestSortOrdersByClassAndMergesSkips(t *testing.T) {
	skip := func(env string, n int, files ...string) diag.Diagnostic {
		d, ok := diag.Skipped(env, files, n)
		require.True(t, ok)
		return d
	}
	at := func(file string, line int) diag.Pos { return diag.Pos{File: file, Line: line, Col: 1} }
	in := diag.List{
		{Pos: at("a.yaml", 1), Severity: diag.Warning, Message: "w"},
		skip("staging", 2, "c.yaml"),
		{Pos: at("a.yaml", 2), Message: "e"},
		{Pos: at("z.yaml", 9), Message: "invalid YAML", Parse: true},
		skip("production", 3, "c.yaml"),
		{Pos: at("a.yaml", 2), Message: "e"},
		skip("development", 1, "b.yaml", "a.yaml"),
		{Pos: at("c.yaml", 3), Message: "invalid YAML", Parse: true},
	}
	var got []string
	for _, d := range in.Sort() {
		got = append(got, d.String())
	}
	assert.Equal(t, []string{
		"c.yaml:3:1: invalid YAML",
		"z.yaml:9:1: invalid YAML",
		"a.yaml:2:1: e",
		"a.yaml:1:1: warning: w",
		"5 checks that depend on other files were skipped in staging, production because c.yaml does not parse",
		"1 check that depends on other files was skipped in development because a.yaml, b.yaml do not parse",
	}, got)
	assert.Len(t, in.Sort().Sort(), 6, "sorting twice changes nothing")
	assert.False(t, diag.List{skip("staging", 1, "c.yaml")}.HasErrors(), "a skip note is not an error")
}

func TestSkippedNothing(t *testing.T) {
	_, ok := diag.Skipped("staging", []string{"c.yaml"}, 0)
	assert.False(t, ok)
	_, ok = diag.Skipped("staging", nil, 3)
	assert.False(t, ok)
}
