package ledger_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/ledger"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

const stateRef = "honua-gitops/state"

// lastCommit returns the state branch tip's message and the files it changed.
func lastCommit(t *testing.T, f *fixture) (message string, files []string) {
	t.Helper()
	message = gittest.Git(t, f.dir, "log", "-1", "--format=%B", stateRef)
	files = strings.Fields(gittest.Git(t, f.dir, "show", "--name-only", "--format=", stateRef))
	return message, files
}

// applied claims and records d as succeeded with res.
func applied(t *testing.T, l *ledger.Ledger, d *deploy.Deployment, res ledger.Result) {
	t.Helper()
	_, err := l.Claim(context.Background(), d, ledger.ClaimPolicy{}, proceed)
	require.NoError(t, err)
	require.NoError(t, d.Advance(deploy.Succeeded, t0, "done"))
	_, err = l.Record(context.Background(), d, res)
	require.NoError(t, err)
}

func holdBy(rollback, rolledBack string) *deploy.Hold {
	return &deploy.Hold{Deployment: rollback, RolledBack: rolledBack, Actor: "ana", Reason: "bad release", At: t0}
}

func TestRecordSetsTheHoldInTheSameCommit(t *testing.T) {
	f := newFixture(t)
	l := f.ledger()
	d := newDeployment(t, "20261201T120000000Z-aaaaaa", t0)
	d.Kind = deploy.KindRollback
	applied(t, l, d, ledger.Result{Snapshot: []*resource.Resource{layer("a")}, WriteSnapshot: true, Hold: holdBy(d.ID, "20261201T110000000Z-bbbbbb")})

	msg, files := lastCommit(t, f)
	assert.Contains(t, msg, "Honua-Hold: set")
	assert.Contains(t, files, deploy.HoldPath("staging"))
	assert.Contains(t, files, deploy.RecordPath("staging", d.ID), "one commit: the record and the hold")
	pos, err := l.Position(context.Background(), "staging")
	require.NoError(t, err)
	require.NotNil(t, pos.Hold)
	assert.Equal(t, d.ID, pos.Hold.Deployment)
	assert.Equal(t, "20261201T110000000Z-bbbbbb", pos.Hold.RolledBack)
	assert.Equal(t, "staging", pos.Hold.Environment)
	assert.Equal(t, deploy.FormatVersion, pos.Hold.FormatVersion)
}

func TestReleaseHold(t *testing.T) {
	f := newFixture(t)
	l := f.ledger()
	_, _, err := l.ReleaseHold(context.Background(), "staging", "bo", "")
	require.ErrorIs(t, err, ledger.ErrNoHold, "nothing held yet")

	d := newDeployment(t, "20261201T120000000Z-aaaaaa", t0)
	applied(t, l, d, ledger.Result{Hold: holdBy(d.ID, "")})
	commit, h, err := l.ReleaseHold(context.Background(), "staging", "bo", "fixed forward")
	require.NoError(t, err)
	assert.NotEmpty(t, commit)
	assert.Equal(t, d.ID, h.Deployment)
	msg, files := lastCommit(t, f)
	assert.True(t, strings.HasPrefix(msg, "staging: hold released\n"), msg)
	for _, want := range []string{"Honua-Environment: staging", "Honua-Hold: released", "Honua-Actor: bo", "fixed forward"} {
		assert.Contains(t, msg, want)
	}
	assert.Equal(t, []string{deploy.HoldPath("staging")}, files)
	pos, err := l.Position(context.Background(), "staging")
	require.NoError(t, err)
	assert.Nil(t, pos.Hold)
	_, _, err = l.ReleaseHold(context.Background(), "staging", "bo", "")
	require.ErrorIs(t, err, ledger.ErrNoHold)
}

// racing commits another deployment before the first commit it is asked
// for, so that commit finds the branch moved.
type racing struct {
	*statebranch.Store
	before func()
}

func (r *racing) Commit(ctx context.Context, base *statebranch.View, c statebranch.Commit) (plumbing.Hash, error) {
	if fn := r.before; fn != nil {
		r.before = nil
		fn()
	}
	return r.Store.Commit(ctx, base, c)
}

