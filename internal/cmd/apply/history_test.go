package apply_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

var deploymentIDRe = regexp.MustCompile(`Deployment (\d{8}T\d{9}Z-[0-9a-f]{6}) `)

// applyOK runs apply and returns the deployment id it recorded.
func applyOK(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := cmdtest.Run(t, env, append([]string{"apply", "--env", "staging", "--dir", dir}, args...)...)
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
	m := deploymentIDRe.FindStringSubmatch(r.Stdout)
	require.NotNil(t, m, r.Stdout)
	return m[1]
}

func editAndCommit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Contains(t, string(data), old)
	require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
	git(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "edit "+rel)
}

func liveTitle(t *testing.T, url string) any {
	c, err := honua.New(honua.Config{BaseURL: url, Credential: key})
	require.NoError(t, err)
	o, err := c.GetResource(context.Background(), resource.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"})
	require.NoError(t, err)
	return o.Resource.Spec["title"]
}

// Each deployment is two commits (intent, result) with the trailers, and
// its record tells the whole story.
func TestDeploymentsAreRecordedWithTrailersAndTimeline(t *testing.T) {
	dir, url := setup(t)
	first := applyOK(t, dir, "--target", url, "--actor", "ana", "--reason", "initial load", "--pr", "7")
	editAndCommit(t, dir, "environments/common/layers/planning.yaml", "  title: Parcels\n", "  title: Tax Parcels\n")
	second := applyOK(t, dir, "--target", url, "--actor", "ben")

	log := git(t, dir, "log", "--format=%s%n%(trailers:only,unfold)%n--", "honua-gitops/state")
	var commits []string
	for _, c := range strings.Split(log, "\n--") {
		if strings.TrimSpace(c) != "" {
			commits = append(commits, c)
		}
	}
	require.Len(t, commits, 4, log)
	assert.Contains(t, commits[0], "staging: apply "+second+" succeeded")
	assert.Contains(t, commits[1], "staging: apply "+second+" (intent)")
	for _, c := range commits {
		for _, k := range []string{"Honua-Environment: staging", "Honua-Deployment: ", "Honua-Kind: apply", "Honua-Source-Commit: ", "Honua-Plan-Hash: ", "Honua-Actor: ", "Honua-Result: "} {
			assert.Contains(t, c, k)
		}
	}
	assert.Contains(t, commits[3], "Honua-PR: 7")
	assert.Contains(t, commits[2], "Honua-Result: succeeded")
	assert.Contains(t, commits[3], "Honua-Result: applying")

	r := cmdtest.Run(t, nil, "deployment", first, "--dir", dir)
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	for _, want := range []string{"apply of staging, SUCCEEDED", "actor:        ana", "reason:       initial load", "PR #7",
		"pending", "planning", "applying", "verifying", "succeeded", "applied  create  Layer/planning/parcels"} {
		assert.Contains(t, r.Stdout, want)
	}
	assert.NotContains(t, r.Stdout, "awaiting-approval", "a state that does not occur is skipped, not faked")

	md := cmdtest.Run(t, nil, "deployment", first, "--dir", dir, "--format", "markdown")
	require.Equal(t, app.ExitOK, md.Code, md.Stderr)
	assert.Contains(t, md.Stdout, "| ✅ applied | create | `Layer/planning/parcels` |", "the journal as the PR comment shows it")

	j := cmdtest.Run(t, nil, "deployments", "--dir", dir, "--env", "staging", "--format", "json")
	require.Equal(t, app.ExitOK, j.Code, j.Stderr)
	var doc struct {
		Environments []struct {
			Total       int              `json:"total"`
			Deployments []deploy.Summary `json:"deployments"`
		} `json:"environments"`
	}
	require.NoError(t, json.Unmarshal([]byte(j.Stdout), &doc))
	lists := doc.Environments
	require.Len(t, lists[0].Deployments, 2)
	assert.Equal(t, []string{second, first}, []string{lists[0].Deployments[0].ID, lists[0].Deployments[1].ID}, "newest first")

	bad := cmdtest.Run(t, nil, "deployment", "not-an-id", "--dir", dir)
	assert.Equal(t, app.ExitInvalid, bad.Code)
	assert.Contains(t, bad.Stderr, "is not a deployment id")
}

func TestRollbackReturnsToTheFirstAppliedState(t *testing.T) {
	dir, url := setup(t)
	first := applyOK(t, dir, "--target", url)
	editAndCommit(t, dir, "environments/common/layers/planning.yaml", "  title: Parcels\n", "  title: Tax Parcels\n")
	applyOK(t, dir, "--target", url)
	require.Equal(t, "Tax Parcels", liveTitle(t, url))

	dry := cmdtest.Run(t, env, "rollback", "--env", "staging", "--steps", "1", "--dir", dir, "--target", url, "--dry-run")
	require.Equal(t, app.ExitOK, dry.Code, dry.Stdout+dry.Stderr)
	assert.Contains(t, dry.Stdout, "~ Layer/planning/parcels (update")
	assert.Equal(t, "Tax Parcels", liveTitle(t, url), "a dry run changes nothing")

	r := cmdtest.Run(t, env, "rollback", "--env", "staging", "--steps", "1", "--dir", dir, "--target", url)
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
	assert.Contains(t, r.Stderr, "Rolling staging back to deployment "+first)
	assert.Equal(t, "Parcels", liveTitle(t, url), "the emulator is back to the first applied state")

	st := cmdtest.Run(t, nil, "status", "--dir", dir, "--env", "staging", "--format", "json")
	require.Equal(t, app.ExitOK, st.Code, st.Stderr)
	var doc2 struct {
		Environments []struct {
			Deployed struct {
				Kind       string `json:"kind"`
				RollbackTo string `json:"rollbackTo"`
			} `json:"deployed"`
			Ahead int `json:"ahead"`
		} `json:"environments"`
	}
	require.NoError(t, json.Unmarshal([]byte(st.Stdout), &doc2))
	statuses := doc2.Environments
	assert.Equal(t, "rollback", statuses[0].Deployed.Kind)
	assert.Equal(t, first, statuses[0].Deployed.RollbackTo)
	assert.Equal(t, 1, statuses[0].Ahead, "the default branch is one commit past what runs now")

	p := cmdtest.Run(t, nil, "plan", "--env", "staging", "--dir", dir)
	assert.Contains(t, p.Stdout, "staging was rolled back to deployment "+first)
	assert.Contains(t, p.Stdout, "applying this plan re-applies what was rolled back")

	again := cmdtest.Run(t, env, "rollback", "--env", "staging", "--to", first, "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitOK, again.Code, again.Stderr)
	assert.Contains(t, again.Stdout, "Nothing to deploy")
}

func TestStaleClaimIsReportedAndCanBeTakenOver(t *testing.T) {
	dir, url := setup(t)
	applyOK(t, dir, "--target", url)
	// A run that died holding the environment: write its claim by hand.
	claim, err := deploy.Encode(deploy.Claim{FormatVersion: 1, Deployment: "20200101T000000000Z-dead00", Actor: "ci",
		// cmdtest's clock says 2026-11-29 12:00 UTC.
		ClaimedAt: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2026, 11, 29, 10, 30, 0, 0, time.UTC)})
	require.NoError(t, err)
	work := t.TempDir()
	git(t, dir, "worktree", "add", "-q", work, "honua-gitops/state")
	require.NoError(t, os.WriteFile(filepath.Join(work, "staging", "claim.json"), claim, 0o644))
	git(t, work, "add", "-A")
	git(t, work, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "stale claim")
	git(t, dir, "worktree", "remove", "--force", work)

	editAndCommit(t, dir, "environments/staging/services.yaml", "5000", "6000")
	r := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitRefused, r.Code, r.Stdout+r.Stderr)
	assert.Contains(t, r.Stderr, "claimed by deployment 20200101T000000000Z-dead00 (ci)")
	assert.Contains(t, r.Stderr, "`--take-over-stale-claim`")

	id := applyOK(t, dir, "--target", url, "--take-over-stale-claim")
	d := cmdtest.Run(t, nil, "deployment", id, "--dir", dir)
	assert.Contains(t, d.Stdout, "took over the stale claim of deployment 20200101T000000000Z-dead00")
	_, err = gitShow(dir, "honua-gitops/state:staging/claim.json")
	assert.Error(t, err, "the claim is released")
}

func gitShow(dir, spec string) (string, error) {
	cmd := execCommand("git", "show", spec)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}
