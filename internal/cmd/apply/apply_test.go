package apply_test

import (
	"context"
	"encoding/json"
	"os/exec"

	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

const key = "cli-test-admin-key-7f3a"

func setup(t *testing.T) (dir, url string) {
	t.Helper()
	run, err := emulator.Start(context.Background(), emulator.Options{APIKey: key})
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	dir = cmdtest.CopyExample(t)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "config"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	return dir, run.URL
}

func serverIDs(t *testing.T, url string) []string {
	t.Helper()
	c, err := honua.New(honua.Config{BaseURL: url, Credential: key})
	require.NoError(t, err)
	objs, err := c.ListResources(context.Background(), "", "")
	require.NoError(t, err)
	var out []string
	for _, o := range objs {
		out = append(out, o.Resource.ID().String())
	}
	return out
}

var env = map[string]string{"HONUA_API_KEY": key}

func TestApplyThenPlanShowsNoChanges(t *testing.T) {
	dir, url := setup(t)
	r := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
	assert.Contains(t, r.Stdout, "19 applied, 0 failed, 0 skipped; verified by reading live state back")
	assert.Regexp(t, `Deployment \d{8}T\d{9}Z-[0-9a-f]{6} succeeded; recorded on honua-gitops/state \(commit [0-9a-f]{7}\)`, r.Stdout)
	assert.Len(t, serverIDs(t, url), 19)
	assert.Contains(t, git(t, dir, "show", "honua-gitops/state:staging/snapshot.json"), `"name": "gis-postgis"`)
	assert.Empty(t, git(t, dir, "status", "--porcelain"), "the work tree is untouched")
	assert.Equal(t, "main", strings.TrimSpace(git(t, dir, "rev-parse", "--abbrev-ref", "HEAD")), "HEAD is untouched")

	p := cmdtest.Run(t, nil, "plan", "--env", "staging", "--dir", dir, "--detailed-exitcode")
	assert.Equal(t, app.ExitOK, p.Code, p.Stdout+p.Stderr)
	assert.Contains(t, p.Stdout, "No changes.")

	withLive := cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitOK, withLive.Code, withLive.Stderr)
	assert.Contains(t, withLive.Stdout, "No drift: live state matches recorded state.")

	for _, strategy := range []string{"manifest", "resources"} {
		again := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--strategy", strategy)
		assert.Equal(t, app.ExitOK, again.Code, again.Stderr)
		assert.Contains(t, again.Stdout, "Nothing to deploy; no deployment recorded.")
	}
}

func TestDriftGuardRefusesWithExit4(t *testing.T) {
	dir, url := setup(t)
	require.Equal(t, app.ExitOK, cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url).Code)

	// An out-of-band edit on the server.
	setTitle(t, url, "Edited by hand")
	c, err := honua.New(honua.Config{BaseURL: url, Credential: key})
	require.NoError(t, err)
	id := resource.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"}

	d := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--target", url, "--detailed-exitcode")
	assert.Equal(t, app.ExitChanges, d.Code)
	assert.Contains(t, d.Stdout, `~ /spec/title: "Parcels" → "Edited by hand"`)

	// A change in git now meets the drift guard, in the preflight: nothing
	// is written, claimed or recorded.
	editAndCommit(t, dir, "environments/staging/services.yaml", "5000", "6000")
	before := git(t, dir, "rev-parse", "honua-gitops/state")
	r := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitRefused, r.Code, r.Stdout+r.Stderr)
	assert.Contains(t, r.Stderr, "live state differs from recorded state for Layer/planning/parcels (spec-drift); nothing was written")
	assert.Contains(t, r.Stdout, "Drift: live state differs from recorded state", "the plan shows the drift")
	assert.Equal(t, before, git(t, dir, "rev-parse", "honua-gitops/state"), "nothing recorded")
	after, err := c.GetResource(context.Background(), resource.Identity{Kind: "Service", Namespace: "planning", Name: "permits"})
	require.NoError(t, err)
	assert.EqualValues(t, 5000, after.Resource.Spec["settings"].(map[string]any)["maxRecordCount"], "nothing written")

	r = cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--drift-guard", "overwrite")
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
	fixed, err := c.GetResource(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, "Parcels", fixed.Resource.Spec["title"], "overwrite restores the repository's version")
}

