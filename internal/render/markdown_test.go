package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
)

func renderMarkdown(t *testing.T, plans []*plan.Plan, maxBytes int) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Markdown(&buf, plans, MarkdownOptions{MaxDetailBytes: maxBytes}))
	return buf.String()
}

// fences returns the code fences of a Markdown document in order, checking
// that every one that opens is closed by the same fence and that nothing
// inside a block looks like a fence of its length.
func fences(t *testing.T, doc string) []string {
	t.Helper()
	var out []string
	open := ""
	for _, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimRight(line, "`")
		ticks := len(line) - len(trimmed)
		switch {
		case open == "" && strings.HasPrefix(line, "```"):
			open = line[:len(line)-len(strings.TrimLeft(line, "`"))]
			out = append(out, open)
		case open != "" && strings.HasPrefix(line, open):
			require.Equal(t, open, line, "a line inside a %s block starts with its fence", open)
			open = ""
		case open != "" && ticks > 0 && trimmed == "":
			t.Fatalf("line %q inside a %s block looks like a fence", line, open)
		}
	}
	require.Empty(t, open, "unclosed code fence")
	return out
}

func TestMarkdownSections(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		plans   []*plan.Plan
		want    []string
		notWant []string
	}{
		{
			name:  "no changes",
			plans: []*plan.Plan{noChangesPlan()},
			want: []string{
				"## Honua plan\n\n| Environment | Create | Update | Delete | Unchanged | Highest risk | Drift |\n",
				"| production | 0 | 0 | 0 | 5 | — | none |\n",
				"### production\n\n**No changes. production matches recorded state (5 resources).**",
				"Plan hash: `" + hashProduction + "`\n",
			},
			notWant: []string{"<details>"},
		},
		{
			name:  "changes, risk and drift",
			plans: []*plan.Plan{stagingPlan()},
			want: []string{
				"| staging | 2 | 2 | 1 | 5 | ⚠️ high | 3 resources |\n",
				"<details><summary>➕ <code>Layer/default/parcels</code> — create, risk <b>low</b></summary>\n\n```diff\n+ /metadata/labels/tier: \"gold\"\n",
				"<summary>✏️ <code>Layer/default/roads</code> — update, ⚠️ risk <b>high</b>: changes spec.srid, which clients depend on</summary>",
				"<summary>🗑️ <code>Style/default/legacy-roads</code> — delete, ⚠️ risk <b>high</b>",
				"- /spec/srid: 4326\n+ /spec/srid: 3857\n",
				"+ /spec/password: (sensitive)\n",
				"- /spec/credentials/apiKey: (sensitive)\n+ /spec/credentials/apiKey: (sensitive)\n",
				"<summary>🔀 <b>Drift</b>: live state differs from recorded state (3 resources)</summary>",
				"@@ Layer/default/hydrants: missing from the server @@\n",
			},
			notWant: []string{"not read"},
		},
		{
			name:  "live state not read",
			plans: []*plan.Plan{devPlan()},
			want: []string{
				"| development | 1 | 0 | 0 | 0 | low | not read |\n",
				"_Live state was not read; use `--target` to include drift._\n",
				"Compared with `local state (.git/honua-gitops)` (nothing applied yet).",
			},
			notWant: []string{"Drift</b>"},
		},
		{
			name:  "hostile names are escaped",
			plans: []*plan.Plan{hostilePlan()},
			want: []string{
				"| qa\\|\\<b\\>x\\</b\\> | 1 | 1 | 0 | 1 | ⚠️ high | none |\n",
				"### qa\\|\\<b\\>x\\</b\\>\n",
				"<code>Layer/default/&lt;script&gt;alert(1)&lt;/script&gt;|`x`</code>",
				"changes spec.&lt;layer&gt;, which clients depend on</summary>",
				"Compared with ``file state|`x`.json`` at `v1`.",
				"- 1\\. \\<img src=x\\> \\@team \\| \\`code\\`\n",
				"``````diff\n",
			},
			notWant: []string{"<script>", "<b>x</b>", " <img", "\x1b", "\u202e", "\n# injected", "\n</details>\n# "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := renderMarkdown(t, tt.plans, 0)
			containsAll(t, out, tt.want...)
			containsNone(t, out, tt.notWant...)
			fences(t, out)
			assert.Equal(t, strings.Count(out, "\n<details><summary>"), strings.Count(out, "\n</details>\n"))
			assert.True(t, strings.HasSuffix(out, "`\n") || strings.HasSuffix(out, ".\n"), "ends in one newline")
			assert.False(t, strings.HasSuffix(out, "\n\n"))
		})
	}
}

