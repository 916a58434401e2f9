package gen1_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// manyLayers returns n layers named prefix1..prefixN.
func manyLayers(prefix string, n int) []*resource.Resource {
	out := make([]*resource.Resource, n)
	for i := range out {
		out[i] = testLayer(fmt.Sprintf("%s%02d", prefix, i+1), 4326)
	}
	return out
}

// assertRecordedIsServer checks that recorded state is exactly what the
// server holds.
func assertRecordedIsServer(t *testing.T, url string, recorded []*resource.Resource) {
	t.Helper()
	server := serverState(t, url)
	assert.Len(t, recorded, len(server), "recorded %v", ids(recorded))
	for _, r := range recorded {
		g := server[r.ID().Key()]
		if assert.NotNil(t, g, "%s recorded but not on the server", r.ID()) {
			assert.Empty(t, apply.Differences(r, g), "%s recorded differently from the server", r.ID())
		}
	}
}

// Closing Stop mid-apply lets the writes in flight finish, starts no new
// one, skips the rest, still reads back (without Verify) and does not roll
// back; what is recorded is exactly what is on the server.
func TestStopInterruptsBetweenWrites(t *testing.T) {
	tests := []struct {
		name        string
		concurrency int
		// wantApplied bounds the writes that finish: the one whose result
		// closes Stop plus those already in flight.
		minApplied, maxApplied int
	}{
		{"sequential", 1, 1, 1},
		{"concurrent", 3, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := startEmulator(t, emulator.Options{})
			d := open(t, run.URL)
			require.NoError(t, run.Server.SetFaults(emulator.Faults{Latency: 20 * time.Millisecond}))

			stop := make(chan struct{})
			var once sync.Once
			req := request(manyLayers("l", 8), nil, apply.StrategyResources)
			req.Verify = false
			req.RollbackOnFailure = true
			req.Options.Concurrency = tt.concurrency
			req.Options.Stop = stop
			req.Options.Progress = func(apply.Result) { once.Do(func() { close(stop) }) }
			out, err := apply.Run(context.Background(), d, req)
			require.NoError(t, err)

			assert.True(t, out.Interrupted)
			counts := out.Counts()
			assert.GreaterOrEqual(t, counts[apply.Applied], tt.minApplied)
			assert.LessOrEqual(t, counts[apply.Applied], tt.maxApplied)
			assert.Equal(t, 8-counts[apply.Applied], counts[apply.Skipped], "%+v", out.Results)
			for _, r := range out.Results {
				if r.Status == apply.Skipped {
					assert.Equal(t, apply.MessageInterrupted, r.Message)
				}
			}
			assert.True(t, out.Verified, "an interrupted apply is read back")
			assert.Empty(t, out.RolledBack, "an interruption never starts a rollback")
			require.NoError(t, run.Server.SetFaults(emulator.Faults{}))
			assertRecordedIsServer(t, run.URL, out.Recorded)
		})
	}
}

// A manifest apply in flight when Stop closes finishes; the deletes after it
// are not started.
func TestStopDuringAManifestApply(t *testing.T) {
	stop := make(chan struct{})
	var once sync.Once
	var armed atomic.Bool
	run := startEmulator(t, emulator.Options{Hooks: emulator.Hooks{BeforeCommit: func(context.Context, emulator.Identity) {
		if armed.Load() {
			once.Do(func() { close(stop) })
		}
	}}})
	d := open(t, run.URL)
	base, err := apply.Run(context.Background(), d, request(layerSet("old1", 4326, "old2", 4326), nil, apply.StrategyManifest))
	require.NoError(t, err)

	armed.Store(true)
	req := request(manyLayers("new", 4), base.Recorded, apply.StrategyManifest)
	req.Options.Stop = stop
	out, err := apply.Run(context.Background(), d, req)
	require.NoError(t, err)

	assert.True(t, out.Interrupted)
	for _, r := range out.Results {
		switch r.Action {
		case "delete":
			assert.Equal(t, apply.Skipped, r.Status, r.Name)
			assert.Equal(t, apply.MessageInterrupted, r.Message, r.Name)
		default:
			assert.Equal(t, apply.Applied, r.Status, "%s: %s", r.Name, r.Message)
		}
	}
	assertRecordedIsServer(t, run.URL, out.Recorded)
}

// Cancelling ctx while a write is in flight is a hard abort: that write's
// outcome is unknown, so it is failed and not recorded, and nothing else
// starts.
func TestCancelledContextMidWrite(t *testing.T) {
	for _, strategy := range []apply.Strategy{apply.StrategyManifest, apply.StrategyResources} {
		t.Run(string(strategy), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			target := emulatorID(testLayer("l02", 0))
			run := startEmulator(t, emulator.Options{Hooks: emulator.Hooks{BeforeCommit: func(_ context.Context, id emulator.Identity) {
				if id == target {
					cancel()
					time.Sleep(20 * time.Millisecond) // the client gives up before the answer
				}
			}}})
			d := open(t, run.URL)
			req := request(manyLayers("l", 4), nil, strategy)
			req.Options.Concurrency = 1
			req.RollbackOnFailure = true
			out, err := apply.Run(ctx, d, req)
			require.NoError(t, err)

			assert.True(t, out.Interrupted)
			// The server commits l02 after the client gave up; the engine's
			// read-back may see it or not, and records exactly what it saw.
			r := resultFor(t, out, "l02")
			if r.Status == apply.Applied {
				assert.Equal(t, "landed before the interrupt (read back)", r.Message)
				assert.Contains(t, ids(out.Recorded), "Layer/default/l02")
			} else {
				assert.Equal(t, apply.Failed, r.Status)
				assert.Equal(t, apply.MessageOutcomeUnknown, r.Message)
				assert.NotContains(t, ids(out.Recorded), "Layer/default/l02", "an unknown outcome is not recorded")
			}
			for _, r := range out.Results {
				if r.Status == apply.Skipped {
					assert.Equal(t, apply.MessageInterrupted, r.Message, r.Name)
				}
			}
			assert.Empty(t, out.RolledBack)
		})
	}
}
