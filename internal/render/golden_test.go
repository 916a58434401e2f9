package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// goldenDir is the repository's testdata/render.
var goldenDir = filepath.Join("..", "..", "testdata", "render")

// assertGolden compares got with the named golden file, or rewrites the
// file under -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		require.NoError(t, os.MkdirAll(goldenDir, 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./internal/render/ -update")
	require.Equal(t, string(want), string(got), "output differs from %s; run go test ./internal/render/ -update if the change is intended", path)
}

func TestGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		plans func() []*plan.Plan
	}{
		{"no-changes", func() []*plan.Plan { return []*plan.Plan{noChangesPlan()} }},
		{"staging", func() []*plan.Plan { return []*plan.Plan{stagingPlan()} }},
		{"live-not-read", func() []*plan.Plan { return []*plan.Plan{devPlan()} }},
		{"multi", func() []*plan.Plan { return []*plan.Plan{devPlan(), stagingPlan(), noChangesPlan()} }},
		{"hostile", func() []*plan.Plan { return []*plan.Plan{hostilePlan()} }},
		{"secrets", func() []*plan.Plan { return []*plan.Plan{secretsPlan()} }},
		{"lists", func() []*plan.Plan { return []*plan.Plan{listsPlan()} }},
		{"policy", policyPlans},
	}
	formats := []struct {
		ext    string
		render func(*bytes.Buffer, []*plan.Plan) error
	}{
		{"txt", func(b *bytes.Buffer, ps []*plan.Plan) error { return Text(b, ps, TextOptions{}) }},
		{"color.txt", func(b *bytes.Buffer, ps []*plan.Plan) error { return Text(b, ps, TextOptions{Color: true}) }},
		{"md", func(b *bytes.Buffer, ps []*plan.Plan) error { return Markdown(b, ps, MarkdownOptions{}) }},
		{"json", func(b *bytes.Buffer, ps []*plan.Plan) error { return JSON(b, ps) }},
	}
	for _, tc := range cases {
		for _, f := range formats {
			if f.ext == "color.txt" && tc.name != "staging" && tc.name != "policy" {
				continue // one colour golden is enough; colour is tested below
			}
			name := tc.name + "." + f.ext
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var buf bytes.Buffer
				require.NoError(t, f.render(&buf, tc.plans()))
				assertGolden(t, name, buf.Bytes())
			})
		}
	}
}