func TestMarkdownFenceOutlastsBackticks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value string
		fence string
	}{
		{"no backticks", "plain", "```"},
		{"triple", "a ``` b", "````"},
		{"five", "````` x", "``````"},
		{"at line start after escape", "x\n```", "````"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := devPlan()
			p.Changes[0].Changes = []plan.FieldChange{{Path: "/spec/title", Op: plan.OpAdd, After: tt.value}}
			out := renderMarkdown(t, []*plan.Plan{p}, 0)
			assert.Equal(t, []string{tt.fence}, fences(t, out))
		})
	}
}

func TestMarkdownMaxDetailBytes(t *testing.T) {
	t.Parallel()
	const slack = 0 // the cap is kept exactly once the fixed parts fit
	plans := []*plan.Plan{bigPlan("qa", 60), stagingPlan(), bigPlan("production", 40)}
	full := renderMarkdown(t, plans, 0)
	table := full[:strings.Index(full, "### ")]
	tests := []struct {
		name       string
		maxBytes   int
		wantAll    bool
		wantNotice []string
	}{
		{name: "unlimited", maxBytes: 0, wantAll: true},
		{name: "large enough", maxBytes: len(full), wantAll: true},
		{
			name: "cut in the first environment", maxBytes: 8000,
			wantNotice: []string{"more resources are in the job summary and the plan JSON artifact._"},
		},
		{
			name: "cut in the last environment", maxBytes: len(full) - 500,
			wantNotice: []string{"more resources are in the job summary and the plan JSON artifact._\n\nNo drift"},
		},
		{
			name: "smaller than the fixed parts", maxBytes: 100,
			wantNotice: []string{
				"_Details of 60 more resources are in the job summary and the plan JSON artifact._",
				"_Details of 8 more resources are in the job summary and the plan JSON artifact._",
				"_Details of 40 more resources are in the job summary and the plan JSON artifact._",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := renderMarkdown(t, plans, tt.maxBytes)
			assert.True(t, strings.HasPrefix(out, table), "the counts table is always complete")
			for _, p := range plans {
				assert.Contains(t, out, "Plan hash: `"+p.Hash+"`")
				assert.Contains(t, out, "### "+p.Environment+"\n")
			}
			fences(t, out)
			if tt.wantAll {
				assert.True(t, full == out, "nothing is left out when everything fits")
				containsNone(t, out, "more resource")
				return
			}
			containsAll(t, out, tt.wantNotice...)
			if tt.maxBytes > 1000 {
				assert.LessOrEqual(t, len(out), tt.maxBytes+slack)
			}
			// Every resource is either shown or counted as left out.
			shown := strings.Count(out, "<details><summary>") - strings.Count(out, "<b>Drift</b>")
			left := 0
			for _, m := range regexp.MustCompile(`Details of (\d+) more resources?`).FindAllStringSubmatch(out, -1) {
				left += atoi(t, m[1])
			}
			if !strings.Contains(out, "<b>Drift</b>") {
				left -= len(stagingPlan().Drift)
			}
			assert.Equal(t, 60+5+40, shown+left)
		})
	}
}

func TestMarkdownTruncatedGolden(t *testing.T) {
	t.Parallel()
	plans := []*plan.Plan{bigPlan("staging", 12), noChangesPlan()}
	assertGolden(t, "truncated.md", []byte(renderMarkdown(t, plans, 3000)))
}

func TestMarkdownNoPlans(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "## Honua plan\n\nNo environments were planned.\n", renderMarkdown(t, nil, 0))
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		require.True(t, c >= '0' && c <= '9')
		n = n*10 + int(c-'0')
	}
	return n
}
