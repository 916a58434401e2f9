package usecase_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/snapshot"
	"github.com/honua-io/honua-gitops/internal/synth"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// The generator's repository is valid and its expected resources are exactly
// what the loader builds: a plan against them has no changes.
func TestSyntheticRepositoryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rs, err := synth.Write(dir, synth.Options{Resources: 2_000, Seed: 7})
	require.NoError(t, err)
	ws, err := usecase.OpenWorkspace(dir)
	require.NoError(t, err)
	p, err := ws.Plan(context.Background(), usecase.PlanRequest{Environment: "bench", Recorded: fixedState{snapshot.New("bench", rs)}})
	require.NoError(t, err)
	assert.Equal(t, 0, p.Summary.Total(), "changes: %+v", p.Changes)
	assert.Equal(t, len(rs), p.Summary.Unchanged)

	changed := recordedFrom(rs)
	p2, err := ws.Plan(context.Background(), usecase.PlanRequest{Environment: "bench", Recorded: fixedState{changed}})
	require.NoError(t, err)
	assert.Equal(t, (len(rs)+19)/20, p2.Summary.Update)
}
