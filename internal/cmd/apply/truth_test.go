package apply_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// stateTip is the state branch's commit ("" before it exists).
func stateTip(t *testing.T, dir string) string {
	t.Helper()
	out, err := gitShow(dir, "honua-gitops/state")
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(out, "\n")
	return first
}

// deployments lists the environment's deployments, newest first.
func deployments(t *testing.T, dir, env string) []deploy.Summary {
	t.Helper()
	j := cmdtest.Run(t, nil, "deployments", "--dir", dir, "--env", env, "--format", "json")
	require.Equal(t, app.ExitOK, j.Code, j.Stderr)
	var doc struct {
		Environments []struct {
			Deployments []deploy.Summary `json:"deployments"`
		} `json:"environments"`
	}
	require.NoError(t, json.Unmarshal([]byte(j.Stdout), &doc))
	return doc.Environments[0].Deployments
}

// Item 8 and 13: a typo in a key, a port, a path or a scheme is found by
// the preflight, before anything is claimed or recorded — also when there
// is nothing to deploy.
func TestPreflightFailuresRecordNothing(t *testing.T) {
	dir, url := setup(t)
	applyOK(t, dir, "--target", url)
	tests := []struct {
		name   string
		env    map[string]string
		target string
		want   string
	}{
		{"wrong key", map[string]string{"HONUA_API_KEY": "wrong-key-123"}, url, "401"},
		{"dead port", env, "http://127.0.0.1:1", "unreachable"},
		{"wrong path", env, url + "/not-honua", "preflight of target"},
		{"wrong scheme", env, strings.Replace(url, "http://", "https://", 1), "preflight of target"},
	}
	for _, phase := range []string{"nothing to deploy", "a change to deploy"} {
		if phase == "a change to deploy" {
			editAndCommit(t, dir, "environments/staging/services.yaml", "5000", "6000")
		}
		tip := stateTip(t, dir)
		for _, tt := range tests {
			t.Run(phase+"/"+tt.name, func(t *testing.T) {
				r := cmdtest.Run(t, tt.env, "apply", "--env", "staging", "--dir", dir, "--target", tt.target)
				assert.Equal(t, app.ExitFailure, r.Code, r.Stdout+r.Stderr)
				assert.Contains(t, r.Stdout+r.Stderr, tt.want)
				assert.Contains(t, r.Stderr, "nothing was claimed or recorded")
				assert.NotContains(t, r.Stdout+r.Stderr, "Nothing to deploy")
				assert.NotContains(t, r.Stdout+r.Stderr, "wrong-key-123")
				assert.NotContains(t, r.Stdout+r.Stderr, "journal")
				assert.Equal(t, tip, stateTip(t, dir), "no intent, no record")
			})
		}
	}
}

// setTitle edits the parcels layer's title on the server, as a person in
// the admin UI would.
func setTitle(t *testing.T, url, title string) {
	t.Helper()
	cmdtest.EditOnServer(t, url, key, resource.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"}, func(s map[string]any) { s["title"] = title })
}

// Item 13: with nothing to deploy, apply still reads the targets: the
// drift guard runs, and the plan says live state was read.
func TestNothingToDeployStillChecksTheTargets(t *testing.T) {
	dir, url := setup(t)
	applyOK(t, dir, "--target", url)
	setTitle(t, url, "Edited by hand")
	r := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitRefused, r.Code, r.Stdout+r.Stderr)
	assert.Contains(t, r.Stderr, "live state differs from recorded state for Layer/planning/parcels")
	assert.NotContains(t, r.Stdout, "Live state was not read")

	setTitle(t, url, "Parcels")
	ok := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	require.Equal(t, app.ExitOK, ok.Code, ok.Stdout+ok.Stderr)
	assert.Contains(t, ok.Stdout, "No drift: live state matches recorded state.")
	assert.Contains(t, ok.Stdout, "Nothing to deploy")

	skip := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", "http://127.0.0.1:1", "--no-refresh")
	assert.Equal(t, app.ExitOK, skip.Code, "--no-refresh contacts nothing")
	assert.Contains(t, skip.Stdout, "Live state was not read")
}