func TestReleaseHoldRetriesOnAMovedBranch(t *testing.T) {
	f := newFixture(t)
	l := f.ledger()
	d := newDeployment(t, "20261201T120000000Z-aaaaaa", t0)
	applied(t, l, d, ledger.Result{Hold: holdBy(d.ID, "")})
	other := newDeployment(t, "20261201T120100000Z-cccccc", t0)
	other.Environment = "production"
	br := &racing{Store: f.store, before: func() { applied(t, l, other, ledger.Result{}) }}
	retries := 0
	rl := ledger.New(br, ledger.Options{Now: func() time.Time { return t0 }, Sleep: func(context.Context, time.Duration) error { retries++; return nil }})
	_, _, err := rl.ReleaseHold(context.Background(), "staging", "bo", "")
	require.NoError(t, err)
	assert.Equal(t, 1, retries, "the first commit lost the race")
	pos, err := l.Position(context.Background(), "staging")
	require.NoError(t, err)
	assert.Nil(t, pos.Hold)
	prod, err := l.Position(context.Background(), "production")
	require.NoError(t, err)
	assert.Equal(t, other.ID, prod.Index.Deployed.ID, "the racing commit is kept")
}

// awaitingDeployment is d moved to awaiting-approval of a plan that needs
// n approvals.
func awaitingDeployment(t *testing.T, id, hash string, n int) *deploy.Deployment {
	t.Helper()
	d := newDeployment(t, id, t0)
	d.Plan.Hash = hash
	d.Verdict = &plan.Verdict{Decision: plan.NeedsApproval, Rules: []plan.RuleVerdict{{Decision: plan.NeedsApproval, Rule: "approvals[0]", Require: n}}}
	require.NoError(t, d.Advance(deploy.AwaitingApproval, t0, "awaiting approval"))
	return d
}

func TestAwaitingApprovalThenClaimContinuesTheSameDeployment(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	l := f.ledger()
	d := awaitingDeployment(t, "20261201T120000000Z-aaaaaa", "3b1f9c2a07de", 2)
	_, err := l.RecordAwaiting(ctx, d)
	require.NoError(t, err)
	pos, err := l.Position(ctx, "staging")
	require.NoError(t, err)
	assert.Nil(t, pos.Claim, "awaiting approval claims nothing")
	got, ok, err := pos.Awaiting()
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, d.ID, got.ID)

	_, _, err = l.Approve(ctx, "staging", d.ID, "ana")
	var refused *app.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Contains(t, err.Error(), "you requested deployment "+d.ID+"; someone else must approve it")

	rec, commit, err := l.Approve(ctx, "staging", d.ID, "bo")
	require.NoError(t, err)
	assert.NotEmpty(t, commit)
	assert.Len(t, rec.Approvals, 1)
	msg, _ := lastCommit(t, f)
	assert.Contains(t, msg, "Honua-Approved-By: bo")
	_, commit, err = l.Approve(ctx, "staging", d.ID, "bo")
	require.NoError(t, err)
	assert.Empty(t, commit, "approving twice changes nothing")

	_, err = l.Claim(ctx, d.Clone(), ledger.ClaimPolicy{}, proceed)
	require.ErrorAs(t, err, &refused)
	assert.Contains(t, err.Error(), "has 1 of 2 approvals")

	_, _, err = l.Approve(ctx, "staging", d.ID, "cy")
	require.NoError(t, err)
	c, err := l.Claim(ctx, d, ledger.ClaimPolicy{}, proceed)
	require.NoError(t, err)
	require.NotNil(t, c)
	assert.Equal(t, deploy.Applying, d.Status)
	assert.Len(t, d.Approvals, 2, "the approvals on the branch are kept")
	pos, err = l.Position(ctx, "staging")
	require.NoError(t, err)
	assert.Equal(t, 1, pos.Index.Count, "the same deployment, not a second one")
	recent, err := pos.Recent()
	require.NoError(t, err)
	require.Len(t, recent, 1)
	assert.Equal(t, deploy.Applying, recent[0].Status)
	assert.Equal(t, d.ID, pos.Claim.Deployment)
	_, ok, err = pos.Awaiting()
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestANewPlanSupersedesAnAwaitingDeployment(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		next func(t *testing.T, l *ledger.Ledger) *deploy.Deployment
	}{
		{"another awaiting plan", func(t *testing.T, l *ledger.Ledger) *deploy.Deployment {
			d := awaitingDeployment(t, "20261201T120100000Z-bbbbbb", "bbbb", 1)
			_, err := l.RecordAwaiting(ctx, d)
			require.NoError(t, err)
			return d
		}},
		{"a claim of another plan", func(t *testing.T, l *ledger.Ledger) *deploy.Deployment {
			d := newDeployment(t, "20261201T120100000Z-bbbbbb", t0)
			d.Plan.Hash = "bbbb"
			_, err := l.Claim(ctx, d, ledger.ClaimPolicy{}, proceed)
			require.NoError(t, err)
			return d
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			l := f.ledger()
			old := awaitingDeployment(t, "20261201T120000000Z-aaaaaa", "aaaa", 1)
			_, err := l.RecordAwaiting(ctx, old)
			require.NoError(t, err)
			d := tt.next(t, l)
			_, files := lastCommit(t, f)
			assert.Contains(t, files, deploy.RecordPath("staging", old.ID), "closed in the same commit")
			pos, err := l.Position(ctx, "staging")
			require.NoError(t, err)
			rec, ok, err := pos.Record(old.ID)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, deploy.Refused, rec.Status)
			assert.Equal(t, "superseded by deployment "+d.ID+" (plan changed: earlier approvals no longer count)", rec.Transitions[len(rec.Transitions)-1].Message)
			assert.Equal(t, 2, pos.Index.Count)
			assert.Equal(t, d.ID, pos.Index.Last.ID)
		})
	}
}

