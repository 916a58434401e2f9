package action_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/gittest"
)

// deadRunID is the run that died holding staging's claim.
const deadRunID = 77

func TestDeadRunsClaimIsTakenOver(t *testing.T) {
	w := newWorld(t)
	mergeAndApply(t, w, 7, "maxRecordCount: 5000", "maxRecordCount: 6000")
	w.gh.SetRun(deadRunID, "completed", "cancelled")
	writeClaim(t, w, deploy.Claim{FormatVersion: 1, Deployment: "20261129T115900000Z-dead00", Actor: "bo",
		Repository: "acme/city-gis", RunID: deadRunID, RunURL: "https://github.com/acme/city-gis/actions/runs/77",
		// The world's clock: fresh, so only GitHub can tell that the run is gone.
		ClaimedAt: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2026, 11, 29, 12, 30, 0, 0, time.UTC)})

	head := planAndMerge(t, w, 8, "maxRecordCount: 6000", "maxRecordCount: 7000")
	start := time.Now()
	r := w.run("push", pushEvent(head), map[string]string{"environments": "staging"})
	require.Error(t, r.err, r.stdout)
	assert.Equal(t, app.ExitRefused, app.CodeFor(r.err))
	assert.Contains(t, r.err.Error(), "no longer in progress")
	assert.Contains(t, r.err.Error(), "take-over-stale-claim")
	assert.Less(t, time.Since(start), time.Minute, "a dead run is not waited for")
	assert.True(t, askedForRun(w.gh, deadRunID))

	r = w.run("push", pushEvent(head), map[string]string{"environments": "staging", "take-over-stale-claim": "true"})
	require.NoError(t, r.err, r.stdout)
	assert.Contains(t, r.outputs, "applied")
	_, err := readStateFile(t, w, deploy.ClaimPath("staging"))
	assert.Error(t, err, "the claim is released")
}

// mergeAndApply plans a change in pull request number, merges it and
// applies staging from the push.
func mergeAndApply(t *testing.T, w *world, number int, old, new string) {
	t.Helper()
	head := planAndMerge(t, w, number, old, new)
	r := w.run("push", pushEvent(head), map[string]string{"environments": "staging"})
	require.NoError(t, r.err, r.stdout)
}

// planAndMerge plans a change to staging in pull request number and merges
// it into main, returning the merge commit.
func planAndMerge(t *testing.T, w *world, number int, old, new string) string {
	t.Helper()
	head := w.commit("environments/staging/services.yaml", old, new)
	w.gh.AddPullRequest(fakegithub.PullRequest{Number: number, HeadSHA: head, Files: []string{"environments/staging/services.yaml"}})
	r := w.run("pull_request", prEvent(number, head), nil)
	require.NoError(t, r.err, r.stdout)
	gittest.Git(t, w.work, "push", "-q", w.remote.AuthURL(), "HEAD:refs/heads/main")
	w.gh.AssociateCommit(head, number)
	setMerged(t, w, number, head)
	return head
}

func pushEvent(head string) map[string]any {
	return map[string]any{"ref": "refs/heads/main", "after": head, "repository": map[string]any{"default_branch": "main"}}
}

// writeClaim commits claim for its environment (staging) to the remote's
// state branch by hand, as a run that died after claiming leaves it.
func writeClaim(t *testing.T, w *world, c deploy.Claim) {
	t.Helper()
	data, err := deploy.Encode(c)
	require.NoError(t, err)
	dir := t.TempDir()
	gittest.Git(t, dir, "clone", "-q", "--branch", config.DefaultStateBranch, w.remote.AuthURL(), ".")
	require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.FromSlash(deploy.ClaimPath("staging"))), data, 0o644))
	gittest.Git(t, dir, "add", "-A")
	gittest.Git(t, dir, "commit", "-qm", "claim by a run that died")
	gittest.Git(t, dir, "push", "-q", "origin", "HEAD:refs/heads/"+config.DefaultStateBranch)
}

// readStateFile reads rel at the tip of the remote's state branch.
func readStateFile(t *testing.T, w *world, rel string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	gittest.Git(t, dir, "clone", "-q", "--branch", config.DefaultStateBranch, w.remote.AuthURL(), ".")
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	return string(data), err
}

func askedForRun(gh *fakegithub.Server, id int64) bool {
	for _, r := range gh.Requests() {
		if strings.HasSuffix(r.Path, "/actions/runs/"+strconv.FormatInt(id, 10)) {
			return true
		}
	}
	return false
}
