package gen1_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/resource"
)

const key = "integration-test-key"

func startEmulator(t testing.TB, opts emulator.Options) *emulator.Running {
	t.Helper()
	opts.APIKey = key
	run, err := emulator.Start(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	return run
}

func open(t testing.TB, url string) apply.Driver {
	t.Helper()
	c, err := driver.Open(context.Background(), driver.Target{Name: "emulator", URL: url, Credential: key}, nil)
	require.NoError(t, err)
	return c.Driver
}

// exampleDesired is the staging environment of examples/honua-config.
func exampleDesired(t testing.TB) []*resource.Resource {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	// The loader, not the use case: this package's tests must not depend on
	// the layers above the driver.
	cfg, d := config.Load(filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "honua-config"))
	require.False(t, d.HasErrors(), "%v", d)
	env, d := loader.New(cfg).Load(context.Background(), "staging")
	require.False(t, d.HasErrors(), "%v", d)
	return env.Resources()
}

// serverState reads the emulator without faults, through the client.
func serverState(t testing.TB, url string) map[resource.Identity]*resource.Resource {
	t.Helper()
	c, err := honua.New(honua.Config{BaseURL: url, Credential: key})
	require.NoError(t, err)
	objs, err := c.ListResources(context.Background(), "", "")
	require.NoError(t, err)
	out := map[resource.Identity]*resource.Resource{}
	for _, o := range objs {
		out[o.Resource.ID().Key()] = o.Resource
	}
	return out
}

func request(desired, recorded []*resource.Resource, strategy apply.Strategy) apply.Request {
	return apply.Request{Environment: "staging", Desired: desired, Recorded: recorded, Verify: true,
		Secrets: func(string) (string, bool) { return "", false },
		Options: apply.Options{Strategy: strategy, Concurrency: 8}}
}

func assertServerMatches(t *testing.T, url string, want []*resource.Resource) {
	t.Helper()
	got := serverState(t, url)
	assert.Len(t, got, len(want))
	for _, w := range want {
		g := got[w.ID().Key()]
		if assert.NotNil(t, g, "%s missing on the server", w.ID()) {
			assert.Empty(t, apply.Differences(w, g), "%s differs on the server", w.ID())
		}
	}
}

func TestStrategiesConverge(t *testing.T) {
	tests := []struct {
		name     string
		edition  emulator.Edition
		strategy apply.Strategy
	}{
		{"manifest on enterprise", emulator.EditionEnterprise, apply.StrategyManifest},
		{"resources on enterprise", emulator.EditionEnterprise, apply.StrategyResources},
		{"auto on community falls back to resources", emulator.EditionCommunity, apply.StrategyAuto},
		{"manifest on community falls back to resources", emulator.EditionCommunity, apply.StrategyManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := startEmulator(t, emulator.Options{Edition: tt.edition})
			d := open(t, run.URL)
			desired := exampleDesired(t)
			out, err := apply.Run(context.Background(), d, request(desired, nil, tt.strategy))
			require.NoError(t, err)
			require.False(t, out.Failed(), "%+v %v", out.Results, out.Problems)
			assert.Len(t, out.Results, len(desired))
			assertServerMatches(t, run.URL, desired)
			assert.Len(t, out.Recorded, len(desired))

			again, err := apply.Run(context.Background(), d, request(desired, out.Recorded, tt.strategy))
			require.NoError(t, err)
			assert.False(t, again.Plan.HasChanges(), "a second apply has nothing to do")
			assert.Empty(t, again.Drift)

			// Delete everything through the same strategy: only ours goes.
			gone, err := apply.Run(context.Background(), d, request(nil, out.Recorded, tt.strategy))
			require.NoError(t, err)
			require.False(t, gone.Failed(), "%+v", gone.Results)
			assert.Empty(t, serverState(t, run.URL))
			assert.Empty(t, gone.Recorded)
		})
	}
}

