package deployments_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/gittest"
)

const key = "cli-test-admin-key-5c1d"

var deploymentIDRe = regexp.MustCompile(`Deployment (\d{8}T\d{9}Z-[0-9a-f]{6}) `)

func emulatorURL(t *testing.T) string {
	t.Helper()
	s, err := emulator.Start(context.Background(), emulator.Options{APIKey: key})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s.URL
}

// applyOK applies environment to the server at url from the clone dir and
// returns the id of the deployment it recorded.
func applyOK(t *testing.T, env map[string]string, dir, environment, url string, args ...string) string {
	t.Helper()
	r := cmdtest.Run(t, env, append([]string{"apply", "--env", environment, "--dir", dir, "--target", url}, args...)...)
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
	m := deploymentIDRe.FindStringSubmatch(r.Stdout)
	require.NotNil(t, m, r.Stdout)
	return m[1]
}

type envList struct {
	Environment string           `json:"environment"`
	Total       int              `json:"total"`
	Deployments []deploy.Summary `json:"deployments"`
}

func listed(t *testing.T, stdout string) map[string][]string {
	t.Helper()
	var doc struct {
		Environments []envList `json:"environments"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc), stdout)
	out := map[string][]string{}
	for _, l := range doc.Environments {
		assert.Len(t, l.Deployments, l.Total, l.Environment)
		for _, d := range l.Deployments {
			out[l.Environment] = append(out[l.Environment], d.ID)
		}
	}
	return out
}

// An apply without --push records its deployment in the clone only; another
// clone then pushes one. `deployments --fetch` must list both: the fetch may
// never drop the local record (it used to reset the local branch to the
// remote's), and the next push carries the local one to the remote.
func TestFetchListsUnpushedLocalAndRemoteDeployments(t *testing.T) {
	tests := []struct {
		name   string
		theirs string // the environment the other clone deploys
	}{
		{name: "another environment", theirs: "production"},
		// The same configuration gives the same snapshot, so the two
		// records combine; different snapshots would be a conflict.
		{name: "the same environment", theirs: "staging"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remote := gittest.NewRemote(t)
			remote.Seed(t, cmdtest.ExampleFiles(t))
			env := map[string]string{"HONUA_API_KEY": key, "HONUA_GITOPS_GIT_TOKEN": remote.Token, "DEV_GIS_DB_PASSWORD": "pw-for-the-test"}

			local := remote.Checkout(t)
			mine := applyOK(t, env, local, "staging", emulatorURL(t)) // recorded locally, never pushed
			other := remote.Checkout(t)
			theirs := applyOK(t, env, other, tt.theirs, emulatorURL(t), "--push")
			pushed := remote.BranchTip(t, "honua-gitops/state")

			want := map[string][]string{"staging": {mine}, "production": {theirs}}
			if tt.theirs == "staging" {
				// Replayed on top of the remote's, the local one is the newest.
				want = map[string][]string{"staging": {mine, theirs}}
			}
			r := cmdtest.Run(t, env, "deployments", "--fetch", "--dir", local, "--format", "json")
			require.Equal(t, app.ExitOK, r.Code, r.Stderr)
			assert.Equal(t, want, listed(t, r.Stdout), "the unpushed local deployment and the remote one")
			assert.Equal(t, pushed, remote.BranchTip(t, "honua-gitops/state"), "listing pushes nothing")

			// Listing again, with or without --fetch, shows the same.
			for _, args := range [][]string{{"--fetch"}, nil} {
				again := cmdtest.Run(t, env, append([]string{"deployments", "--dir", local, "--format", "json"}, args...)...)
				require.Equal(t, app.ExitOK, again.Code, again.Stderr)
				assert.Equal(t, want, listed(t, again.Stdout), args)
			}

			// The next push from the local clone carries its earlier record.
			want["development"] = []string{applyOK(t, env, local, "development", emulatorURL(t), "--push")}
			fresh := cmdtest.Run(t, env, "deployments", "--fetch", "--dir", remote.Checkout(t), "--format", "json")
			require.Equal(t, app.ExitOK, fresh.Code, fresh.Stderr)
			assert.Equal(t, want, listed(t, fresh.Stdout))
			gittest.FsckClean(t, local)
			gittest.FsckClean(t, remote.Dir)
		})
	}
}

// Both clones deployed the same environment with different configurations:
// the fetch cannot combine the two snapshots, says so and how to resolve
// it, and leaves the local branch as it was.
func TestFetchReportsConflictingDeployments(t *testing.T) {
	remote := gittest.NewRemote(t)
	remote.Seed(t, cmdtest.ExampleFiles(t))
	env := map[string]string{"HONUA_API_KEY": key, "HONUA_GITOPS_GIT_TOKEN": remote.Token}
	local := remote.Checkout(t)
	applyOK(t, env, local, "staging", emulatorURL(t))
	before := gittest.Git(t, local, "rev-parse", "refs/heads/honua-gitops/state")

	other := remote.Checkout(t)
	layer := filepath.Join(other, "environments", "common", "layers", "planning.yaml")
	data, err := os.ReadFile(layer)
	require.NoError(t, err)
	require.Contains(t, string(data), "  title: Parcels\n")
	require.NoError(t, os.WriteFile(layer, []byte(strings.Replace(string(data), "  title: Parcels\n", "  title: Tax Parcels\n", 1)), 0o644))
	gittest.Git(t, other, "commit", "-qam", "retitle parcels")
	applyOK(t, env, other, "staging", emulatorURL(t), "--push")

	r := cmdtest.Run(t, env, "deployments", "--fetch", "--dir", local, "--format", "json")
	assert.NotEqual(t, app.ExitOK, r.Code)
	assert.Empty(t, r.Stdout)
	for _, want := range []string{
		"both the local and the remote state branch recorded a deployment of staging (snapshot.json differs)",
		"`git log honua-gitops/state origin/honua-gitops/state`",
	} {
		assert.Contains(t, r.Stderr, want)
	}
	assert.NotContains(t, r.Stderr, remote.Token)
	assert.Equal(t, before, gittest.Git(t, local, "rev-parse", "refs/heads/honua-gitops/state"), "the local branch is unchanged")
}
