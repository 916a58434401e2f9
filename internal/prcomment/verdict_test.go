package prcomment

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
)

var verdictTime = time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC)

func verdictOf(d plan.Decision) *plan.Verdict {
	v := &plan.Verdict{Decision: d, Policy: ".honua/policy.yaml", Risk: plan.High, EvaluatedAt: verdictTime}
	switch d {
	case plan.Warn:
		v.Rules = []plan.RuleVerdict{{Decision: plan.Warn, Rule: "warnings[0] when changes > 20", Message: "large change"}}
	case plan.NeedsApproval:
		v.Rules = []plan.RuleVerdict{{
			Decision: plan.NeedsApproval, Rule: "approvals[0] when deletes > 0",
			Message: "needs 2 approvals from team:riverton/gis-leads or user:alice",
			Require: 2, From: []string{"team:riverton/gis-leads", "user:alice"},
		}}
	case plan.Blocked:
		v.Rules = []plan.RuleVerdict{{
			Decision: plan.Blocked, Rule: "windows",
			Message:  "outside every deployment window (Mon–Fri 09:00–17:00 America/Chicago); next opens 2026-12-07T09:00:00-06:00",
			NextOpen: time.Date(2026, 12, 7, 9, 0, 0, 0, time.FixedZone("CST", -6*3600)),
		}}
	}
	return v
}

func withVerdict(p *plan.Plan, v *plan.Verdict) *plan.Plan {
	p.Verdict = v
	return p
}

// policyInput has a needs-approval staging and a blocked production.
func policyInput() Input {
	in := baseInput()
	in.Plans = []*plan.Plan{
		withVerdict(stagingPlan(), verdictOf(plan.NeedsApproval)),
		withVerdict(productionPlan(), verdictOf(plan.Blocked)),
	}
	return in
}

func TestVerdictGolden(t *testing.T) {
	t.Parallel()
	out, err := Render(policyInput(), Options{})
	require.NoError(t, err)
	assert.False(t, out.Truncated)
	assertGolden(t, "policy.md", out.Body)
	assertGolden(t, "policy.summary.md", out.Summary)
}

func TestVerdictTableCell(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		d    plan.Decision
		cell string
		rule string
	}{
		{plan.Allowed, "✅ allowed", ""},
		{plan.Warn, "⚠️ warn", "- ⚠️ **warn** — warnings\\[0\\] when changes \\> 20: large change\n"},
		{plan.NeedsApproval, "🔐 needs approval (2)", "- 🔐 **needs approval** — approvals\\[0\\] when deletes \\> 0: needs 2 approvals from team\\:riverton/gis-leads or user\\:alice\n"},
		{plan.Blocked, "⛔ blocked", "- ⛔ **blocked** — windows: outside every deployment window \\(Mon–Fri 09\\:00–17\\:00 America/Chicago\\); next opens 2026-12-07T09\\:00\\:00-06\\:00\n"},
	} {
		t.Run(string(tt.d), func(t *testing.T) {
			t.Parallel()
			in := baseInput()
			in.Plans = []*plan.Plan{withVerdict(stagingPlan(), verdictOf(tt.d)), productionPlan()}
			out, err := Render(in, Options{})
			require.NoError(t, err)
			for _, md := range []string{out.Body, out.Summary} {
				has(t, md, "| Environment | Status | Changes | Highest risk | Drift | Policy | Plan hash |\n| --- | --- | --- | --- | --- | --- | --- |\n")
				has(t, md, "| none | "+tt.cell+" | `")
				// The production plan has no verdict: "—".
				has(t, md, "| production | 📝 planned | ")
				has(t, md, " | — | `"+hashProduction[:12]+"`")
				has(t, md, "**Policy: ")
				if tt.rule != "" {
					has(t, md, tt.rule)
				}
			}
		})
	}
}

// Without verdicts there is no Policy column or block (the golden files
// prove the bytes are unchanged).
func TestVerdictAbsent(t *testing.T) {
	t.Parallel()
	out, err := Render(baseInput(), Options{})
	require.NoError(t, err)
	hasNot(t, out.Body, "Policy")
	hasNot(t, out.Summary, "Policy")
	assert.True(t, strings.Contains(out.Body, tableHead))
}

