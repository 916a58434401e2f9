package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// Verdict fixtures, one per decision, as the policy evaluation would give
// them.

var evaluatedAt = time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC)

func allowedVerdict() *plan.Verdict {
	return &plan.Verdict{Decision: plan.Allowed, Risk: plan.Low, EvaluatedAt: evaluatedAt}
}

func warnVerdict() *plan.Verdict {
	return &plan.Verdict{
		Decision: plan.Warn, Policy: ".honua/policy.yaml", Risk: plan.Medium, EvaluatedAt: evaluatedAt,
		Rules: []plan.RuleVerdict{{Decision: plan.Warn, Rule: "warnings[0] when changes > 20", Message: "large change"}},
	}
}

func approvalVerdict() *plan.Verdict {
	return &plan.Verdict{
		Decision: plan.NeedsApproval, Policy: ".honua/policy.yaml", Risk: plan.High, EvaluatedAt: evaluatedAt,
		Rules: []plan.RuleVerdict{{
			Decision: plan.NeedsApproval, Rule: "approvals[0] when deletes > 0", Require: 2,
			From: []string{"team:riverton/gis-leads", "user:alice"},
		}},
	}
}

func nextOpen() time.Time {
	return time.Date(2026, 12, 7, 9, 0, 0, 0, time.FixedZone("CST", -6*3600))
}

func blockedVerdict() *plan.Verdict {
	return &plan.Verdict{
		Decision: plan.Blocked, Policy: ".honua/policy.yaml", Risk: plan.High, EvaluatedAt: evaluatedAt,
		Rules: []plan.RuleVerdict{{
			Decision: plan.Blocked, Rule: "windows",
			Message: "outside every deployment window (Mon–Fri 09:00–17:00 America/Chicago); next opens 2026-12-07T09:00:00-06:00", NextOpen: nextOpen(),
		}},
	}
}

// severalVerdict has one rule of each restrictive decision, most
// restrictive first, and hostile markup in a message.
func severalVerdict() *plan.Verdict {
	return &plan.Verdict{
		Decision: plan.Blocked, Policy: ".honua/policy.yaml", Risk: plan.High, EvaluatedAt: evaluatedAt,
		Rules: []plan.RuleVerdict{
			{Decision: plan.Blocked, Rule: "blackouts[0] year-end freeze", Message: "no changes until January", NextOpen: nextOpen()},
			{Decision: plan.NeedsApproval, Rule: "approvals[1] when deletes > 0", Message: "deletes need review", Require: 1},
			{Decision: plan.NeedsApproval, Rule: "approvals[2] when risk >= high", Message: "needs 2 approvals from team:riverton/gis-leads or user:alice", Require: 2, From: []string{"team:riverton/gis-leads", "user:alice"}},
			{Decision: plan.Warn, Rule: "warnings[0] when changes > 20", Message: "a | b <img src=x> @alice\n# heading \x1b[31mred"},
		},
	}
}

func withVerdict(p *plan.Plan, v *plan.Verdict) *plan.Plan {
	p.Verdict = v
	return p
}

// policyPlans is one plan per decision, and one without a verdict.
func policyPlans() []*plan.Plan {
	dev := withVerdict(devPlan(), allowedVerdict())
	staging := withVerdict(stagingPlan(), warnVerdict())
	approval := withVerdict(bigPlan("qa", 2), approvalVerdict())
	blocked := withVerdict(noChangesPlan(), blockedVerdict())
	several := withVerdict(hostilePlan(), severalVerdict())
	plain := bigPlan("sandbox", 1)
	return []*plan.Plan{dev, staging, approval, blocked, several, plain}
}

