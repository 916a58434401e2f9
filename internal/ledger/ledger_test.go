package ledger_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/ledger"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fixture is a ledger on a real local repository, with a fixed clock and
// a sleep that only counts.
type fixture struct {
	dir     string
	store   *statebranch.Store
	now     time.Time
	mu      sync.Mutex
	slept   time.Duration
	notices []string
	onSleep func()
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "init"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	s, err := statebranch.Open(statebranch.Options{RepoDir: dir})
	require.NoError(t, err)
	return &fixture{dir: dir, store: s, now: t0}
}

func (f *fixture) ledger() *ledger.Ledger {
	return ledger.New(f.store, ledger.Options{
		Now: func() time.Time { return f.now },
		Sleep: func(ctx context.Context, d time.Duration) error {
			f.mu.Lock()
			f.slept += d
			hook := f.onSleep
			f.mu.Unlock()
			if hook != nil {
				hook()
			}
			return ctx.Err()
		},
		Notice: func(m string) { f.notices = append(f.notices, m) },
	})
}

func newDeployment(t *testing.T, id string, at time.Time) *deploy.Deployment {
	d := deploy.New(id, "staging", deploy.KindApply, at)
	d.Actor = "ana"
	require.NoError(t, d.Advance(deploy.Planning, at, "planning"))
	return d
}

func proceed(*ledger.Position, bool) (string, error) { return "claimed", nil }

func layer(name string) *resource.Resource {
	return &resource.Resource{APIVersion: resource.APIVersion, Kind: "Layer", Metadata: resource.Metadata{Name: name, Namespace: "default"},
		Spec: map[string]any{"title": name}}
}

func TestClaimAndRecordReleaseTheEnvironment(t *testing.T) {
	f := newFixture(t)
	l := f.ledger()
	d := newDeployment(t, "20261201T120000000Z-aaaaaa", t0)
	c, err := l.Claim(context.Background(), d, ledger.ClaimPolicy{RunURL: "https://ci/run/1"}, proceed)
	require.NoError(t, err)
	require.NotNil(t, c)
	assert.Equal(t, deploy.Applying, d.Status)
	pos, err := l.Position(context.Background(), "staging")
	require.NoError(t, err)
	require.NotNil(t, pos.Claim)
	assert.Equal(t, d.ID, pos.Claim.Deployment)
	assert.Equal(t, "https://ci/run/1", pos.Claim.RunURL)

	require.NoError(t, d.Advance(deploy.Succeeded, t0, "done"))
	// The caller's context is gone (a second Ctrl-C): the result is still
	// committed and the claim released.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = l.Record(ctx, d, ledger.Result{Snapshot: []*resource.Resource{layer("a")}, WriteSnapshot: true})
	require.NoError(t, err)
	pos, err = l.Position(context.Background(), "staging")
	require.NoError(t, err)
	assert.Nil(t, pos.Claim)
	assert.Len(t, pos.Snapshot.Resources, 1)
	assert.Equal(t, d.ID, pos.Index.Deployed.ID)
}

