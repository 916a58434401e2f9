package gen1_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/emulator"
)

// Preflight reports, before anything is written, a server that went away
// (naming the target) and a server that drifted.
func TestPreflightAgainstTheEmulator(t *testing.T) {
	ctx := context.Background()
	run := startEmulator(t, emulator.Options{})
	d := open(t, run.URL)
	out, err := apply.Run(ctx, d, request(layerSet("a", 4326), nil, apply.StrategyAuto))
	require.NoError(t, err)

	checked, err := apply.Preflight(ctx, d, request(layerSet("a", 4326, "b", 4326), out.Recorded, apply.StrategyAuto))
	require.NoError(t, err)
	assert.Equal(t, 1, checked.LiveCount)
	assert.Equal(t, 1, checked.Plan.Summary.Create)
	assert.Len(t, serverState(t, run.URL), 1, "nothing written")

	// Someone changes a on the server.
	other, err := apply.Run(ctx, d, request(layerSet("a", 2056), out.Recorded, apply.StrategyAuto))
	require.NoError(t, err)
	require.False(t, other.Failed())
	_, err = apply.Preflight(ctx, d, request(layerSet("a", 4326, "b", 4326), out.Recorded, apply.StrategyAuto))
	var de *apply.DriftError
	require.ErrorAs(t, err, &de)

	require.NoError(t, run.Close())
	_, err = apply.Preflight(ctx, d, request(layerSet("a", 4326), out.Recorded, apply.StrategyAuto))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read live state of "+d.Describe())
}