func TestVerdictText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    *plan.Verdict
		want []string
	}{
		{"allowed", allowedVerdict(), []string{"Policy: allowed (risk low)\n"}},
		{"allowed without changes", &plan.Verdict{Decision: plan.Allowed}, []string{"Policy: allowed\n"}},
		{"warn", warnVerdict(), []string{"Policy: warn — warnings[0] when changes > 20: large change\n"}},
		{"needs approval", approvalVerdict(), []string{
			"Policy: needs approval — approvals[0] when deletes > 0: 2 approvals from team:riverton/gis-leads, user:alice\n",
		}},
		{"needs approval from anyone", &plan.Verdict{Decision: plan.NeedsApproval, Rules: []plan.RuleVerdict{
			{Decision: plan.NeedsApproval, Rule: "approvals[0]", Message: "deletes need review"},
		}}, []string{"Policy: needs approval — approvals[0]: deletes need review; 1 approval from anyone with write access\n"}},
		{"blocked", blockedVerdict(), []string{
			"Policy: blocked — windows: outside every deployment window (Mon–Fri 09:00–17:00 America/Chicago); next opens 2026-12-07T09:00:00-06:00\n",
		}},
		{"several", severalVerdict(), []string{
			"Policy: blocked (risk high)\n" +
				"  - blocked: blackouts[0] year-end freeze: no changes until January; next opens 2026-12-07T09:00:00-06:00\n" +
				"  - needs approval: approvals[1] when deletes > 0: deletes need review; 1 approval from anyone with write access\n" +
				"  - needs approval: approvals[2] when risk >= high: needs 2 approvals from team:riverton/gis-leads or user:alice\n" +
				`  - warn: warnings[0] when changes > 20: a | b <img src=x> @alice\u000a# heading \u001b[31mred` + "\n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := withVerdict(stagingPlan(), tt.v)
			out := renderText(t, []*plan.Plan{p}, false)
			containsAll(t, out, tt.want...)
			// After the summary line, before the hash.
			summary := strings.Index(out, "Plan: 2 to create")
			policy := strings.Index(out, "Policy: ")
			hash := strings.Index(out, "Plan hash: ")
			assert.Less(t, summary, policy)
			assert.Less(t, policy, hash)
			assert.NotContains(t, out, "\x1b", "a message's ESC is escaped")
		})
	}
}

func TestVerdictTextColor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		v    *plan.Verdict
		want string
	}{
		{allowedVerdict(), "Policy: " + ansiGreen + "allowed" + ansiReset + " (risk low)\n"},
		{warnVerdict(), "Policy: " + ansiYellow + "warn" + ansiReset + " — "},
		{approvalVerdict(), "Policy: " + ansiYellow + "needs approval" + ansiReset + " — "},
		{blockedVerdict(), "Policy: " + ansiRed + "blocked" + ansiReset + " — "},
		{severalVerdict(), "  - " + ansiYellow + "warn" + ansiReset + ": warnings[0]"},
	} {
		out := renderText(t, []*plan.Plan{withVerdict(stagingPlan(), tt.v)}, true)
		assert.Contains(t, out, tt.want)
		assert.NotContains(t, out, "\x1b[31mred")
	}
}

// No verdict, no Policy line: the output is what it was before verdicts.
func TestVerdictTextAbsent(t *testing.T) {
	t.Parallel()
	out := renderText(t, []*plan.Plan{stagingPlan(), noChangesPlan()}, false)
	assert.NotContains(t, out, "Policy")
}

func TestVerdictCell(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    *plan.Verdict
		want string
	}{
		{nil, "—"},
		{allowedVerdict(), "✅ allowed"},
		{warnVerdict(), "⚠️ warn"},
		{approvalVerdict(), "🔐 needs approval (2)"},
		{&plan.Verdict{Decision: plan.NeedsApproval, Rules: []plan.RuleVerdict{{Decision: plan.NeedsApproval, Rule: "x"}}}, "🔐 needs approval (1)"},
		{blockedVerdict(), "⛔ blocked"},
		{severalVerdict(), "⛔ blocked"},
		{&plan.Verdict{Decision: "maybe|<b>"}, `❔ maybe\|\<b\>`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, VerdictCell(tt.v))
	}
}

func TestVerdictMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    *plan.Verdict
		want []string
	}{
		{"allowed", allowedVerdict(), []string{"**Policy: ✅ allowed** (risk low)\n\n"}},
		{"warn", warnVerdict(), []string{
			"**Policy: ⚠️ warn** (risk medium, from `.honua/policy.yaml`)\n\n" +
				"- ⚠️ **warn** — warnings\\[0\\] when changes \\> 20: large change\n\n",
		}},
		{"needs approval", approvalVerdict(), []string{
			"**Policy: 🔐 needs approval** (risk high, from `.honua/policy.yaml`)\n\n" +
				"- 🔐 **needs approval** — approvals\\[0\\] when deletes \\> 0: 2 approvals from team\\:riverton/gis-leads, user\\:alice\n\n",
		}},
		{"blocked", blockedVerdict(), []string{
			"- ⛔ **blocked** — windows: outside every deployment window \\(Mon–Fri 09\\:00–17\\:00 America/Chicago\\); next opens 2026-12-07T09\\:00\\:00-06\\:00\n",
		}},
		{"several", severalVerdict(), []string{
			"**Policy: ⛔ blocked** (risk high, from `.honua/policy.yaml`)\n\n- ⛔ **blocked** — blackouts",
			"\n- 🔐 **needs approval** — approvals\\[1\\] when deletes \\> 0: deletes need review; 1 approval from anyone with write access\n",
			`- ⚠️ **warn** — warnings\[0\] when changes \> 20: a \| b \<img src=x\> \@alice\\u000a\# heading \\u001b\[31mred` + "\n\n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := withVerdict(stagingPlan(), tt.v)
			out := renderMarkdown(t, []*plan.Plan{p}, 0)
			containsAll(t, out, tt.want...)
			containsAll(t, out, "| Policy |\n", " | "+VerdictCell(tt.v)+" |\n")
			assertNoRawMarkup(t, out)
			// The block follows the summary, before the details.
			assert.Less(t, strings.Index(out, "Compared with"), strings.Index(out, "**Policy: "))
			assert.Less(t, strings.Index(out, "**Policy: "), strings.Index(out, "<details>"))
		})
	}
}

