package usecase_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/state"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

func exampleDir(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples", "honua-config")
}

func connect(ctx context.Context, t driver.Target) (apply.Driver, error) {
	c, err := driver.Open(ctx, t, nil)
	if err != nil {
		return nil, err
	}
	return c.Driver, nil
}

// With two instances, a resource counts as applied only when it landed on
// both; a re-run then converges the instance that failed.
func TestApplyRecordsWhatLandedOnEveryTarget(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	const key = "multi-target-key"
	east, err := emulator.Start(context.Background(), emulator.Options{APIKey: key})
	require.NoError(t, err)
	defer east.Close()
	failing, err := emulator.ParseIdentity("Layer/planning/parcels")
	require.NoError(t, err)
	west, err := emulator.Start(context.Background(), emulator.Options{APIKey: key, Faults: emulator.Faults{FailResource: failing}})
	require.NoError(t, err)
	defer west.Close()

	ws, err := usecase.OpenWorkspace(exampleDir(t))
	require.NoError(t, err)
	store := state.File{Path: filepath.Join(t.TempDir(), "snapshot.json")}
	recorded := func() usecase.RecordedReader {
		if _, err := os.Stat(store.Path); err != nil {
			return state.Empty{}
		}
		return store
	}
	targets := []driver.Target{{Name: "east", URL: east.URL, Credential: key}, {Name: "west", URL: west.URL, Credential: key}}
	req := usecase.ApplyRequest{Environment: "production", Targets: targets, Recorded: recorded(), Store: store, Connect: connect,
		Engine: apply.Request{Verify: true, Options: apply.Options{Strategy: apply.StrategyResources, Concurrency: 4},
			Secrets: func(string) (string, bool) { return "", false }}}

	report, err := ws.Apply(context.Background(), req)
	require.NoError(t, err)
	require.Error(t, report.Err())
	assert.True(t, report.Recorded)
	snap, _, err := store.Recorded(context.Background(), "production")
	require.NoError(t, err)
	var ids []string
	for _, r := range snap.Resources {
		ids = append(ids, r.ID().String())
	}
	assert.NotContains(t, ids, "Layer/planning/parcels", "not on west, so not recorded")
	assert.Contains(t, ids, "Connection/city/gis-postgis", "on both, so recorded")
	assert.NotContains(t, ids, "Style/planning/parcels-default", "never attempted on west after parcels failed")

	require.NoError(t, west.Server.SetFaults(emulator.Faults{}))
	req.Recorded = recorded()
	report, err = ws.Apply(context.Background(), req)
	require.NoError(t, err)
	require.NoError(t, report.Err(), "%+v", report.Targets)
	p, err := ws.Plan(context.Background(), usecase.PlanRequest{Environment: "production", Recorded: store})
	require.NoError(t, err)
	assert.False(t, p.HasChanges(), "a re-run converged both instances")
}