// With 20% of requests failing (500/503), 5% of connections dropped and
// random latency, an apply may
// fail, but it never reports a write as applied that is not on the server,
// never records one, and repeated applies converge.
func TestChaosNeverReportsFalseSuccess(t *testing.T) {
	for _, when := range []emulator.FaultTiming{emulator.FaultBefore, emulator.FaultAfter} {
		for _, strategy := range []apply.Strategy{apply.StrategyManifest, apply.StrategyResources} {
			t.Run(fmt.Sprintf("%s/%s", strategy, when), func(t *testing.T) {
				run := startEmulator(t, emulator.Options{})
				d := open(t, run.URL)
				desired := exampleDesired(t)
				var recorded []*resource.Resource
				converged := false
				for attempt := 1; attempt <= 12 && !converged; attempt++ {
					require.NoError(t, run.Server.SetFaults(emulator.Faults{ErrorRate: 0.2, DropRate: 0.05, Latency: time.Millisecond, Jitter: 3 * time.Millisecond,
						When: when, Seed: uint64(attempt)}))
					out, err := apply.Run(context.Background(), d, request(desired, recorded, strategy))
					require.NoError(t, run.Server.SetFaults(emulator.Faults{}))
					if err != nil {
						// Nothing was written when the run stops before writing
						// (live state unreadable); the journal is empty.
						continue
					}
					server := serverState(t, run.URL)
					for _, r := range out.Results {
						if r.Status == apply.Applied && r.Action != "delete" {
							g := server[r.ID().Key()]
							require.NotNil(t, g, "%s reported applied but is not on the server", r.ID())
						}
					}
					for _, r := range out.Recorded {
						g := server[r.ID().Key()]
						require.NotNil(t, g, "%s recorded but not on the server", r.ID())
						require.Empty(t, apply.Differences(r, g), "%s recorded differently from the server", r.ID())
					}
					recorded = out.Recorded
					converged = !out.Failed() && len(out.Recorded) == len(desired)
				}
				require.True(t, converged, "repeated applies converge")
				assertServerMatches(t, run.URL, desired)
			})
		}
	}
}

// A resource someone created by hand is never deleted: not when it shares
// a kind and namespace with managed ones (Honua's prune would), and not when
// recorded state names it but the server's copy lost the ownership mark.
func TestUnmanagedResourcesAreNeverDeleted(t *testing.T) {
	for _, strategy := range []apply.Strategy{apply.StrategyManifest, apply.StrategyResources} {
		t.Run(string(strategy), func(t *testing.T) {
			run := startEmulator(t, emulator.Options{})
			c, err := honua.New(honua.Config{BaseURL: run.URL, Credential: key})
			require.NoError(t, err)
			handMade := &resource.Resource{APIVersion: resource.APIVersion, Kind: "Layer", Metadata: resource.Metadata{Name: "hand-made", Namespace: "planning"},
				Spec: map[string]any{"tableName": "t", "schemaName": "s", "geometryType": "Point", "srid": int64(4326)}}
			_, err = c.CreateResource(context.Background(), handMade)
			require.NoError(t, err)

			d := open(t, run.URL)
			desired := exampleDesired(t)
			out, err := apply.Run(context.Background(), d, request(desired, nil, strategy))
			require.NoError(t, err)
			require.False(t, out.Failed())
			// Remove everything the repository declares; claim the hand-made
			// layer in recorded state too.
			recorded := append(out.Recorded, handMade)
			gone, err := apply.Run(context.Background(), d, request(nil, recorded, strategy))
			require.NoError(t, err)
			server := serverState(t, run.URL)
			assert.Len(t, server, 1)
			assert.Contains(t, server, handMade.ID().Key())
			var skipped []string
			for _, r := range gone.Results {
				if r.Status == apply.Skipped {
					skipped = append(skipped, r.ID().String())
				}
			}
			assert.Equal(t, []string{"Layer/planning/hand-made"}, skipped)
		})
	}
}
