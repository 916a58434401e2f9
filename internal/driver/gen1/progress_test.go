package gen1_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Progress hears every result once, with its final status, never two at a
// time: the driver's writes (applied, failed, skipped after a failure) and
// the results the engine makes itself (already absent, not owned).
func TestProgressReportsEachResultOnce(t *testing.T) {
	for _, strategy := range []apply.Strategy{apply.StrategyManifest, apply.StrategyResources} {
		t.Run(string(strategy), func(t *testing.T) {
			run := startEmulator(t, emulator.Options{})
			d := open(t, run.URL)
			base, err := apply.Run(context.Background(), d, request(layerSet("a", 4326, "b", 4326, "d", 4326), nil, strategy))
			require.NoError(t, err)
			c, err := honua.New(honua.Config{BaseURL: run.URL, Credential: key})
			require.NoError(t, err)
			hand := testLayer("hand", 4326)
			_, err = c.CreateResource(context.Background(), hand)
			require.NoError(t, err)
			b, err := c.GetResource(context.Background(), testLayer("b", 0).ID())
			require.NoError(t, err)
			require.NoError(t, c.DeleteResource(context.Background(), b.ID, b.ETag))

			require.NoError(t, run.Server.SetFaults(emulator.Faults{FailResource: emulatorID(testLayer("e", 0)), Latency: time.Millisecond}))
			var (
				mu       sync.Mutex
				heard    = map[resource.Identity][]apply.Result{}
				inside   atomic.Int32
				overlaps atomic.Int32
			)
			req := request(layerSet("a", 3857, "c", 4326, "e", 4326, "f", 4326), append(base.Recorded, hand), strategy)
			req.Options.Progress = func(r apply.Result) {
				if inside.Add(1) > 1 {
					overlaps.Add(1)
				}
				defer inside.Add(-1)
				time.Sleep(time.Millisecond) // widen any overlap
				mu.Lock()
				defer mu.Unlock()
				heard[r.ID().Key()] = append(heard[r.ID().Key()], r)
			}
			out, err := apply.Run(context.Background(), d, req)
			require.NoError(t, err)

			assert.Zero(t, overlaps.Load(), "calls never overlap")
			assert.Len(t, heard, len(out.Results))
			for _, r := range out.Results {
				if assert.Len(t, heard[r.ID().Key()], 1, r.ID().String()) {
					assert.Equal(t, r, heard[r.ID().Key()][0], "the final result")
				}
			}
			assert.Equal(t, "already absent from the server", resultFor(t, out, "b").Message)
			assert.Equal(t, apply.Skipped, resultFor(t, out, "hand").Status)
			assert.Equal(t, apply.Failed, resultFor(t, out, "e").Status)
			assert.Equal(t, apply.Skipped, resultFor(t, out, "d").Status)
		})
	}
}