// Item 6: uncommitted changes are refused; --allow-dirty applies them and
// records that it did.
func TestDirtyTreeIsRefusedUnlessAllowed(t *testing.T) {
	dir, url := setup(t)
	file := filepath.Join(dir, "environments/staging/services.yaml")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(data), "5000", "6000", 1)), 0o644))

	r := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitInvalid, r.Code, r.Stdout+r.Stderr)
	assert.Contains(t, r.Stderr, "uncommitted changes: environments/staging/services.yaml (modified)")
	assert.Contains(t, r.Stderr, "`--allow-dirty`")
	assert.Empty(t, serverIDs(t, url))
	assert.Empty(t, stateTip(t, dir))

	applyOK(t, dir, "--target", url, "--allow-dirty")
	log := git(t, dir, "log", "-1", "--format=%(trailers:only,unfold)", "honua-gitops/state")
	assert.Contains(t, log, "Honua-Source-Dirty: true")
	assert.Regexp(t, `Honua-Source-Diff: [0-9a-f]{64}`, log)
}

// Item 4: a branch that lacks the deployed commit would revert it.
func TestStaleBranchIsRefused(t *testing.T) {
	dir, url := setup(t)
	git(t, dir, "branch", "feature-b")
	editAndCommit(t, dir, "environments/common/layers/planning.yaml", "  title: Parcels\n", "  title: Tax Parcels\n")
	applyOK(t, dir, "--target", url)
	deployed := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))

	git(t, dir, "checkout", "-q", "feature-b")
	editAndCommit(t, dir, "environments/staging/services.yaml", "5000", "6000")
	r := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitRefused, r.Code, r.Stdout+r.Stderr)
	assert.Contains(t, r.Stderr, "does not contain commit "+deployed[:7]+", which is deployed to staging")
	assert.Contains(t, r.Stderr, "merge main into this branch")
	assert.Equal(t, "Tax Parcels", liveTitle(t, url), "A's change stays")

	git(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.org", "merge", "-q", "--no-edit", "main")
	applyOK(t, dir, "--target", url)
	assert.Equal(t, "Tax Parcels", liveTitle(t, url))
}

