package prcomment

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// hostileInput puts Markdown, HTML, marker look-alikes, control characters
// and secret placeholders everywhere the comment takes text from.
func hostileInput() Input {
	in := baseInput()
	p := stagingPlan()
	p.Environment = "st|ag<script>`x`</script>\n# h"
	p.Changes[0].Name = "a${secret:db-password}b"
	p.Changes[0].Changes = append(p.Changes[0].Changes,
		plan.FieldChange{Path: "/spec/${secret:path}", Op: plan.OpAdd, After: "ok"},
		plan.FieldChange{Path: "/spec/conn", Op: plan.OpAdd, After: "postgres://u:${secret:pw}@h/db"},
	)
	in.Plans = []*plan.Plan{p, productionPlan()}
	in.Marker.Envs = map[string]EnvState{
		"production": {Status: Failed, DeploymentID: "d|1`", Message: "boom --> <!-- x --> | ${secret:token} \n next line"},
	}
	in.Applying = map[string]string{p.Environment: "**bold** [link](javascript:alert(1)) ${secret:a}"}
	in.Results = map[string]string{"production": "applied `Layer/default/roads` with ${secret:token}"}
	in.RunURL = "https://github.com/acme/repo/actions/runs/1?x=(y) z"
	return in
}

func TestHostileText(t *testing.T) {
	t.Parallel()
	for _, maxBytes := range []int{0, 3000} {
		out, err := Render(hostileInput(), Options{MaxBytes: maxBytes})
		require.NoError(t, err)
		for _, s := range []string{out.Body, out.Summary} {
			hasNot(t, s, "${secret:")
			// The footer names the environment in a code span, where HTML
			// is literal; nowhere else may a tag survive.
			s = strings.ReplaceAll(s, "``st|ag<script>`x`</script>\\u000a# h``", "")
			hasNot(t, s, "<script>")
			hasNot(t, s, "](javascript:")
			hasNot(t, s, "\n# h")
			assertBalanced(t, s)
		}
		assert.Equal(t, 1, strings.Count(out.Body, MarkerPrefix))
		assert.Equal(t, 1, strings.Count(out.Body, "-->"), "only the marker closes an HTML comment")
		m, ok := ParseMarker(out.Body)
		require.True(t, ok)
		assert.Equal(t, Failed, m.Envs["production"].Status)
		assert.NotContains(t, m.Envs["production"].Message, "${secret:")

		// Every table row has exactly the table's cells: '|' in text is escaped.
		for _, l := range strings.Split(out.Body, "\n") {
			if strings.HasPrefix(l, "| ") {
				unescaped := strings.Count(l, "|") - strings.Count(l, `\|`)
				assert.Equal(t, 7, unescaped, "row %q", l)
			}
		}
		has(t, out.Body, "[Workflow run](https://github.com/acme/repo/actions/runs/1?x=%28y%29%20z)")
	}
}

func TestNoSecretPlaceholders(t *testing.T) {
	t.Parallel()
	in := bigInput()
	in.Invalid = ""
	in.Results = map[string]string{"staging": "used ${secret:api-key} and ${secret:unterminated"}
	out, err := Render(in, Options{})
	require.NoError(t, err)
	hasNot(t, out.Body, "${secret:")
	hasNot(t, out.Summary, "${secret:")
	has(t, out.Summary, "used (sensitive) and (sensitive)", "results come before the plan details in the summary, so the cap does not cut them")

	inv := baseInput()
	inv.Plans = nil
	inv.Invalid = "env.yaml:3: unknown secret ${secret:nope}\n```\n<!-- -->"
	out, err = Render(inv, Options{})
	require.NoError(t, err)
	hasNot(t, out.Body, "${secret:")
	hasNot(t, out.Summary, "${secret:")
	has(t, out.Body, "````text\n")
	assertBalanced(t, out.Body)
}

func TestRedactSecretRefs(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 300)
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"${secret:a}", "(sensitive)"},
		{"x ${secret:a} y ${secret:b}z", "x (sensitive) y (sensitive)z"},
		{"open ${secret:abc\nnext", "open (sensitive)\nnext"},
		{"open ${secret:abc", "open (sensitive)"},
		{"${secret:" + long + "}", "(sensitive)" + long + "}"},
		{"${secret:${secret:a}}", "(sensitive)}"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, redactSecretRefs(tc.in), tc.in)
	}
}

