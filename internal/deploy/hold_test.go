package deploy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/plan"
)

func TestCloneCopiesGuardRails(t *testing.T) {
	d := deploy.New("20261129T064512345Z-3fa9c2", "production", deploy.KindApply, t0)
	d.Verdict = &plan.Verdict{Decision: plan.NeedsApproval, Rules: []plan.RuleVerdict{{Decision: plan.NeedsApproval, Rule: "approvals[0]", Require: 2, From: []string{"user:ana"}}}}
	d.PolicyOverride = &deploy.Override{Reason: "hotfix", Actor: "ana", Rules: []string{"windows"}}
	d.Approvals = []deploy.Approval{{By: "bo", At: t0}}
	c := d.Clone()
	c.Verdict.Rules[0].Require = 1
	c.Verdict.Rules[0].From[0] = "user:eve"
	c.Verdict.Decision = plan.Allowed
	c.PolicyOverride.Rules[0] = "hold"
	c.PolicyOverride.Reason = "x"
	c.Approvals[0].By = "eve"
	assert.Equal(t, 2, d.Verdict.Rules[0].Require)
	assert.Equal(t, "user:ana", d.Verdict.Rules[0].From[0])
	assert.Equal(t, plan.NeedsApproval, d.Verdict.Decision)
	assert.Equal(t, []string{"windows"}, d.PolicyOverride.Rules)
	assert.Equal(t, "hotfix", d.PolicyOverride.Reason)
	assert.Equal(t, "bo", d.Approvals[0].By)
}

func TestApprovalsRequired(t *testing.T) {
	rule := func(n int) plan.RuleVerdict { return plan.RuleVerdict{Decision: plan.NeedsApproval, Require: n} }
	tests := []struct {
		name    string
		verdict *plan.Verdict
		want    int
	}{
		{"no verdict", nil, 0},
		{"no approval rule", &plan.Verdict{Rules: []plan.RuleVerdict{{Decision: plan.Warn}}}, 0},
		{"a rule without a count asks for one", &plan.Verdict{Rules: []plan.RuleVerdict{rule(0)}}, 1},
		{"the most any rule asks", &plan.Verdict{Rules: []plan.RuleVerdict{rule(1), rule(3), rule(2)}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &deploy.Deployment{Verdict: tt.verdict}
			assert.Equal(t, tt.want, d.ApprovalsRequired())
		})
	}
}

func TestHoldConflictsWhenBothSidesChangeIt(t *testing.T) {
	_, err := deploy.MergeFile("production/hold.json", nil, []byte(`{"deployment":"a"}`), []byte(`{"deployment":"b"}`))
	require.ErrorIs(t, err, deploy.ErrMergeConflict)
	out, err := deploy.MergeFile("production/hold.json", []byte(`{}`), []byte(`{}`), nil)
	require.NoError(t, err)
	assert.Nil(t, out, "released remotely, unchanged locally: released")
}
