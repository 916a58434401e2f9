package importcmd_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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

const key = "import-test-admin-key-51c2"

var env = map[string]string{"HONUA_API_KEY": key}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.org"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
}

// emptyRepo is a configuration repository with a staging environment and
// no resources, in git.
func emptyRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "environments", "common"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "environments", "staging"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "environments", "common", ".keep"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "environments", "staging", ".keep"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "honua-gitops.yaml"), []byte("environments:\n  staging:\n    path: environments/staging\n"), 0o644))
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "empty")
	return dir
}

// servingStaging starts an emulator and applies the example's staging
// environment to it from another clone: a server that already runs it.
func servingStaging(t *testing.T, opts emulator.Options) *emulator.Running {
	t.Helper()
	opts.APIKey = key
	run, err := emulator.Start(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	other := cmdtest.CopyExample(t)
	git(t, other, "init", "-q", "-b", "main")
	git(t, other, "add", "-A")
	git(t, other, "commit", "-q", "-m", "config")
	a := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", other, "--target", run.URL)
	require.Equal(t, app.ExitOK, a.Code, a.Stdout+a.Stderr)
	return run
}

// The done-when of Generation 1: a server that holds the example's staging
// environment (applied from another clone) is imported into an empty
// repository; validate, plan and drift then agree there is nothing to do,
// and no secret value is in any file.
func TestImportGeneration1IntoAnEmptyRepository(t *testing.T) {
	run := servingStaging(t, emulator.Options{})

	dir := emptyRepo(t)
	dry := cmdtest.Run(t, env, "import", "--env", "staging", "--dir", dir, "--target", run.URL, "--dry-run")
	require.Equal(t, app.ExitOK, dry.Code, dry.Stdout+dry.Stderr)
	assert.Contains(t, dry.Stdout, "Would write environments/staging/layers.yaml (6 resources)")
	_, err := os.Stat(filepath.Join(dir, "environments", "staging", "layers.yaml"))
	assert.True(t, os.IsNotExist(err), "--dry-run writes nothing")

	imp := cmdtest.Run(t, env, "import", "--env", "staging", "--dir", dir, "--target", run.URL)
	require.Equal(t, app.ExitOK, imp.Code, imp.Stdout+imp.Stderr)
	assert.Contains(t, imp.Stdout, "Wrote environments/staging/services.yaml (3 resources)")
	assert.Contains(t, imp.Stdout, "Deployment ")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "import staging")

	v := cmdtest.Run(t, env, "validate", "--dir", dir)
	require.Equal(t, app.ExitOK, v.Code, v.Stdout+v.Stderr)
	p := cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	require.Equal(t, app.ExitOK, p.Code, p.Stdout+p.Stderr)
	assert.Contains(t, p.Stdout, "No changes.")
	d := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	require.Equal(t, app.ExitOK, d.Code, d.Stdout+d.Stderr)
	assert.Contains(t, d.Stdout, "No drift")

	again := cmdtest.Run(t, env, "import", "--env", "staging", "--dir", dir, "--target", run.URL)
	assert.Equal(t, app.ExitInvalid, again.Code, again.Stdout+again.Stderr)
	assert.Contains(t, again.Stderr, "import would overwrite environments/staging/connections.yaml")

	files, err := filepath.Glob(filepath.Join(dir, "environments", "staging", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(b), key)
		assert.NotContains(t, string(b), "gitops.honua.io/managed-by", "the tool's own marks stay out of the files")
		assert.True(t, strings.HasPrefix(string(b), "# Imported by `honua-gitops import` from "), f)
	}
}

