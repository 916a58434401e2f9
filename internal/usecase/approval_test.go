package usecase_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/ledger"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

var guardT0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func guardNow() time.Time { return guardT0 }

// guardBranch is an empty state branch in a new repository.
func guardBranch(t *testing.T) *statebranch.Store {
	t.Helper()
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	gittest.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "init")
	s, err := statebranch.Open(statebranch.Options{RepoDir: dir})
	require.NoError(t, err)
	return s
}

// requestApproval records a production deployment by ana awaiting n
// approvals.
func requestApproval(t *testing.T, s *statebranch.Store, n int) *deploy.Deployment {
	t.Helper()
	d := deploy.New("20261201T120000000Z-aaaaaa", "production", deploy.KindApply, guardT0)
	d.Actor = "ana"
	d.Plan.Hash = "3b1f9c2a07de55aa"
	d.Verdict = &plan.Verdict{Decision: plan.NeedsApproval, Rules: []plan.RuleVerdict{{Decision: plan.NeedsApproval, Rule: "approvals[0]", Require: n}}}
	require.NoError(t, d.Advance(deploy.Planning, guardT0, "planning"))
	require.NoError(t, d.Advance(deploy.AwaitingApproval, guardT0, "awaiting approval"))
	_, err := ledger.New(s, ledger.Options{Now: guardNow}).RecordAwaiting(context.Background(), d)
	require.NoError(t, err)
	return d
}

func TestApproveDeploymentSaysWhatIsLeft(t *testing.T) {
	ctx := context.Background()
	s := guardBranch(t)
	d := requestApproval(t, s, 2)
	steps := []struct {
		actor, want string
	}{
		{"bo", "Approved deployment " + d.ID + " of production: 1 of 2 approvals; it needs 1 more from someone other than ana, bo (`honua-gitops deployment approve " + d.ID + " --env production`)."},
		{"bo", "You (bo) had already approved deployment " + d.ID + " of production: 1 of 2 approvals"},
		{"cy", "Approved deployment " + d.ID + " of production: 2 of 2 approvals; run `honua-gitops apply --env production` to apply it (plan 3b1f9c2a07de)."},
	}
	for _, st := range steps {
		r, err := usecase.ApproveDeployment(ctx, s, "honua-gitops/state", "production", d.ID, st.actor, guardNow)
		require.NoError(t, err)
		assert.Contains(t, r.Message, st.want)
	}
	g, err := usecase.ReadGuards(ctx, s, []string{"production", "staging"})
	require.NoError(t, err)
	require.NotNil(t, g["production"].Awaiting)
	assert.Equal(t, usecase.Awaiting{ID: d.ID, Actor: "ana", PlanHash: d.Plan.Hash, Approvals: 2, Required: 2, ApprovedBy: []string{"bo", "cy"}, RequestedAt: guardT0}, *g["production"].Awaiting)
	assert.Nil(t, g["staging"].Awaiting)
}

func TestRejectDeployment(t *testing.T) {
	ctx := context.Background()
	s := guardBranch(t)
	d := requestApproval(t, s, 1)
	_, err := usecase.ApproveDeployment(ctx, s, "", "production", d.ID, "ana", guardNow)
	var refused *app.RefusedError
	require.ErrorAs(t, err, &refused, "no self-approval")
	r, err := usecase.RejectDeployment(ctx, s, "", "production", d.ID, "bo", "too many deletes", guardNow)
	require.NoError(t, err)
	assert.Equal(t, deploy.Refused, r.Deployment.Status)
	assert.Contains(t, r.Message, "Rejected deployment "+d.ID+" of production")
	g, err := usecase.ReadGuards(ctx, s, []string{"production"})
	require.NoError(t, err)
	assert.Nil(t, g["production"].Awaiting)
}
