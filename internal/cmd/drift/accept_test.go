package drift_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/resource"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.org"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out)
}

// appliedStaging is the example applied to an emulator, in git.
func appliedStaging(t *testing.T) (dir, url string) {
	t.Helper()
	dir = stagingOnEmulator(t)
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "config")
	a := cmdtest.Run(t, map[string]string{"HONUA_API_KEY": key}, "apply", "--env", "staging", "--dir", dir)
	require.Equal(t, app.ExitOK, a.Code, a.Stdout+a.Stderr)
	b, err := os.ReadFile(filepath.Join(dir, "honua-gitops.yaml"))
	require.NoError(t, err)
	i := strings.Index(string(b), "http://127.0.0.1:")
	require.GreaterOrEqual(t, i, 0)
	url = strings.Fields(string(b)[i:])[0]
	return dir, url
}

func editOnServer(t *testing.T, url string, id resource.Identity, edit func(spec map[string]any)) {
	t.Helper()
	cmdtest.EditOnServer(t, url, key, id, edit)
}

var parcels = resource.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"}

// A fix made in the admin UI to a resource staging shares with the other
// environments through environments/common is accepted as an override in
// staging's directory; common and the other environments keep their
// values; after committing it, plan is empty and drift is clean.
func TestAcceptDriftOfASharedResourceWritesAnOverride(t *testing.T) {
	dir, url := appliedStaging(t)
	env := map[string]string{"HONUA_API_KEY": key}
	editOnServer(t, url, parcels, func(s map[string]any) { s["title"] = "Parcels (county data)" })

	d := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir)
	require.Equal(t, app.ExitOK, d.Code, d.Stdout+d.Stderr)
	assert.Contains(t, d.Stdout, "honua-gitops apply --env staging --drift-guard=overwrite", "both remedies are offered")
	assert.Contains(t, d.Stdout, "honua-gitops drift --env staging --accept")

	stateBefore := git(t, dir, "rev-parse", "honua-gitops/state")
	dry := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--accept", "--dry-run")
	require.Equal(t, app.ExitOK, dry.Code, dry.Stdout+dry.Stderr)
	assert.Contains(t, dry.Stdout, "Would write environments/staging/accepted-drift.yaml: the server's values of Layer/planning/parcels")
	assert.Empty(t, git(t, dir, "status", "--porcelain"), "--dry-run writes nothing")
	assert.Equal(t, stateBefore, git(t, dir, "rev-parse", "honua-gitops/state"), "--dry-run records nothing")

	a := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--accept")
	require.Equal(t, app.ExitOK, a.Code, a.Stdout+a.Stderr)
	assert.Contains(t, a.Stdout, "(accept-drift) recorded on the state branch")
	assert.Equal(t, "?? environments/staging/accepted-drift.yaml\n", git(t, dir, "status", "--porcelain"), "one new file, nothing else changed")
	override, err := os.ReadFile(filepath.Join(dir, "environments", "staging", "accepted-drift.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata:\n  name: parcels\n  namespace: planning\nspec:\n  title: Parcels (county data)\n", string(override))

	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "accept the county's title")
	p := cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--detailed-exitcode")
	assert.Equal(t, app.ExitOK, p.Code, p.Stdout+p.Stderr)
	assert.Contains(t, p.Stdout, "No changes.")
	clean := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--detailed-exitcode")
	assert.Equal(t, app.ExitOK, clean.Code, clean.Stdout+clean.Stderr)
	prod := cmdtest.Run(t, nil, "plan", "--env", "production", "--dir", dir, "--format", "json")
	assert.Contains(t, prod.Stdout, `"Parcels"`, "production keeps common's title")
	assert.NotContains(t, prod.Stdout, "county data")
}

// Drift that cannot be accepted safely is reported, and nothing changes.
func TestAcceptDriftRefusesWhatGitAlsoChanges(t *testing.T) {
	dir, url := appliedStaging(t)
	env := map[string]string{"HONUA_API_KEY": key}
	editOnServer(t, url, parcels, func(s map[string]any) { s["title"] = "Edited by hand" })
	p := filepath.Join(dir, "environments", "common", "layers", "planning.yaml")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Contains(t, string(b), "title: Parcels")
	require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(b), "title: Parcels", "title: Parcels of land", 1)), 0o644))
	git(t, dir, "commit", "-q", "-am", "a change not applied yet")
	stateBefore := git(t, dir, "rev-parse", "honua-gitops/state")

	a := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--accept")
	assert.Equal(t, app.ExitInvalid, a.Code, a.Stdout+a.Stderr)
	assert.Contains(t, a.Stdout, "not accepted: Layer/planning/parcels: git also changes it and that change is not applied yet")
	assert.Empty(t, git(t, dir, "status", "--porcelain"))
	assert.Equal(t, stateBefore, git(t, dir, "rev-parse", "honua-gitops/state"))
}
