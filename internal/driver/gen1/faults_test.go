package gen1_test

import (
	"context"
	"fmt"
	"maps"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// testLayer is a small layer the emulator accepts.
func testLayer(name string, srid int64) *resource.Resource {
	return &resource.Resource{APIVersion: resource.APIVersion, Kind: "Layer", Metadata: resource.Metadata{Name: name, Namespace: "default"},
		Spec: map[string]any{"tableName": name, "schemaName": "public", "geometryType": "Point", "srid": srid}}
}

func layerSet(specs ...any) []*resource.Resource {
	var out []*resource.Resource
	for i := 0; i < len(specs); i += 2 {
		out = append(out, testLayer(specs[i].(string), int64(specs[i+1].(int))))
	}
	return out
}

func emulatorID(r *resource.Resource) emulator.Identity {
	return emulator.Identity{Kind: r.Kind, Namespace: r.Metadata.Namespace, Name: r.Metadata.Name}
}

func resultFor(t *testing.T, out *apply.Outcome, name string) apply.Result {
	t.Helper()
	for _, r := range out.Results {
		if r.Name == name {
			return r
		}
	}
	require.Failf(t, "no result", "no result for %s in %+v", name, out.Results)
	return apply.Result{}
}

// assertRecordedIs checks that recorded state holds exactly want.
func assertRecordedIs(t *testing.T, want, recorded []*resource.Resource) {
	t.Helper()
	got := map[resource.Identity]*resource.Resource{}
	for _, r := range recorded {
		got[r.ID().Key()] = r
	}
	assert.Len(t, got, len(want), "recorded: %v", ids(recorded))
	for _, w := range want {
		g := got[w.ID().Key()]
		if assert.NotNil(t, g, "%s not recorded", w.ID()) {
			assert.Empty(t, apply.Differences(w, g), "%s recorded differently", w.ID())
		}
	}
}

func ids(rs []*resource.Resource) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID().String())
	}
	return out
}

// A write that landed but whose answer was lost (a 500, or a 503 the client
// retried into a 412) is confirmed by reading it back and journaled as
// applied, for creates, updates and deletes through both strategies.
func TestLostAnswerOfALandedWriteIsApplied(t *testing.T) {
	cases := []struct {
		action            string
		before, desired   []*resource.Resource
		faulty            *resource.Resource
		wantOnServerAfter bool
	}{
		{"create", layerSet("a", 4326), layerSet("a", 4326, "x", 4326), testLayer("x", 0), true},
		{"update", layerSet("a", 4326, "x", 4326), layerSet("a", 4326, "x", 3857), testLayer("x", 0), true},
		{"delete", layerSet("a", 4326, "x", 4326), layerSet("a", 4326), testLayer("x", 0), false},
	}
	for _, strategy := range []apply.Strategy{apply.StrategyManifest, apply.StrategyResources} {
		for _, status := range []int{500, 503} {
			for _, tc := range cases {
				t.Run(fmt.Sprintf("%s/%s/%d", strategy, tc.action, status), func(t *testing.T) {
					run := startEmulator(t, emulator.Options{})
					d := open(t, run.URL)
					base, err := apply.Run(context.Background(), d, request(tc.before, nil, strategy))
					require.NoError(t, err)
					require.False(t, base.Failed(), "%+v", base.Results)

					// Exactly one write loses its answer: the faulty resource's
					// first write lands, and every later request is answered.
					require.NoError(t, run.Server.SetFaults(emulator.Faults{FailNthWrite: 1, WriteStatus: status, When: emulator.FaultAfter}))
					out, err := apply.Run(context.Background(), d, request(tc.desired, base.Recorded, strategy))
					require.NoError(t, err)
					require.NoError(t, run.Server.SetFaults(emulator.Faults{}))

					r := resultFor(t, out, tc.faulty.Metadata.Name)
					assert.Equal(t, apply.Applied, r.Status, "%s: %s", r.ID(), r.Message)
					assert.False(t, out.Failed(), "%+v %v", out.Results, out.Problems)
					assertRecordedIs(t, tc.desired, out.Recorded)
					assertServerMatches(t, run.URL, tc.desired)
					_, onServer := serverState(t, run.URL)[tc.faulty.ID().Key()]
					assert.Equal(t, tc.wantOnServerAfter, onServer)
				})
			}
		}
	}
}