func TestInvalidTruncated(t *testing.T) {
	t.Parallel()
	in := baseInput()
	in.Plans = nil
	var lines []string
	for range 2000 {
		lines = append(lines, "environments/staging/layers/roads.yaml:12: spec.srid: 99999 is not a known EPSG code")
	}
	in.Invalid = strings.Join(lines, "\n")
	out, err := Render(in, Options{MaxBytes: 20000})
	require.NoError(t, err)
	assert.True(t, out.Truncated)
	assert.LessOrEqual(t, len(out.Body), 20000)
	assert.Regexp(t, `_\d+ more lines are in the job summary\._`, out.Body)
	has(t, out.Body, "_Full plan: see the")
	assertBalanced(t, out.Body)
	assert.Equal(t, 2000, strings.Count(out.Summary, "roads.yaml:12"))
}

func TestResultsOverBudget(t *testing.T) {
	t.Parallel()
	in := baseInput()
	in.Marker.Envs = map[string]EnvState{
		"staging":    {Status: Applied, DeploymentID: "d-1"},
		"production": {Status: Applied, DeploymentID: "d-2"},
	}
	in.Results = map[string]string{
		"staging":    "small result",
		"production": strings.Repeat("| Layer/default/x | update | ✅ |\n", 2000),
	}
	out, err := Render(in, Options{})
	require.NoError(t, err)
	assert.True(t, out.Truncated)
	assert.LessOrEqual(t, len(out.Body), DefaultMaxBytes)
	has(t, out.Body, "What was applied to <b>staging</b>")
	has(t, out.Body, "_What was applied to production is in the job summary._")
	has(t, out.Summary, "What was applied to <b>production</b>")
}

func TestRenderErrorsAndDefaults(t *testing.T) {
	t.Parallel()
	_, err := Render(Input{Plans: []*plan.Plan{nil}}, Options{})
	require.Error(t, err)

	_, err = Render(baseInput(), Options{MaxBytes: 200})
	require.ErrorIs(t, err, ErrBudget)

	// An empty input still gives a valid comment.
	out, err := Render(Input{}, Options{})
	require.NoError(t, err)
	m, ok := ParseMarker(out.Body)
	require.True(t, ok)
	assert.Equal(t, MarkerVersion, m.Version)
	has(t, out.Body, "### Honua plan\n")

	// The caller's marker map is not modified.
	in := baseInput()
	in.Marker.Envs = map[string]EnvState{"staging": {Status: Applying}}
	_, err = Render(in, Options{})
	require.NoError(t, err)
	assert.Equal(t, map[string]EnvState{"staging": {Status: Applying}}, in.Marker.Envs)

	// Non-http run URLs are not linked.
	in = baseInput()
	in.RunURL = "javascript:alert(1)"
	out, err = Render(in, Options{})
	require.NoError(t, err)
	hasNot(t, out.Body, "javascript")
	hasNot(t, out.Body, "[Workflow run]")
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	in := hostileInput()
	first, err := Render(in, Options{MaxBytes: 4000})
	require.NoError(t, err)
	for range 10 {
		again, err := Render(hostileInput(), Options{MaxBytes: 4000})
		require.NoError(t, err)
		require.Equal(t, first, again)
	}
}

func TestCapMarkdown(t *testing.T) {
	t.Parallel()
	md := "# t\n\n<details><summary>s</summary>\n\n```diff\n+ a\n+ b\n+ c\n```\n\n</details>\n\ntail line\n"
	note := "_cut_\n"
	for limit := len(note) + 1; limit < len(md); limit++ {
		got := capMarkdown(md, limit, note)
		assert.LessOrEqual(t, len(got), limit, "limit %d", limit)
		assert.True(t, strings.HasSuffix(got, note))
		assertBalanced(t, got)
	}
	assert.Equal(t, md, capMarkdown(md, len(md), note))
	// Between blocks when possible...
	got := capMarkdown(md, 71, note)
	assert.Equal(t, "# t\n\n_cut_\n", got)
	// ...and inside one when that loses too much.
	big := "# t\n\n<details><summary>s</summary>\n\n```diff\n" + strings.Repeat("+ a\n", 40000) + "```\n\n</details>\n"
	got = capMarkdown(big, 100000, note)
	assert.LessOrEqual(t, len(got), 100000)
	assert.Greater(t, len(got), 99000)
	assert.True(t, strings.HasSuffix(got, "+ a\n```\n\n</details>\n\n_cut_\n"))
}