// A table cell's '|' cannot add a column, even in a decision.
func TestVerdictMarkdownTableCell(t *testing.T) {
	t.Parallel()
	p := withVerdict(stagingPlan(), &plan.Verdict{Decision: "a|b<img src=x>"})
	out := renderMarkdown(t, []*plan.Plan{p}, 0)
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| staging |") {
			assert.Equal(t, 9, strings.Count(l, "|")-strings.Count(l, `\|`), l)
		}
	}
	assertNoRawMarkup(t, out)
}

// Without any verdict the table has no Policy column and no section a
// Policy block; with one, plans without a verdict show "—".
func TestVerdictMarkdownColumnOnlyWithVerdicts(t *testing.T) {
	t.Parallel()
	out := renderMarkdown(t, []*plan.Plan{stagingPlan(), noChangesPlan()}, 0)
	assert.NotContains(t, out, "Policy")

	out = renderMarkdown(t, []*plan.Plan{withVerdict(stagingPlan(), warnVerdict()), noChangesPlan()}, 0)
	containsAll(t, out,
		"| Environment | Create | Update | Delete | Unchanged | Highest risk | Drift | Policy |\n| --- | ---: | ---: | ---: | ---: | --- | --- | --- |\n",
		"| production | 0 | 0 | 0 | 5 | — | none | — |\n")
	assert.Equal(t, 1, strings.Count(out, "**Policy: "))
}

// The verdict is in the section's head: a capped document keeps it when
// details are left out.
func TestVerdictMarkdownSurvivesCap(t *testing.T) {
	t.Parallel()
	plans := []*plan.Plan{withVerdict(bigPlan("production", 40), severalVerdict()), withVerdict(bigPlan("staging", 40), approvalVerdict())}
	full := renderMarkdown(t, plans, 0)
	capped := renderMarkdown(t, plans, len(full)/10)
	require.Less(t, len(capped), len(full))
	assert.Contains(t, capped, "_Details of ")
	assert.Equal(t, 2, strings.Count(capped, "**Policy: "))
	assert.Contains(t, capped, "- 🔐 **needs approval** — approvals\\[0\\] when deletes")
	sections := MarkdownSections(plans, 3)
	for i, s := range sections {
		assert.NotEmpty(t, s.Policy)
		assert.Equal(t, PolicyMarkdown(plans[i]), s.Policy)
		assert.Contains(t, s.Head(), s.Policy)
	}
	assert.Empty(t, PolicyMarkdown(stagingPlan()))
}

// The verdict is in the JSON as the plan's "verdict" object.
func TestVerdictJSON(t *testing.T) {
	t.Parallel()
	out := renderJSONString(t, []*plan.Plan{withVerdict(stagingPlan(), blockedVerdict())})
	containsAll(t, out, `"verdict": {`, `"decision": "blocked"`, `"nextOpen": "2026-12-07T09:00:00-06:00"`, `"evaluatedAt": "2026-12-04T21:00:00Z"`)
	assert.NotContains(t, renderJSONString(t, []*plan.Plan{stagingPlan()}), `"verdict"`)
}

func renderJSONString(t *testing.T, plans []*plan.Plan) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, JSON(&buf, plans))
	return buf.String()
}

// assertNoRawMarkup fails when a hostile message's markup is live in out:
// an unescaped tag, an ESC, a heading started by a newline.
func assertNoRawMarkup(t *testing.T, out string) {
	t.Helper()
	assert.NotRegexp(t, `(^|[^\\])<img`, out)
	containsNone(t, out, "\x1b", "\n# heading")
}