// A rule message from a repository file is escaped: no live HTML, no new
// table cell, no mention, no new line.
func TestVerdictHostileMessage(t *testing.T) {
	t.Parallel()
	in := baseInput()
	in.Plans = []*plan.Plan{withVerdict(stagingPlan(), &plan.Verdict{
		Decision: "x|<img src=x>",
		Policy:   "policy`|.yaml",
		Rules: []plan.RuleVerdict{{
			Decision: plan.Warn, Rule: "warnings[0] <b>bold</b>",
			Message: "a | b <img src=x> @alice ${secret:token}\n# heading\r\n| fake | row |",
			From:    []string{"user:<script>"},
		}},
	})}
	out, err := Render(in, Options{})
	require.NoError(t, err)
	for _, md := range []string{out.Body, out.Summary} {
		assert.NotRegexp(t, `(^|[^\\])<(img|script|b>bold)`, md)
		hasNot(t, md, "\n# heading")
		hasNot(t, md, "\n| fake")
		hasNot(t, md, " @alice")
		hasNot(t, md, "${secret:")
		has(t, md, `a \| b \<img src=x\> \@alice`)
		for _, l := range strings.Split(md, "\n") {
			if strings.HasPrefix(l, "| staging |") {
				assert.Equal(t, 8, strings.Count(l, "|")-strings.Count(l, `\|`), l)
			}
		}
	}
}

// Verdicts are short and essential: when the comment budget cuts details,
// every environment's Policy block stays; when not even the sections'
// heads fit, the verdicts are written alone, before any result.
func TestVerdictSurvivesBudget(t *testing.T) {
	t.Parallel()
	in := baseInput()
	in.Plans = []*plan.Plan{
		withVerdict(stagingPlan(), verdictOf(plan.Warn)),
		withVerdict(bigPlan("production", bigChanges), verdictOf(plan.Blocked)),
		withVerdict(noChangesPlan(), verdictOf(plan.Allowed)),
	}
	for _, maxBytes := range []int{8000, 20000, 60000} {
		out, err := Render(in, Options{MaxBytes: maxBytes})
		require.NoError(t, err)
		assert.True(t, out.Truncated)
		assert.LessOrEqual(t, len(out.Body), maxBytes)
		assert.Equal(t, 3, strings.Count(out.Body, "**Policy: "), "MaxBytes %d", maxBytes)
		has(t, out.Body, "- ⛔ **blocked** — windows: ")
		assertBalanced(t, out.Body)
	}

	// Many environments: the sections' heads and tails do not fit, the
	// verdicts do, and they outrank the results.
	in = baseInput()
	in.Plans = nil
	in.Results = map[string]string{}
	for i := range 40 {
		env := fmt.Sprintf("env-%02d", i)
		p := withVerdict(bigPlan(env, 3), verdictOf(plan.Blocked))
		p.Notes = []string{strings.Repeat("a long note ", 40)}
		in.Plans = append(in.Plans, p)
		in.Results[env] = strings.Repeat("applied ", 100)
	}
	out, err := Render(in, Options{MaxBytes: 30000})
	require.NoError(t, err)
	assert.True(t, out.Truncated)
	assert.LessOrEqual(t, len(out.Body), 30000)
	hasNot(t, out.Body, "Plan hash: ", "no room for whole section heads and tails")
	assert.Equal(t, 40, strings.Count(out.Body, "**Policy: ⛔ blocked**"))
	has(t, out.Body, "#### env-39\n\n**Policy: ⛔ blocked**")
	assertBalanced(t, out.Body)
}

// The Policy cell is the render package's.
func TestVerdictCellIsRenders(t *testing.T) {
	t.Parallel()
	d := &doc{in: Input{Plans: []*plan.Plan{withVerdict(stagingPlan(), verdictOf(plan.NeedsApproval))}}}
	line := d.tableRow(row{env: "staging", plan: d.in.Plans[0], state: EnvState{Status: Planned}})
	has(t, line, " | "+render.VerdictCell(d.in.Plans[0].Verdict)+" | ")
}