// The done-when of Generation 2: a server with published layers, facets
// and default styles is imported; validate, plan and drift agree there is
// nothing to do, and the emulator saw no write.
func TestImportGeneration2IntoAnEmptyRepository(t *testing.T) {
	seed, err := emulator.LoadGen2Seed(filepath.Join(cmdtest.RepoRoot(t), "internal", "emulator", "seeds", "riverton.gen2.json"))
	require.NoError(t, err)
	run := servingStaging(t, emulator.Options{Generation: emulator.Generation2, Gen2Seed: seed})
	rev := run.Server.Gen2Log().Revision

	dir := emptyRepo(t)
	imp := cmdtest.Run(t, env, "import", "--env", "staging", "--dir", dir, "--target", run.URL)
	require.Equal(t, app.ExitOK, imp.Code, imp.Stdout+imp.Stderr)
	assert.Contains(t, imp.Stdout, "Generation 2")
	assert.Contains(t, imp.Stdout, "Wrote environments/staging/layers.yaml (6 resources)")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "import staging")

	v := cmdtest.Run(t, env, "validate", "--dir", dir)
	require.Equal(t, app.ExitOK, v.Code, v.Stdout+v.Stderr)
	p := cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	require.Equal(t, app.ExitOK, p.Code, p.Stdout+p.Stderr)
	assert.Contains(t, p.Stdout, "No changes.")
	d := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	require.Equal(t, app.ExitOK, d.Code, d.Stdout+d.Stderr)
	assert.Equal(t, rev, run.Server.Gen2Log().Revision, "import, plan and drift wrote nothing")
}

// The done-when of accepting drift: after an import, a fix made on the
// server is accepted with `drift --accept` as a file diff of exactly that
// change; once committed, plan is empty and drift is clean.
func TestAcceptDriftAfterImportChangesExactlyThatValue(t *testing.T) {
	run := servingStaging(t, emulator.Options{})
	dir := emptyRepo(t)
	imp := cmdtest.Run(t, env, "import", "--env", "staging", "--dir", dir, "--target", run.URL)
	require.Equal(t, app.ExitOK, imp.Code, imp.Stdout+imp.Stderr)
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "import staging")

	setTitle(t, run.URL, resource.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"}, "Parcels: county data")

	a := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--target", run.URL, "--accept")
	require.Equal(t, app.ExitOK, a.Code, a.Stdout+a.Stderr)
	diff := gitOut(t, dir, "diff", "-U0", "--no-color")
	assert.Regexp(t, `(?s)^diff --git a/environments/staging/layers.yaml b/environments/staging/layers.yaml\n.*@@ -\d+ \+\d+ @@[^\n]*\n-  title: Parcels\n\+  title: 'Parcels: county data'\n$`, diff, "exactly that change")

	git(t, dir, "commit", "-q", "-am", "accept the server's title")
	p := cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	require.Equal(t, app.ExitOK, p.Code, p.Stdout+p.Stderr)
	assert.Contains(t, p.Stdout, "No changes.")
	d := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	assert.Equal(t, app.ExitOK, d.Code, d.Stdout+d.Stderr)
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out)
}