func TestClaimWaits(t *testing.T) {
	holder := "20261201T115900000Z-bbbbbb"
	tests := []struct {
		name      string
		claimedAt time.Time
		policy    ledger.ClaimPolicy
		release   bool // the holder finishes while we wait
		stop      bool
		wantErr   string
		wantTook  bool
	}{
		{name: "a fresh claim is waited for, then refused", claimedAt: t0.Add(-time.Minute), policy: ledger.ClaimPolicy{Wait: 10 * time.Second},
			wantErr: "gave up waiting after 10s"},
		{name: "a claim released while waiting is taken", claimedAt: t0.Add(-time.Minute), policy: ledger.ClaimPolicy{Wait: time.Minute}, release: true},
		{name: "staleness is the claim's age against the reader's timeout", claimedAt: t0.Add(-2 * time.Second),
			policy: ledger.ClaimPolicy{Timeout: time.Second}, wantErr: "held for 2s, longer than the 1s claim timeout"},
		{name: "a stale claim is taken over when asked", claimedAt: t0.Add(-2 * time.Second),
			policy: ledger.ClaimPolicy{Timeout: time.Second, TakeOver: true}, wantTook: true},
		{name: "a dead run's claim is stale at once", claimedAt: t0.Add(-time.Second),
			policy: ledger.ClaimPolicy{TakeOver: true, RunAlive: func(context.Context, *deploy.Claim) (bool, bool) { return false, true }}, wantTook: true},
		{name: "a live run's claim is waited for", claimedAt: t0.Add(-time.Second),
			policy:  ledger.ClaimPolicy{Wait: 4 * time.Second, TakeOver: true, RunAlive: func(context.Context, *deploy.Claim) (bool, bool) { return true, true }},
			wantErr: "gave up waiting"},
		{name: "an interrupt ends the wait without claiming", claimedAt: t0.Add(-time.Minute), policy: ledger.ClaimPolicy{Wait: time.Hour}, stop: true,
			wantErr: "interrupted before the environment was claimed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			l := f.ledger()
			// The holder: a real deployment that claimed and is applying.
			h := newDeployment(t, holder, tt.claimedAt)
			h.RunURL = "https://ci/run/7"
			_, err := l.Claim(context.Background(), h, ledger.ClaimPolicy{RunURL: h.RunURL, RunID: 7}, proceed)
			require.NoError(t, err)
			// Claims are stamped with the ledger's clock: move it back.
			rewriteClaimedAt(t, f, tt.claimedAt)

			stop := make(chan struct{})
			tt.policy.Stop = stop
			polls := 0
			f.onSleep = func() {
				polls++
				if polls == 3 && tt.release {
					require.NoError(t, h.Advance(deploy.Succeeded, t0, "done"))
					_, err := l.Record(context.Background(), h, ledger.Result{})
					require.NoError(t, err)
				}
				if polls == 2 && tt.stop {
					close(stop)
				}
			}
			d := newDeployment(t, "20261201T120000000Z-cccccc", t0)
			c, err := l.Claim(context.Background(), d, tt.policy, proceed)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				pos, perr := l.Position(context.Background(), "staging")
				require.NoError(t, perr)
				assert.Equal(t, holder, pos.Claim.Deployment, "the holder keeps the claim")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, deploy.Applying, d.Status)
			if tt.wantTook {
				assert.Equal(t, holder, c.TookOver)
				pos, err := l.Position(context.Background(), "staging")
				require.NoError(t, err)
				dead, ok, err := pos.Record(holder)
				require.NoError(t, err)
				require.True(t, ok)
				assert.Equal(t, deploy.Abandoned, dead.Status, "the dead deployment's record is closed")
				assert.Contains(t, dead.Transitions[len(dead.Transitions)-1].Message, "deployment "+d.ID+" by ana took the environment over")
			}
		})
	}
}

func TestWaitingReportsWhoHoldsTheClaimAndSpendsNoRetries(t *testing.T) {
	f := newFixture(t)
	l := f.ledger()
	h := newDeployment(t, "20261201T115900000Z-bbbbbb", t0)
	_, err := l.Claim(context.Background(), h, ledger.ClaimPolicy{RunURL: "https://ci/run/7"}, proceed)
	require.NoError(t, err)
	d := newDeployment(t, "20261201T120000000Z-cccccc", t0)
	// 60 polls of 2s: far more than the compare-and-swap budget (12).
	_, err = l.Claim(context.Background(), d, ledger.ClaimPolicy{Wait: 2 * time.Minute}, proceed)
	var refused *app.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, 2*time.Minute, f.slept)
	require.NotEmpty(t, f.notices)
	assert.Contains(t, f.notices[0], "waiting for staging: deployment 20261201T115900000Z-bbbbbb by ana holds it since 2026-12-01T12:00:00Z, run https://ci/run/7")
	assert.Len(t, f.notices, 20, "a notice every 5s of waiting, at 2s polls: every third poll")
}

func TestDecideRefusalRecordsNothing(t *testing.T) {
	f := newFixture(t)
	l := f.ledger()
	d := newDeployment(t, "20261201T120000000Z-cccccc", t0)
	boom := errors.New("plan changed")
	_, err := l.Claim(context.Background(), d, ledger.ClaimPolicy{}, func(*ledger.Position, bool) (string, error) { return "", boom })
	require.ErrorIs(t, err, boom)
	pos, err := l.Position(context.Background(), "staging")
	require.NoError(t, err)
	assert.Nil(t, pos.Claim)
	assert.Equal(t, 0, pos.Index.Count)
}