func TestApplyRefusesAStalePlan(t *testing.T) {
	dir, url := setup(t)
	r := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--plan-hash", strings.Repeat("0", 64))
	assert.Equal(t, app.ExitRefused, r.Code)
	assert.Contains(t, r.Stderr, "plan changed since review")
	assert.Empty(t, serverIDs(t, url))
}

func TestApplySecretsAndRedaction(t *testing.T) {
	dir, url := setup(t)
	r := cmdtest.Run(t, env, "apply", "--env", "development", "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitInvalid, r.Code)
	assert.Contains(t, r.Stderr, "secrets not set in the environment: DEV_GIS_DB_PASSWORD")
	assert.Empty(t, serverIDs(t, url), "nothing written")

	const password = "correct-horse-battery-staple"
	withSecret := map[string]string{"HONUA_API_KEY": key, "DEV_GIS_DB_PASSWORD": password}
	r = cmdtest.Run(t, withSecret, "apply", "--env", "development", "--dir", dir, "--target", url, "--format", "json")
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	var report map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &report))
	snapshot := git(t, dir, "show", "honua-gitops/state:development/snapshot.json")
	branchLog := git(t, dir, "log", "-p", "honua-gitops/state")
	for what, text := range map[string]string{"stdout": r.Stdout, "stderr": r.Stderr, "snapshot": snapshot, "state branch": branchLog} {
		assert.NotContains(t, text, password, what)
		assert.NotContains(t, text, key, what)
	}
	assert.Contains(t, snapshot, "${secret:DEV_GIS_DB_PASSWORD}")

	c, _ := honua.New(honua.Config{BaseURL: url, Credential: key})
	conn, err := c.GetResource(context.Background(), resource.Identity{Kind: "Connection", Namespace: "city", Name: "gis-postgis"})
	require.NoError(t, err)
	assert.Equal(t, password, conn.Resource.Spec["password"], "the server receives the real value")
}

func TestApplyErrors(t *testing.T) {
	dir, url := setup(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code app.ExitCode
		want string
	}{
		{"wrong key", map[string]string{"HONUA_API_KEY": "wrong-key-123"}, []string{"--target", url}, app.ExitFailure, "401"},
		{"missing credential", nil, []string{"--target", url}, app.ExitInvalid, "the credential variable HONUA_API_KEY is not set"},
		{"unreachable", env, []string{"--target", "http://127.0.0.1:1"}, app.ExitFailure, "unreachable"},
		{"unknown target name", env, []string{"--target", "nope"}, app.ExitInvalid, "`--target nope` is neither a URL nor a target of environment staging"},
		{"bad strategy", env, []string{"--target", url, "--strategy", "yolo"}, app.ExitInvalid, "`--strategy` must be auto, manifest or resources"},
		{"no env", env, []string{"--env", ""}, app.ExitInvalid, "name the environment to apply with `--env`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"apply", "--env", "staging", "--dir", dir}, tt.args...)
			r := cmdtest.Run(t, tt.env, args...)
			assert.Equal(t, tt.code, r.Code, r.Stdout+r.Stderr)
			assert.Contains(t, r.Stdout+r.Stderr, tt.want)
			assert.NotContains(t, r.Stdout+r.Stderr, "wrong-key-123")
		})
	}
	assert.Empty(t, serverIDs(t, url))
}

func TestApplyOutsideAGitRepository(t *testing.T) {
	_, url := setup(t)
	r := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", cmdtest.CopyExample(t), "--target", url)
	assert.Equal(t, app.ExitInvalid, r.Code)
	assert.Contains(t, r.Stderr, "is not a git repository: deployments are recorded on its state branch honua-gitops/state")
	assert.Empty(t, serverIDs(t, url))
}

func TestDryRunWritesNothing(t *testing.T) {
	dir, url := setup(t)
	r := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url, "--dry-run")
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "19 would be written (nothing was)")
	assert.Empty(t, serverIDs(t, url))
	cmd := exec.Command("git", "rev-parse", "--verify", "-q", "honua-gitops/state")
	cmd.Dir = dir
	assert.Error(t, cmd.Run(), "no state branch was created")
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out)
}

var execCommand = exec.Command