// Item 9: --steps counts states back from the recorded snapshot, so a
// failed deployment that landed writes is a step of its own.
func TestRollbackStepsCountFromTheRecordedState(t *testing.T) {
	run, err := emulator.Start(context.Background(), emulator.Options{APIKey: key})
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	dir, _ := setup(t)
	url := run.URL
	applyOK(t, dir, "--target", url) // A
	editAndCommit(t, dir, "environments/common/layers/planning.yaml", "  title: Parcels\n", "  title: Tax Parcels\n")
	b := applyOK(t, dir, "--target", url) // B
	editAndCommit(t, dir, "environments/staging/services.yaml", "5000", "6000")
	editAndCommit(t, dir, "environments/common/layers/planning.yaml", "  title: Tax Parcels\n", "  title: Land Parcels\n")
	// C: the service's write lands, the layer's fails.
	require.NoError(t, run.Server.SetFaults(emulator.Faults{FailResource: emulator.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"}}))
	c := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--strategy", "resources", "--concurrency", "1")
	require.Equal(t, app.ExitFailure, c.Code, c.Stdout+c.Stderr)
	require.NoError(t, run.Server.SetFaults(emulator.Faults{}))
	list := deployments(t, dir, "staging")
	require.Equal(t, deploy.Failed, list[0].Status)
	require.NotEqual(t, list[1].Snapshot, list[0].Snapshot, "C landed a write and recorded it")

	r := cmdtest.Run(t, env, "rollback", "--env", "staging", "--steps", "1", "--dir", dir, "--target", url, "--dry-run")
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
	assert.Contains(t, r.Stderr, "Rolling staging back to deployment "+b)
}

// Item 14: --plan-hash takes a unique prefix of 12 or more hex digits; a
// mismatch names both full hashes.
func TestPlanHashPrefix(t *testing.T) {
	dir, url := setup(t)
	p := cmdtest.Run(t, nil, "plan", "--env", "staging", "--dir", dir, "--format", "json")
	require.Equal(t, app.ExitOK, p.Code, p.Stderr)
	var planned struct {
		Hash string `json:"hash"`
	}
	require.NoError(t, json.Unmarshal([]byte(p.Stdout), &planned))

	short := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--plan-hash", planned.Hash[:8])
	assert.Equal(t, app.ExitInvalid, short.Code)
	assert.Contains(t, short.Stderr, "a prefix of at least 12 hex digits")

	wrong := strings.Repeat("ab", 6)
	bad := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--plan-hash", wrong)
	assert.Equal(t, app.ExitRefused, bad.Code)
	assert.Contains(t, bad.Stderr, "the reviewed plan was "+wrong+", the plan now is "+planned.Hash)
	assert.Empty(t, serverIDs(t, url))

	applyOK(t, dir, "--target", url, "--plan-hash", planned.Hash[:12])
	assert.Len(t, serverIDs(t, url), 19)
}

// Item 14: progress goes to stderr as operations finish, one line each
// when piped, and never into --format json on stdout.
func TestProgressIsReportedOnStderr(t *testing.T) {
	dir, url := setup(t)
	r := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--format", "json")
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	var report map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &report), "stdout is JSON only")
	assert.Equal(t, 19, strings.Count(r.Stderr, "applied create "), r.Stderr)
	assert.Contains(t, r.Stderr, "applied create Connection/city/gis-postgis")
}

// Item 12: a re-run after a partial failure on merge applies what remains
// of the reviewed plan; anything outside it is refused.
func TestRerunOfAPartiallyFailedReviewedPlan(t *testing.T) {
	run, err := emulator.Start(context.Background(), emulator.Options{APIKey: key})
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	dir, _ := setup(t)
	url := run.URL
	p := cmdtest.Run(t, nil, "plan", "--env", "staging", "--dir", dir, "--format", "json")
	var planned struct {
		Hash string `json:"hash"`
	}
	require.NoError(t, json.Unmarshal([]byte(p.Stdout), &planned))

	require.NoError(t, run.Server.SetFaults(emulator.Faults{FailResource: emulator.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"}}))
	first := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--plan-hash", planned.Hash, "--strategy", "resources", "--concurrency", "1")
	require.Equal(t, app.ExitFailure, first.Code, first.Stdout+first.Stderr)
	require.NoError(t, run.Server.SetFaults(emulator.Faults{}))

	again := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--plan-hash", planned.Hash)
	require.Equal(t, app.ExitOK, again.Code, again.Stdout+again.Stderr)
	assert.Contains(t, again.Stdout, "Constrained apply: deployment ")
	assert.Len(t, serverIDs(t, url), 19)

	// A new change is not part of the reviewed plan.
	editAndCommit(t, dir, "environments/staging/services.yaml", "5000", "6000")
	outside := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--plan-hash", planned.Hash)
	assert.Equal(t, app.ExitRefused, outside.Code, outside.Stdout+outside.Stderr)
	assert.Contains(t, outside.Stderr, "plan changed since review")
}

// Item 4: the plan a re-plan after a wait must equal is the one computed
// before waiting. B plans while X holds the environment; X then records a
// deployment that changes it; B must stop with "state moved", not apply
// whatever the new plan is.
func TestStateMovedComparesWithThePlanBeforeTheWait(t *testing.T) {
	dir, url := setup(t)
	applyOK(t, dir, "--target", url)
	editAndCommit(t, dir, "environments/common/layers/planning.yaml", "  title: Parcels\n", "  title: Tax Parcels\n")

	// X holds the environment (cmdtest's clock: 2026-11-29 12:00 UTC).
	claim, err := deploy.Encode(deploy.Claim{FormatVersion: 1, Deployment: "20261129T115900000Z-0000aa", Actor: "x",
		ClaimedAt: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2026, 11, 29, 12, 30, 0, 0, time.UTC)})
	require.NoError(t, err)
	editState(t, dir, "X claims staging", func(work string) {
		require.NoError(t, os.WriteFile(filepath.Join(work, "staging", "claim.json"), claim, 0o644))
	})

	done := make(chan cmdtest.Result, 1)
	go func() {
		done <- cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--wait", "1m")
	}()
	time.Sleep(5 * time.Second) // B has planned and is waiting (its poll is 2s)
	// X records a deployment that retitles the layer, and releases.
	editState(t, dir, "X applied", func(work string) {
		snap := filepath.Join(work, "staging", "snapshot.json")
		data, err := os.ReadFile(snap)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(snap, []byte(strings.Replace(string(data), `"title": "Parcels"`, `"title": "Tax Parcels"`, 1)), 0o644))
		require.NoError(t, os.Remove(filepath.Join(work, "staging", "claim.json")))
	})
	var r cmdtest.Result
	select {
	case r = <-done:
	case <-time.After(45 * time.Second):
		t.Fatal("apply did not finish")
	}
	assert.Equal(t, app.ExitRefused, r.Code, r.Stdout+r.Stderr)
	assert.Contains(t, r.Stderr, "waiting for staging: deployment 20261129T115900000Z-0000aa by x holds it")
	assert.Contains(t, r.Stderr, "state moved: another deployment changed staging while this one waited")
	assert.Equal(t, deploy.Refused, deployments(t, dir, "staging")[0].Status)
	assert.Equal(t, "Parcels", liveTitle(t, url), "nothing was applied")
}

// editState commits a change to the state branch through a worktree, as
// another deployment would.
func editState(t *testing.T, dir, message string, edit func(work string)) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "state")
	git(t, dir, "worktree", "add", "-q", work, "honua-gitops/state")
	edit(work)
	git(t, work, "add", "-A")
	git(t, work, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", message)
	git(t, dir, "worktree", "remove", "--force", work)
}

// Item 4 with a bare remote and two clones: clone B was made before A's
// commit reached the remote, so B's history cannot contain it. A full
// clone says "does not contain"; a depth-1 checkout cannot tell and says
// how to find out. Neither applies.
func TestStaleCloneIsRefused(t *testing.T) {
	_, url := setup(t)
	remote := gittest.NewRemote(t)
	remote.Seed(t, cmdtest.ExampleFiles(t))
	clone := func(depth bool) string {
		dir := filepath.Join(t.TempDir(), "clone")
		args := []string{"clone", "-q"}
		if depth {
			args = append(args, "--depth=1")
		}
		git(t, t.TempDir(), append(args, remote.AuthURL(), dir)...)
		return dir
	}
	// Two commits on main first, so that a depth-1 clone is really shallow.
	first := clone(false)
	editAndCommit(t, first, "environments/staging/services.yaml", "# Staging runs", "# Staging still runs")
	git(t, first, "push", "-q", "origin", "HEAD:main")
	full, shallow := clone(false), clone(true)
	a := clone(false)
	editAndCommit(t, a, "environments/common/layers/planning.yaml", "  title: Parcels\n", "  title: Tax Parcels\n")
	git(t, a, "push", "-q", "origin", "HEAD:main")
	pushEnv := map[string]string{"HONUA_API_KEY": key, "HONUA_GITOPS_GIT_TOKEN": remote.Token}
	r := cmdtest.Run(t, pushEnv, "apply", "--env", "staging", "--dir", a, "--target", url, "--push")
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)

	for _, tt := range []struct {
		name, dir, want string
	}{
		{"full clone", full, "which is deployed to staging"},
		{"depth-1 clone", shallow, "cannot tell whether commit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			editAndCommit(t, tt.dir, "environments/staging/services.yaml", "5000", "6000")
			r := cmdtest.Run(t, pushEnv, "apply", "--env", "staging", "--dir", tt.dir, "--target", url, "--push")
			assert.Equal(t, app.ExitRefused, r.Code, r.Stdout+r.Stderr)
			assert.Contains(t, r.Stderr, tt.want)
			assert.Equal(t, "Tax Parcels", liveTitle(t, url), "A's change stays")
		})
	}
}