func TestFinish(t *testing.T) {
	tests := []struct {
		name        string
		interrupted bool
		err         error
		want        deploy.Status
		message     string
	}{
		{"success", false, nil, deploy.Succeeded, "writes applied and verified"},
		{"failure", false, errors.New("boom"), deploy.Failed, "0 writes applied, 0 failed: boom"},
		{"interrupted wins", true, errors.New("boom"), deploy.Interrupted, "interrupted: 0 writes landed and are recorded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDeployment(t, "20261201T120000000Z-cccccc", t0)
			require.NoError(t, d.Advance(deploy.Applying, t0, "claimed"))
			ledger.Finish(d, t0, nil, tt.interrupted, true, tt.err)
			assert.Equal(t, tt.want, d.Status)
			assert.True(t, strings.Contains(d.Transitions[len(d.Transitions)-1].Message, tt.message), d.Transitions)
		})
	}
}

// rewriteClaimedAt moves the environment's claim back in time, as if it
// had been taken earlier.
func rewriteClaimedAt(t *testing.T, f *fixture, at time.Time) {
	t.Helper()
	ctx := context.Background()
	view, err := f.store.Read(ctx)
	require.NoError(t, err)
	c, err := deploy.ReadClaim(view, "staging")
	require.NoError(t, err)
	c.ClaimedAt = at
	data, err := deploy.Encode(c)
	require.NoError(t, err)
	_, err = f.store.Commit(ctx, view, statebranch.Commit{Subject: "move claim", Changes: []statebranch.Change{{Path: deploy.ClaimPath("staging"), Data: data}}})
	require.NoError(t, err)
}

// Issue 9 item 4: what the ledger commits passes the redactor — records,
// index, claim and commit messages — so a server error that echoes a
// resolved secret never reaches git history.
func TestCommittedTextIsRedacted(t *testing.T) {
	const leaked = "s3cret-echoed-by-the-server"
	f := newFixture(t)
	l := ledger.New(f.store, ledger.Options{Now: func() time.Time { return t0 },
		Redact: func(b []byte) []byte { return []byte(strings.ReplaceAll(string(b), leaked, "***")) }})
	d := newDeployment(t, "20261201T120000000Z-aaaaaa", t0)
	d.Reason = "retry after " + leaked
	_, err := l.Claim(context.Background(), d, ledger.ClaimPolicy{}, func(*ledger.Position, bool) (string, error) { return "claimed; " + leaked, nil })
	require.NoError(t, err)
	require.NoError(t, d.Advance(deploy.Failed, t0, "400 Bad Request: password "+leaked+" rejected"))
	_, err = l.Record(context.Background(), d, ledger.Result{Snapshot: []*resource.Resource{layer("a")}, WriteSnapshot: true})
	require.NoError(t, err)

	cmd := exec.Command("git", "log", "-p", "--format=%B", "honua-gitops/state")
	cmd.Dir = f.dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	assert.NotContains(t, string(out), leaked)
	assert.Contains(t, string(out), "password *** rejected")
	pos, err := l.Position(context.Background(), "staging")
	require.NoError(t, err)
	assert.Equal(t, pos.SnapshotBlob, pos.Index.Last.Snapshot, "the record names the blob on the branch")
}

// A record keeps the observed resources recorded before it (an apply knows
// nothing of them), less those it now owns; ReplaceObserved sets them.
func TestRecordKeepsObservedResourcesUntilOwned(t *testing.T) {
	f := newFixture(t)
	l := f.ledger()
	record := func(id string, res ledger.Result) {
		t.Helper()
		d := newDeployment(t, id, t0)
		c, err := l.Claim(context.Background(), d, ledger.ClaimPolicy{}, proceed)
		require.NoError(t, err)
		require.NotNil(t, c)
		require.NoError(t, d.Advance(deploy.Succeeded, t0, "done"))
		_, err = l.Record(context.Background(), d, res)
		require.NoError(t, err)
	}
	names := func(rs []*resource.Resource) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Metadata.Name)
		}
		return out
	}
	record("20261201T120000000Z-aaaaaa", ledger.Result{WriteSnapshot: true, Observed: []*resource.Resource{layer("b"), layer("c")}, ReplaceObserved: true})
	record("20261201T120100000Z-bbbbbb", ledger.Result{WriteSnapshot: true, Snapshot: []*resource.Resource{layer("a"), layer("b")}})
	pos, err := l.Position(context.Background(), "staging")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, names(pos.Snapshot.Resources))
	assert.Equal(t, []string{"c"}, names(pos.Snapshot.Observed), "b is owned now; c is still observed")
}