func TestRejectRefusesTheDeployment(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	l := f.ledger()
	d := awaitingDeployment(t, "20261201T120000000Z-aaaaaa", "aaaa", 1)
	_, err := l.RecordAwaiting(ctx, d)
	require.NoError(t, err)
	rec, _, err := l.Reject(ctx, "staging", d.ID, "bo", "too many deletes")
	require.NoError(t, err)
	assert.Equal(t, deploy.Refused, rec.Status)
	assert.Equal(t, "rejected by bo: too many deletes", rec.Transitions[len(rec.Transitions)-1].Message)
	msg, _ := lastCommit(t, f)
	assert.Contains(t, msg, "Honua-Rejected-By: bo")

	_, _, err = l.Approve(ctx, "staging", d.ID, "cy")
	var refused *app.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Contains(t, err.Error(), "is refused, not awaiting approval")
	_, err = l.Claim(ctx, d, ledger.ClaimPolicy{}, proceed)
	require.ErrorAs(t, err, &refused, "a rejected deployment cannot be claimed")
	_, _, err = l.Approve(ctx, "staging", "20261201T120000000Z-ffffff", "cy")
	var input *app.InputError
	require.ErrorAs(t, err, &input)
}

func TestPolicyOverrideTrailersOnIntentAndResult(t *testing.T) {
	f := newFixture(t)
	l := f.ledger()
	d := newDeployment(t, "20261201T120000000Z-aaaaaa", t0)
	d.PolicyOverride = &deploy.Override{Reason: "hotfix for outage", Actor: "ana", Rules: []string{"windows", "blackouts[0] year-end freeze"}}
	applied(t, l, d, ledger.Result{})
	log := gittest.Git(t, f.dir, "log", "-2", "--format=%B%x00", stateRef)
	msgs := strings.Split(strings.TrimSpace(log), "\x00")
	require.Len(t, msgs[:2], 2)
	for i, m := range msgs[:2] {
		assert.Contains(t, m, "Honua-Policy-Override: hotfix for outage", "commit %d", i)
		assert.Contains(t, m, "Honua-Policy-Overrode: windows, blackouts[0] year-end freeze", "commit %d", i)
	}
	assert.Contains(t, msgs[1], "(intent)")
}
