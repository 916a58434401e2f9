package usecase_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/state"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

const adoptKey = "adopt-test-admin-key-7f3e"

// The merge of an import records what the server already holds as git has
// it; a resource git has otherwise (edited in review) is left to the apply,
// and with nothing left to adopt nothing more is recorded.
func TestAdoptRecordsOnlyWhatTheServerHoldsAsGitDoes(t *testing.T) {
	ctx := context.Background()
	run, err := emulator.Start(ctx, emulator.Options{APIKey: adoptKey})
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	other := cmdtest.CopyExample(t)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-qm", "config"}} {
		gittest.Git(t, other, args...)
	}
	a := cmdtest.Run(t, map[string]string{"HONUA_API_KEY": adoptKey}, "apply", "--env", "staging", "--dir", other, "--target", run.URL)
	require.Equal(t, app.ExitOK, a.Code, a.Stdout+a.Stderr)

	// This repository has the same files, nothing recorded, and one value
	// the server does not hold.
	dir := cmdtest.CopyExample(t)
	p := filepath.Join(dir, "environments", "staging", "services.yaml")
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Contains(t, string(data), "maxRecordCount: 5000")
	require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(data), "maxRecordCount: 5000", "maxRecordCount: 6000", 1)), 0o644))
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-qm", "config"}} {
		gittest.Git(t, dir, args...)
	}
	ws, err := usecase.OpenWorkspace(dir)
	require.NoError(t, err)
	store, err := cmdutil.RequireStateBranch(dir, ws.Config, cmdutil.BranchFlags{}, func(string) string { return "" })
	require.NoError(t, err)
	recorded := state.Branch{Store: store, Name: ws.Config.StateBranch}
	req := usecase.AdoptRequest{Environment: "staging", Targets: []driver.Target{{Name: "staging", URL: run.URL, Credential: adoptKey}},
		Recorded: recorded, Connect: cmdutil.Connector(nil), Kind: deploy.KindImport, Source: deploy.Source{Commit: strings.Repeat("a", 40), PR: 4},
		Branch: store, BranchName: ws.Config.StateBranch, Actor: "ana"}

	rep, err := ws.Adopt(ctx, req)
	require.NoError(t, err)
	require.NotNil(t, rep.Deployment)
	assert.Equal(t, deploy.KindImport, rep.Deployment.Kind)
	assert.Equal(t, 4, rep.Deployment.Source.PR)
	assert.Contains(t, rep.Adopted, "Layer/planning/parcels")
	require.Len(t, rep.Left, 1, "only the edited service: %v", rep.Left)
	assert.Contains(t, rep.Left[0], "holds other values")
	edited := strings.SplitN(rep.Left[0], ":", 2)[0]
	assert.NotContains(t, rep.Adopted, edited)

	snap, _, err := recorded.Recorded(ctx, "staging")
	require.NoError(t, err)
	assert.True(t, snap.Adopted[resource.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"}.Key()], "an import's resources are marked adopted")

	pl, err := ws.Plan(ctx, usecase.PlanRequest{Environment: "staging", Recorded: recorded})
	require.NoError(t, err)
	require.Len(t, pl.Changes, 1, "the apply that follows writes the edit, and only it")
	assert.Equal(t, edited, pl.Changes[0].Kind+"/"+pl.Changes[0].Namespace+"/"+pl.Changes[0].Name)

	again, err := ws.Adopt(ctx, req)
	require.NoError(t, err)
	assert.Nil(t, again.Deployment, "nothing to adopt records nothing")
	assert.Empty(t, again.Adopted)
}
