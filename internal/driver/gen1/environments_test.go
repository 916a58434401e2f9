package gen1_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

func envRequest(env string, desired, recorded []*resource.Resource, strategy apply.Strategy) apply.Request {
	req := request(desired, recorded, strategy)
	req.Environment = env
	return req
}

// Two environments sharing one server never delete each other's
// resources, even when one's recorded state names the other's.
func TestEnvironmentsSharingAServerDeleteOnlyTheirOwn(t *testing.T) {
	for _, strategy := range []apply.Strategy{apply.StrategyManifest, apply.StrategyResources} {
		t.Run(string(strategy), func(t *testing.T) {
			run := startEmulator(t, emulator.Options{})
			d := open(t, run.URL)
			staging, err := apply.Run(context.Background(), d, envRequest("staging", layerSet("s1", 4326, "s2", 4326), nil, strategy))
			require.NoError(t, err)
			require.False(t, staging.Failed())
			dev, err := apply.Run(context.Background(), d, envRequest("dev", layerSet("d1", 4326, "d2", 4326), nil, strategy))
			require.NoError(t, err)
			require.False(t, dev.Failed())

			// dev's recorded state claims staging's s1 too.
			recorded := append(dev.Recorded, testLayer("s1", 4326))
			gone, err := apply.Run(context.Background(), d, envRequest("dev", nil, recorded, strategy))
			require.NoError(t, err)

			statuses := map[string]apply.Status{}
			for _, r := range gone.Results {
				statuses[r.Name] = r.Status
			}
			assert.Equal(t, map[string]apply.Status{"d1": apply.Applied, "d2": apply.Applied, "s1": apply.Skipped}, statuses)
			s1 := resultFor(t, gone, "s1")
			assert.Contains(t, s1.Message, `applied by environment "staging", not "dev"`)
			assertServerMatches(t, run.URL, layerSet("s1", 4326, "s2", 4326))
			assertRecordedIs(t, layerSet("s1", 4326), gone.Recorded)
		})
	}
}

// The driver checks ownership again just before deleting, environment
// included: a copy restamped by another environment since it was read is
// not deleted.
func TestDriverDeleteChecksTheEnvironment(t *testing.T) {
	run := startEmulator(t, emulator.Options{})
	d := open(t, run.URL)
	staging, err := apply.Run(context.Background(), d, envRequest("staging", layerSet("x", 4326), nil, apply.StrategyResources))
	require.NoError(t, err)
	require.False(t, staging.Failed())
	live, err := d.Live(context.Background(), apply.Scope{})
	require.NoError(t, err)
	require.Len(t, live, 1)

	// What a stale read would have said: dev owns it.
	claimed := live[0]
	claimed.Environment = "dev"
	op := apply.Operation{Action: plan.Delete, ID: claimed.Resource.ID(), Live: &claimed, Environment: "dev"}
	res := d.Apply(context.Background(), []apply.Operation{op}, apply.Options{Strategy: apply.StrategyResources})
	require.Len(t, res, 1)
	assert.Equal(t, apply.Skipped, res[0].Status)
	assert.Contains(t, res[0].Message, `applied by environment "staging", not "dev"`)
	assert.Contains(t, serverState(t, run.URL), claimed.Resource.ID().Key())
}