// Issue 9 items 1 and 2: $${secret:NAME} in a public field is the literal
// text on the server, even when NAME is set; ${secret:NAME} there is
// refused before anything is contacted.
func TestSecretPlaceholderEscapeReachesTheServerLiterally(t *testing.T) {
	dir, url := setup(t)
	theme := filepath.Join(dir, "environments/staging/zz-help.yaml")
	require.NoError(t, os.WriteFile(theme, []byte("apiVersion: honua.io/v1alpha1\nkind: Theme\nmetadata: {name: help, namespace: city}\nspec:\n  name: \"Write $${secret:PW} in a password field\"\n"), 0o644))
	git(t, dir, "add", "-A")
	git(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "help theme")
	withPW := map[string]string{"HONUA_API_KEY": key, "PW": "pa55word-should-not-appear"}
	r := cmdtest.Run(t, withPW, "apply", "--env", "staging", "--dir", dir, "--target", url)
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
	c, err := honua.New(honua.Config{BaseURL: url, Credential: key})
	require.NoError(t, err)
	o, err := c.GetResource(context.Background(), resource.Identity{Kind: "Theme", Namespace: "city", Name: "help"})
	require.NoError(t, err)
	assert.Equal(t, "Write ${secret:PW} in a password field", o.Resource.Spec["name"])
	assert.NotContains(t, r.Stdout+r.Stderr, "pa55word")

	editAndCommit(t, dir, "environments/staging/zz-help.yaml", "$${secret:PW}", "${secret:PW}")
	bad := cmdtest.Run(t, withPW, "apply", "--env", "staging", "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitInvalid, bad.Code, bad.Stdout+bad.Stderr)
	assert.Contains(t, bad.Stdout+bad.Stderr, "zz-help.yaml:5:9: Theme/city/help: spec.name uses ${secret:PW}, but secret placeholders may only stand in secret fields")
}