// Observe-only adoption: the resources are recorded as observed; plans
// make no operation for them whatever git says; drift reports their
// changes; the adopt annotation makes one owned, and only it.
func TestImportObserveThenAdopt(t *testing.T) {
	run := servingStaging(t, emulator.Options{})
	dir := emptyRepo(t)
	imp := cmdtest.Run(t, env, "import", "--env", "staging", "--dir", dir, "--target", run.URL, "--observe")
	require.Equal(t, app.ExitOK, imp.Code, imp.Stdout+imp.Stderr)
	assert.Contains(t, imp.Stdout, "observed, not owned")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "observe staging")
	snap := gitOut(t, dir, "show", "honua-gitops/state:staging/snapshot.json")
	assert.Equal(t, 19, strings.Count(snap, `"ownership": "observed"`), snap)

	p := cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	require.Equal(t, app.ExitOK, p.Code, p.Stdout+p.Stderr)
	assert.Contains(t, p.Stdout, "No changes.")
	assert.Contains(t, p.Stdout, "Observed, not owned (imported with --observe)")

	// Git differs from the server: still no operation, and a removed
	// resource is not deleted.
	layers := filepath.Join(dir, "environments", "staging", "layers.yaml")
	b, err := os.ReadFile(layers)
	require.NoError(t, err)
	edited := strings.Replace(string(b), "title: Parcels\n", "title: Parcels (git)\n", 1)
	require.NotEqual(t, string(b), edited)
	require.NoError(t, os.WriteFile(layers, []byte(edited), 0o644))
	require.NoError(t, os.Remove(filepath.Join(dir, "environments", "staging", "styles.yaml")))
	git(t, dir, "commit", "-q", "-am", "edit observed resources")
	p = cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	require.Equal(t, app.ExitOK, p.Code, p.Stdout+p.Stderr)
	a := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", run.URL)
	require.Equal(t, app.ExitOK, a.Code, a.Stdout+a.Stderr)
	assert.Contains(t, a.Stdout, "Nothing to deploy")

	// Drift reports an out-of-band change of an observed resource.
	setTitle(t, run.URL, resource.Identity{Kind: "Layer", Namespace: "planning", Name: "zoning-districts"}, "Zoning (by hand)")
	d := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	assert.Equal(t, app.ExitChanges, d.Code, d.Stdout+d.Stderr)
	assert.Contains(t, d.Stdout, "Layer/planning/zoning-districts: changed on the server since it was applied (observed, not owned")

	// The adopt annotation makes parcels owned: one update, git's title.
	b, err = os.ReadFile(layers)
	require.NoError(t, err)
	adopted := strings.Replace(string(b), "  name: parcels\n  namespace: planning\n", "  name: parcels\n  namespace: planning\n  annotations:\n    gitops.honua.io/adopt: \"true\"\n", 1)
	require.NotEqual(t, string(b), adopted)
	require.NoError(t, os.WriteFile(layers, []byte(adopted), 0o644))
	git(t, dir, "commit", "-q", "-am", "adopt parcels")
	a = cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", run.URL, "--drift-guard", "warn")
	require.Equal(t, app.ExitOK, a.Code, a.Stdout+a.Stderr)
	assert.Contains(t, a.Stdout, "1 to update")
	c, err := honua.New(honua.Config{BaseURL: run.URL, Credential: key})
	require.NoError(t, err)
	got, err := c.GetResource(context.Background(), resource.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"})
	require.NoError(t, err)
	assert.Equal(t, "Parcels (git)", got.Resource.Spec["title"])
	snap = gitOut(t, dir, "show", "honua-gitops/state:staging/snapshot.json")
	assert.Equal(t, 18, strings.Count(snap, `"ownership": "observed"`), "parcels moved to owned; the rest stay observed")
	p = cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--detailed-exitcode")
	assert.Equal(t, app.ExitOK, p.Code, p.Stdout+p.Stderr)

	// Importing again without --observe owns everything.
	again := cmdtest.Run(t, env, "import", "--env", "staging", "--dir", dir, "--target", run.URL, "--force")
	require.Equal(t, app.ExitOK, again.Code, again.Stdout+again.Stderr)
	snap = gitOut(t, dir, "show", "honua-gitops/state:staging/snapshot.json")
	assert.Zero(t, strings.Count(snap, `"ownership": "observed"`), "nothing is observed any more")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "own staging")
	p = cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	assert.Equal(t, app.ExitOK, p.Code, p.Stdout+p.Stderr)
	assert.NotContains(t, p.Stdout, "Observed, not owned")
}

