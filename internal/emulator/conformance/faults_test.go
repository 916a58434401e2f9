package conformance

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

func faults(f emulator.Faults) func(*emulator.Options) {
	return func(o *emulator.Options) { o.Faults = f }
}

var layerA = emulator.Identity{Kind: "Layer", Namespace: "default", Name: "a"}

// Every fault kind, timed before and after the write. Before: the write
// fails and nothing changes. After: the write happens and only the answer
// is lost or replaced by an error.
func TestWriteFaultsBeforeAndAfter(t *testing.T) {
	t.Parallel()
	kinds := []struct {
		name    string
		faults  emulator.Faults
		dropped bool
	}{
		{"error rate", emulator.Faults{ErrorRate: 1}, false},
		{"fail nth write", emulator.Faults{FailNthWrite: 1}, false},
		{"fail resource", emulator.Faults{FailResource: layerA}, false},
		{"drop connection", emulator.Faults{DropRate: 1}, true},
	}
	for _, k := range kinds {
		for _, when := range []emulator.FaultTiming{emulator.FaultBefore, emulator.FaultAfter} {
			t.Run(k.name+" "+string(when), func(t *testing.T) {
				t.Parallel()
				f := k.faults
				f.When = when
				s := start(t, faults(f))
				r, err := s.try(http.MethodPost, resAPI, layer("a"))
				if k.dropped {
					require.Error(t, err, "the connection is closed without an answer")
				} else {
					require.NoError(t, err)
					assert.Contains(t, []int{500, 503}, r.status, "body: %s", r.body)
					r.problem(t, r.status)
					assert.NotEmpty(t, r.header.Get("X-Honua-Emulator-Fault"))
				}
				require.NoError(t, s.run.Server.SetFaults(emulator.Faults{}))
				_, _, found := s.get("Layer", "default", "a")
				assert.Equal(t, when == emulator.FaultAfter, found, "after the write it happened; before it, it did not")
			})
		}
	}
}

// A manifest apply writes one resource at a time without a transaction: a
// fault on the second write leaves the first (and, when timed after, the
// second) in place, answers 500 and stores no version.
func TestApplyPartialFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults emulator.Faults
		exist  []bool // a, b, c
	}{
		{"nth write before", emulator.Faults{FailNthWrite: 2, When: emulator.FaultBefore}, []bool{true, false, false}},
		{"nth write after", emulator.Faults{FailNthWrite: 2, When: emulator.FaultAfter}, []bool{true, true, false}},
		{"resource before", emulator.Faults{FailResource: emulator.Identity{Kind: "Layer", Namespace: "default", Name: "b"}}, []bool{true, false, false}},
		{"resource after", emulator.Faults{FailResource: emulator.Identity{Kind: "Layer", Namespace: "default", Name: "b"}, When: emulator.FaultAfter}, []bool{true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, faults(tt.faults))
			r := s.do(http.MethodPost, admin+"/manifest/apply", applyBody(false, false, layer("a"), layer("b"), layer("c")))
			r.problem(t, http.StatusInternalServerError)
			require.NoError(t, s.run.Server.SetFaults(emulator.Faults{}))
			for i, name := range []string{"a", "b", "c"} {
				_, _, found := s.get("Layer", "default", name)
				assert.Equal(t, tt.exist[i], found, name)
			}
			assert.Empty(t, s.do(http.MethodGet, admin+"/manifest/versions", nil).dataObj(t, http.StatusOK)["versions"])
		})
	}
	t.Run("prune delete", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		s.apply(applyBody(false, false, layer("a"), layer("b")))
		require.NoError(t, s.run.Server.SetFaults(emulator.Faults{FailNthWrite: 1, When: emulator.FaultAfter}))
		s.do(http.MethodPost, admin+"/manifest/apply", applyBody(false, true, layer("a"))).problem(t, http.StatusInternalServerError)
		require.NoError(t, s.run.Server.SetFaults(emulator.Faults{}))
		_, _, found := s.get("Layer", "default", "b")
		assert.False(t, found, "the delete happened before its answer was lost")
	})
	t.Run("dry run writes nothing, so write faults cannot fire", func(t *testing.T) {
		t.Parallel()
		s := start(t, faults(emulator.Faults{FailNthWrite: 1}))
		s.apply(applyBody(true, false, layer("a")))
	})
}

// Latency timed before delays the write; timed after, the write (and the
// state file) is done before the delay. The state file shows which.
func TestLatencyBeforeAndAfter(t *testing.T) {
	t.Parallel()
	const delay = 400 * time.Millisecond
	for _, when := range []emulator.FaultTiming{emulator.FaultBefore, emulator.FaultAfter} {
		t.Run(string(when), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state.json")
			s := start(t, stateFile(path), faults(emulator.Faults{Latency: delay, When: when}))
			begin := time.Now()
			done := make(chan response, 1)
			go func() { done <- s.do(http.MethodPost, resAPI, layer("a")) }()
			if when == emulator.FaultAfter {
				assert.Eventually(t, func() bool { _, err := os.Stat(path); return err == nil }, delay/2, 5*time.Millisecond,
					"the write is persisted before the delayed answer")
			} else {
				time.Sleep(delay / 4)
				_, err := os.Stat(path)
				assert.True(t, os.IsNotExist(err), "nothing is written during the delay")
			}
			r := <-done
			r.data(t, http.StatusCreated)
			assert.GreaterOrEqual(t, time.Since(begin), delay)
		})
	}
}

// Random faults are deterministic for a seed; health checks are exempt.
func TestFaultDeterminism(t *testing.T) {
	t.Parallel()
	f := emulator.Faults{ErrorRate: 0.5, Latency: time.Millisecond, Jitter: 2 * time.Millisecond, Seed: 42}
	statuses := func() []int {
		s := start(t, faults(f))
		var out []int
		for range 24 {
			out = append(out, s.do(http.MethodGet, admin+"/version", nil).status)
		}
		return out
	}
	a, b := statuses(), statuses()
	assert.Equal(t, a, b)
	assert.Contains(t, a, http.StatusOK)
	assert.True(t, containsAny(a, 500, 503), "%v", a)

	s := start(t, faults(emulator.Faults{ErrorRate: 1, DropRate: 1}))
	assert.Equal(t, http.StatusOK, s.do(http.MethodGet, "/healthz/ready", nil, noAuth).status)
}

func containsAny(xs []int, want ...int) bool {
	for _, x := range xs {
		for _, w := range want {
			if x == w {
				return true
			}
		}
	}
	return false
}