// A manifest apply that stops at one failing resource is journaled entry by
// entry: what landed before it is applied and recorded, the failing one
// carries the server's error, and the rest say where the apply stopped.
func TestManifestPartialFailureIsReportedPerEntry(t *testing.T) {
	run := startEmulator(t, emulator.Options{})
	d := open(t, run.URL)
	before := layerSet("a", 4326)
	base, err := apply.Run(context.Background(), d, request(before, nil, apply.StrategyManifest))
	require.NoError(t, err)

	desired := layerSet("a", 3857, "l1", 4326, "l2", 4326, "l3", 4326, "l4", 4326, "l5", 4326, "l6", 4326)
	failing := testLayer("l4", 4326)
	require.NoError(t, run.Server.SetFaults(emulator.Faults{FailResource: emulatorID(failing)}))
	out, err := apply.Run(context.Background(), d, request(desired, base.Recorded, apply.StrategyManifest))
	require.NoError(t, err)
	require.NoError(t, run.Server.SetFaults(emulator.Faults{}))

	landed := []string{"a", "l1", "l2", "l3"}
	for _, name := range landed {
		r := resultFor(t, out, name)
		assert.Equal(t, apply.Applied, r.Status, "%s: %s", name, r.Message)
		assert.Contains(t, r.Message, "landed before the manifest apply failed", name)
	}
	r := resultFor(t, out, "l4")
	assert.Equal(t, apply.Failed, r.Status)
	assert.Contains(t, r.Message, "write to Layer/default/l4 failed", "the server's error for the failing resource")
	for _, name := range []string{"l5", "l6"} {
		r := resultFor(t, out, name)
		assert.Equal(t, apply.Failed, r.Status, name)
		assert.Contains(t, r.Message, "not applied: the manifest apply stopped at Layer/default/l4: ", name)
	}
	assertRecordedIs(t, desired[:4], out.Recorded)
	assertServerMatches(t, run.URL, desired[:4])
}

// RollbackOnFailure reverts exactly what landed, whatever the strategy:
// afterwards the server and the recorded state are the starting state.
func TestRollbackOnFailureRevertsWhatLanded(t *testing.T) {
	for _, strategy := range []apply.Strategy{apply.StrategyManifest, apply.StrategyResources} {
		t.Run(string(strategy), func(t *testing.T) {
			run := startEmulator(t, emulator.Options{})
			d := open(t, run.URL)
			before := layerSet("a", 4326, "b", 4326, "c", 4326)
			base, err := apply.Run(context.Background(), d, request(before, nil, strategy))
			require.NoError(t, err)
			require.False(t, base.Failed())

			// Update a, delete b, create d, e, f; e fails.
			desired := layerSet("a", 3857, "c", 4326, "d", 4326, "e", 4326, "f", 4326)
			require.NoError(t, run.Server.SetFaults(emulator.Faults{FailResource: emulatorID(testLayer("e", 0))}))
			req := request(desired, base.Recorded, strategy)
			req.RollbackOnFailure = true
			out, err := apply.Run(context.Background(), d, req)
			require.NoError(t, err)
			require.NoError(t, run.Server.SetFaults(emulator.Faults{}))

			assert.True(t, out.Failed())
			require.NotEmpty(t, out.RolledBack, "something landed, so something is rolled back")
			for _, r := range out.RolledBack {
				assert.Equal(t, apply.Applied, r.Status, "%s: %s", r.ID(), r.Message)
			}
			assertServerMatches(t, run.URL, before)
			assertRecordedIs(t, before, out.Recorded)
		})
	}
}

// concurrentEditor edits a resource from another client while one of our
// writes is in the server, through the BeforeCommit hook: deterministic.
type concurrentEditor struct {
	url    string
	target emulator.Identity
	armed  atomic.Bool
	edited atomic.Bool
	srid   int64
}

// hook makes the edit once, on the first write to the target after arm.
func (e *concurrentEditor) hook(ctx context.Context, id emulator.Identity) {
	if id != e.target || !e.armed.CompareAndSwap(true, false) {
		return
	}
	c, err := honua.New(honua.Config{BaseURL: e.url, Credential: key})
	if err != nil {
		return
	}
	rid := resource.Identity{Kind: id.Kind, Namespace: id.Namespace, Name: id.Name}
	cur, err := c.GetResource(ctx, rid)
	if err != nil {
		return
	}
	edit := *cur.Resource
	edit.Spec = maps.Clone(cur.Resource.Spec)
	edit.Spec["srid"] = e.srid
	edit.Metadata.Annotations = cur.Annotations // the admin UI keeps them
	if _, err := c.UpdateResource(ctx, &edit, cur.ETag); err == nil {
		e.edited.Store(true)
	}
}