// Observe-only adoption on Generation 2, which keeps no annotations: the
// adopt annotation in git still adopts, and only the adopted layer is
// written.
func TestImportObserveThenAdoptGeneration2(t *testing.T) {
	seed, err := emulator.LoadGen2Seed(filepath.Join(cmdtest.RepoRoot(t), "internal", "emulator", "seeds", "riverton.gen2.json"))
	require.NoError(t, err)
	run := servingStaging(t, emulator.Options{Generation: emulator.Generation2, Gen2Seed: seed})
	dir := emptyRepo(t)
	imp := cmdtest.Run(t, env, "import", "--env", "staging", "--dir", dir, "--target", run.URL, "--observe")
	require.Equal(t, app.ExitOK, imp.Code, imp.Stdout+imp.Stderr)
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "observe staging")
	rev := run.Server.Gen2Log().Revision

	layers := filepath.Join(dir, "environments", "staging", "layers.yaml")
	b, err := os.ReadFile(layers)
	require.NoError(t, err)
	text := string(b)
	start := strings.Index(text, "  name: parcels\n")
	require.GreaterOrEqual(t, start, 0, text)
	end := strings.Index(text[start:], "\n---\n")
	if end < 0 {
		end = len(text) - start
	}
	doc := text[start : start+end]
	require.Contains(t, doc, "alias: Owner}", doc)
	newDoc := strings.Replace(doc, "alias: Owner}", "alias: Owner of record}", 1)
	newDoc = strings.Replace(newDoc, "  name: parcels\n", "  name: parcels\n  annotations:\n    gitops.honua.io/adopt: \"true\"\n", 1)
	require.NoError(t, os.WriteFile(layers, []byte(text[:start]+newDoc+text[start+end:]), 0o644))
	git(t, dir, "commit", "-q", "-am", "adopt parcels")

	p := cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--target", run.URL)
	require.Equal(t, app.ExitOK, p.Code, p.Stdout+p.Stderr)
	assert.Contains(t, p.Stdout, "~ Layer/default/parcels (update")
	assert.Equal(t, 1, strings.Count(p.Stdout, "Observed, not owned"), p.Stdout)
	assert.Equal(t, rev, run.Server.Gen2Log().Revision, "plan wrote nothing")
	a := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", run.URL)
	require.Equal(t, app.ExitOK, a.Code, a.Stdout+a.Stderr)
	assert.Contains(t, a.Stdout, "1 to update")
	after := cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	assert.Equal(t, app.ExitOK, after.Code, after.Stdout+after.Stderr)
	d := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
	assert.Equal(t, app.ExitOK, d.Code, d.Stdout+d.Stderr)
}

func setTitle(t *testing.T, url string, id resource.Identity, title string) {
	t.Helper()
	cmdtest.EditOnServer(t, url, key, id, func(s map[string]any) { s["title"] = title })
}

// Imported resources are owned: removing one from git deletes it, although
// the server's copy never carried the tool's ownership marks (import
// writes nothing, so it could not stamp them).
func TestImportedResourcesAreDeletedWhenRemovedFromGit(t *testing.T) {
	run := servingStaging(t, emulator.Options{})
	c, err := honua.New(honua.Config{BaseURL: run.URL, Credential: key})
	require.NoError(t, err)
	qa := resource.Identity{Kind: "Layer", Namespace: "planning", Name: "parcel-topology-errors"}
	// A server made by hand: strip the marks the other clone's apply left.
	obj, err := c.GetResource(context.Background(), qa)
	require.NoError(t, err)
	bare := *obj.Resource
	bare.Metadata.Annotations = nil
	_, err = c.UpdateResource(context.Background(), &bare, obj.ETag)
	require.NoError(t, err)

	dir := emptyRepo(t)
	imp := cmdtest.Run(t, env, "import", "--env", "staging", "--dir", dir, "--target", run.URL)
	require.Equal(t, app.ExitOK, imp.Code, imp.Stdout+imp.Stderr)
	assert.True(t, strings.Contains(gitOut(t, dir, "show", "honua-gitops/state:staging/snapshot.json"), `"ownership": "adopted"`), "the snapshot marks imported resources adopted")
	layers := filepath.Join(dir, "environments", "staging", "layers.yaml")
	b, err := os.ReadFile(layers)
	require.NoError(t, err)
	docs := strings.Split(string(b), "\n---\n")
	var kept []string
	for _, d := range docs {
		if !strings.Contains(d, "name: parcel-topology-errors\n") {
			kept = append(kept, d)
		}
	}
	require.Len(t, kept, len(docs)-1)
	require.NoError(t, os.WriteFile(layers, []byte(strings.Join(kept, "\n---\n")), 0o644))
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "import staging without the QA layer")

	a := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", run.URL)
	require.Equal(t, app.ExitOK, a.Code, a.Stdout+a.Stderr)
	assert.Contains(t, a.Stdout, "1 to delete")
	_, err = c.GetResource(context.Background(), qa)
	assert.True(t, honua.IsNotFound(err), "the adopted layer was deleted: %v", err)
}
