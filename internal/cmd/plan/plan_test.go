package plan_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	cmdplan "github.com/honua-io/honua-gitops/internal/cmd/plan"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/iostreams"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/snapshot"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

func TestNewCmdPlanFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		wantErr string
		check   func(*testing.T, *cmdplan.Options)
	}{
		{name: "env", args: "--env staging", check: func(t *testing.T, o *cmdplan.Options) {
			assert.Equal(t, "staging", o.Env.Env)
			assert.Equal(t, render.FormatText, o.Format)
			assert.Equal(t, ".", o.Env.Dir)
		}},
		{name: "all as json to a file", args: "--all --format json --out p.json --detailed-exitcode --dir repo", check: func(t *testing.T, o *cmdplan.Options) {
			assert.True(t, o.Env.All)
			assert.Equal(t, render.FormatJSON, o.Format)
			assert.Equal(t, "p.json", o.Out)
			assert.True(t, o.DetailedExitCode)
			assert.Equal(t, "repo", o.Env.Dir)
		}},
		{name: "no environment", args: "", wantErr: "name an environment with `--env`, or plan every environment with `--all`"},
		{name: "both", args: "--env a --all", wantErr: "specify only one of `--env` or `--all`"},
		{name: "bad format", args: "--env a --format xml", wantErr: `"xml" for "--format" flag: must be text, markdown or json`},
		{name: "both state sources", args: "--env a --state-file f --state-ref r", wantErr: "none of the others can be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			var got *cmdplan.Options
			cmd := cmdplan.NewCmdPlan(&cmdutil.Factory{IOStreams: ios}, func(_ context.Context, o *cmdplan.Options) error {
				got = o
				return nil
			})
			cmd.SetArgs(strings.Fields(tt.args))
			cmd.SetOut(ios.ErrOut)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, got)
		})
	}
}

// writeAppliedState records the environment's current desired state as its
// snapshot file: what apply would record.
func writeAppliedState(t *testing.T, dir, env string) string {
	t.Helper()
	ws, err := usecase.OpenWorkspace(dir)
	require.NoError(t, err)
	desired, _, err := ws.Desired(context.Background(), env)
	require.NoError(t, err)
	data, err := snapshot.New(env, desired.Resources()).Marshal()
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "snapshot.json")
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

func planJSON(t *testing.T, args ...string) (*plan.Plan, cmdtest.Result) {
	t.Helper()
	r := cmdtest.Run(t, nil, append([]string{"plan", "--format", "json"}, args...)...)
	var p plan.Plan
	if r.Code == app.ExitOK || r.Code == app.ExitChanges {
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &p), r.Stdout)
	}
	return &p, r
}

func TestPlanExampleEndToEnd(t *testing.T) {
	dir := cmdtest.CopyExample(t)

	first, r := planJSON(t, "--env", "staging", "--dir", dir)
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	assert.Equal(t, "staging", first.Environment)
	assert.Greater(t, first.Summary.Create, 10)
	assert.True(t, first.Recorded.Empty)
	second, _ := planJSON(t, "--env", "staging", "--dir", dir)
	assert.Equal(t, first.Hash, second.Hash, "planning twice gives the same hash")

	state := writeAppliedState(t, dir, "staging")
	clean, r := planJSON(t, "--env", "staging", "--dir", dir, "--state-file", state, "--detailed-exitcode")
	require.Equal(t, app.ExitOK, r.Code, "no changes against what was applied: %s", r.Stderr)
	assert.Empty(t, clean.Changes)

	file := filepath.Join(dir, "environments/staging/services.yaml")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(data), "maxRecordCount: 5000", "maxRecordCount: 6000", 1)), 0o644))

	edited, r := planJSON(t, "--env", "staging", "--dir", dir, "--state-file", state, "--detailed-exitcode")
	assert.Equal(t, app.ExitChanges, r.Code, "--detailed-exitcode exits 3 with changes")
	require.Len(t, edited.Changes, 1)
	c := edited.Changes[0]
	assert.Equal(t, plan.Update, c.Action)
	assert.Equal(t, "Service/planning/permits", c.Subject())
	assert.Equal(t, []plan.FieldChange{{Path: "/spec/settings/maxRecordCount", Op: plan.OpReplace, Before: float64(5000), After: float64(6000)}}, c.Changes)
	assert.Equal(t, plan.Summary{Update: 1, Unchanged: clean.Summary.Unchanged - 1}, edited.Summary)
}

func TestPlanAllEnvironments(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	r := cmdtest.Run(t, nil, "plan", "--all", "--format", "json", "--dir", dir)
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	var set plan.Set
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &set))
	assert.Equal(t, 1, set.FormatVersion)
	var envs []string
	for _, p := range set.Plans {
		envs = append(envs, p.Environment)
	}
	assert.Equal(t, []string{"development", "staging", "production"}, envs)

	md := cmdtest.Run(t, nil, "plan", "--all", "--format", "markdown", "--dir", dir)
	require.Equal(t, app.ExitOK, md.Code, md.Stderr)
	assert.Contains(t, md.Stdout, "| Environment |")
	assert.NotContains(t, md.Stdout, "${secret:")
}

func TestPlanFromGitRef(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := cmdtest.CopyExample(t)
	state := writeAppliedState(t, dir, "production")
	data, err := os.ReadFile(state)
	require.NoError(t, err)
	// Build a state branch the way the state store lays it out:
	// <env>/snapshot.json on its own orphan branch.
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "config")
	git("checkout", "-q", "--orphan", "state")
	git("rm", "-rq", "--cached", ".")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "production"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "production/snapshot.json"), data, 0o644))
	git("add", "production/snapshot.json")
	git("commit", "-q", "-m", "state")
	git("checkout", "-q", "-f", "main")

	p, r := planJSON(t, "--env", "production", "--dir", dir, "--state-ref", "state")
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	assert.Empty(t, p.Changes)
	assert.Equal(t, "git state", p.Recorded.Source)
	assert.Len(t, p.Recorded.Revision, 40)

	// An environment with no snapshot on that ref plans from empty state.
	s, r := planJSON(t, "--env", "staging", "--dir", dir, "--state-ref", "state")
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	assert.True(t, s.Recorded.Empty)
	assert.NotEmpty(t, s.Changes)
}

func TestPlanInvalidRepositoryExits2(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "environments/staging/broken.yaml"), []byte("apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: x}\nspec: {}\n"), 0o644))
	r := cmdtest.Run(t, nil, "plan", "--env", "staging", "--dir", dir)
	assert.Equal(t, app.ExitInvalid, r.Code)
	assert.Contains(t, r.Stderr, "environments/staging/broken.yaml:4:7: Layer/default/x is missing required field spec.geometryType")
	assert.Empty(t, r.Stdout, "nothing is planned from invalid input")
}

func TestPlanUnknownEnvironment(t *testing.T) {
	r := cmdtest.Run(t, nil, "plan", "--env", "qa", "--dir", cmdtest.CopyExample(t))
	assert.Equal(t, app.ExitInvalid, r.Code)
	assert.Contains(t, r.Stderr, `unknown environment "qa"`)
}