// When our write fails and someone else edits the resource before the
// retry, the retry sees a version neither the plan nor our write produced:
// the driver stops and says so instead of writing over the edit.
func TestRetryNeverOverwritesAConcurrentEdit(t *testing.T) {
	tests := []struct {
		action  string
		desired []*resource.Resource
	}{
		{"update", layerSet("a", 4326, "x", 3857)},
		{"delete", layerSet("a", 4326)},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			editor := &concurrentEditor{target: emulatorID(testLayer("x", 0)), srid: 2056}
			run := startEmulator(t, emulator.Options{Hooks: emulator.Hooks{BeforeCommit: editor.hook}})
			editor.url = run.URL
			d := open(t, run.URL)
			before := layerSet("a", 4326, "x", 4326)
			base, err := apply.Run(context.Background(), d, request(before, nil, apply.StrategyResources))
			require.NoError(t, err)
			require.False(t, base.Failed())

			// Write 1 is the editor's (inside our write), write 2 is ours and
			// fails before landing: our driver retries after the edit.
			require.NoError(t, run.Server.SetFaults(emulator.Faults{FailNthWrite: 2}))
			editor.armed.Store(true)
			out, err := apply.Run(context.Background(), d, request(tt.desired, base.Recorded, apply.StrategyResources))
			require.NoError(t, err)
			require.True(t, editor.edited.Load(), "the concurrent edit happened")

			r := resultFor(t, out, "x")
			assert.Equal(t, apply.Failed, r.Status)
			assert.Contains(t, r.Message, "changed on the server by someone else during apply")
			assert.Contains(t, r.Message, "honua-gitops drift")
			assert.Contains(t, r.Message, "re-run plan")
			got := serverState(t, run.URL)[testLayer("x", 0).ID().Key()]
			require.NotNil(t, got, "x is still on the server")
			assert.Equal(t, int64(2056), got.Spec["srid"], "the concurrent edit survives")
			assertRecordedIs(t, before, out.Recorded)
		})
	}
}

// A write that landed in an earlier, unrecorded apply is found already as
// desired and not written again.
func TestAlreadyAsDesiredIsNotWrittenAgain(t *testing.T) {
	for _, strategy := range []apply.Strategy{apply.StrategyManifest, apply.StrategyResources} {
		t.Run(string(strategy), func(t *testing.T) {
			run := startEmulator(t, emulator.Options{})
			d := open(t, run.URL)
			base, err := apply.Run(context.Background(), d, request(layerSet("x", 4326), nil, strategy))
			require.NoError(t, err)
			desired := layerSet("x", 3857)
			lost, err := apply.Run(context.Background(), d, request(desired, base.Recorded, strategy))
			require.NoError(t, err)
			require.False(t, lost.Failed()) // ... and its recorded state is lost
			c, err := honua.New(honua.Config{BaseURL: run.URL, Credential: key})
			require.NoError(t, err)
			before, err := c.GetResource(context.Background(), desired[0].ID())
			require.NoError(t, err)

			out, err := apply.Run(context.Background(), d, request(desired, base.Recorded, strategy))
			require.NoError(t, err)
			r := resultFor(t, out, "x")
			assert.Equal(t, apply.Applied, r.Status)
			assert.Equal(t, "already as desired on the server", r.Message)
			after, err := c.GetResource(context.Background(), desired[0].ID())
			require.NoError(t, err)
			assert.Equal(t, before.ResourceVersion, after.ResourceVersion, "not written again")
			assertRecordedIs(t, desired, out.Recorded)
		})
	}
}

// A manifest the server refuses (400: Honua validates before applying)
// wrote nothing, and every entry says so rather than naming a stop point.
func TestRefusedManifestAppliesNothing(t *testing.T) {
	run := startEmulator(t, emulator.Options{})
	d := open(t, run.URL)
	invalid := testLayer("b", 4326)
	delete(invalid.Spec, "srid")
	out, err := apply.Run(context.Background(), d, request([]*resource.Resource{testLayer("a", 4326), invalid}, nil, apply.StrategyManifest))
	require.NoError(t, err)
	for _, r := range out.Results {
		assert.Equal(t, apply.Failed, r.Status, r.Name)
		assert.Contains(t, r.Message, "not applied: the server refused the manifest apply: ", r.Name)
		assert.Contains(t, r.Message, "spec.srid is required", r.Name)
		assert.Equal(t, 1, r.Attempts, "a refusal is not retried")
	}
	assert.Empty(t, serverState(t, run.URL))
	assert.Empty(t, out.Recorded)
}
