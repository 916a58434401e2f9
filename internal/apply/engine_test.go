package apply_test

import (
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// memDriver is an in-memory target. fail makes writes to an identity fail;
// lie makes it report a write as applied without doing it.
type memDriver struct {
	mu      sync.Mutex
	objects map[resource.Identity]apply.LiveObject
	fail    map[string]bool
	lie     map[string]bool
	writes  []apply.Operation
	// liveErr fails every read; lives counts reads.
	liveErr error
	lives   int
	// stopAfter, when positive, closes stop after that many writes and
	// skips the rest as a driver honouring Options.Stop does.
	stopAfter int
	stop      chan struct{}
	// abortAt names a write during which the run is aborted (cancel is
	// called): it lands when abortLands, and either way its answer is lost.
	abortAt    string
	abortLands bool
	cancel     context.CancelFunc
}

func newMem() *memDriver {
	return &memDriver{objects: map[resource.Identity]apply.LiveObject{}, fail: map[string]bool{}, lie: map[string]bool{}}
}

func (m *memDriver) Generation() string { return "Generation 1" }

func (m *memDriver) Describe() string { return "memory" }

func (m *memDriver) Live(context.Context, apply.Scope) ([]apply.LiveObject, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lives++
	if m.liveErr != nil {
		return nil, m.liveErr
	}
	var out []apply.LiveObject
	for _, o := range m.objects {
		out = append(out, o)
	}
	return out, nil
}

func (m *memDriver) Apply(_ context.Context, ops []apply.Operation, opts apply.Options) []apply.Result {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []apply.Result
	for _, op := range ops {
		if m.stopAfter > 0 && len(m.writes) == m.stopAfter {
			close(m.stop)
			m.stopAfter = 0
		}
		if opts.Stopped() {
			out = append(out, apply.ResultFor(op, apply.Skipped, apply.MessageInterrupted))
			continue
		}
		m.writes = append(m.writes, op)
		switch {
		case m.abortAt == op.ID.Name:
			if m.abortLands {
				m.objects[op.ID.Key()] = live(op.Desired)
			}
			m.cancel()
			out = append(out, apply.ResultFor(op, apply.Failed, apply.MessageOutcomeUnknown))
		case m.abortAt != "" && len(m.writes) > 1 && m.writes[len(m.writes)-2].ID.Name == m.abortAt:
			out = append(out, apply.ResultFor(op, apply.Skipped, apply.MessageInterrupted))
		case opts.DryRun:
			out = append(out, apply.ResultFor(op, apply.Planned, ""))
		case m.fail[op.ID.Name]:
			out = append(out, apply.ResultFor(op, apply.Failed, "injected failure"))
		case m.lie[op.ID.Name]:
			out = append(out, apply.ResultFor(op, apply.Applied, ""))
		case op.Action == plan.Delete:
			delete(m.objects, op.ID.Key())
			out = append(out, apply.ResultFor(op, apply.Applied, ""))
		default:
			m.objects[op.ID.Key()] = live(op.Desired)
			out = append(out, apply.ResultFor(op, apply.Applied, ""))
		}
	}
	return out
}

func (m *memDriver) WaitReady(context.Context, time.Duration) error { return nil }

// live is what a server returns: canonical, with the ownership annotation
// recognised and stripped.
func live(r *resource.Resource) apply.LiveObject {
	c := *r
	c.Spec = resource.Clone(r.Spec).(map[string]any)
	managed := r.Metadata.Annotations[resource.AnnotationManagedBy] == resource.ManagedByValue
	env := r.Metadata.Annotations[resource.AnnotationEnvironment]
	c.Metadata.Annotations = maps.Clone(r.Metadata.Annotations)
	for k := range c.Metadata.Annotations {
		if resource.IsServerOwnedAnnotation(k) {
			delete(c.Metadata.Annotations, k)
		}
	}
	if len(c.Metadata.Annotations) == 0 {
		c.Metadata.Annotations = nil
	}
	return apply.LiveObject{Resource: &c, Managed: managed, Environment: env}
}

func layer(name string, srid int64) *resource.Resource {
	return &resource.Resource{APIVersion: resource.APIVersion, Kind: "Layer", Metadata: resource.Metadata{Name: name, Namespace: "default"},
		Spec: map[string]any{"tableName": name, "schemaName": "public", "geometryType": "Point", "srid": srid}}
}

func conn(pw string) *resource.Resource {
	return &resource.Resource{APIVersion: resource.APIVersion, Kind: "Connection", Metadata: resource.Metadata{Name: "db", Namespace: "default"},
		Spec: map[string]any{"name": "db", "host": "h", "databaseName": "gis", "password": pw}}
}

func ids(rs []*resource.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID().String())
	}
	return out
}

func request(desired, recorded []*resource.Resource) apply.Request {
	return apply.Request{Environment: "dev", Desired: desired, Recorded: recorded, Verify: true,
		Secrets: func(string) (string, bool) { return "", false }}
}

func TestApplyConvergesAndRecords(t *testing.T) {
	m := newMem()
	out, err := apply.Run(context.Background(), m, request([]*resource.Resource{layer("a", 4326), layer("b", 4326)}, nil))
	require.NoError(t, err)
	assert.False(t, out.Failed())
	assert.Equal(t, []string{"Layer/default/a", "Layer/default/b"}, ids(out.Recorded))
	for _, op := range m.writes {
		assert.Equal(t, resource.ManagedByValue, op.Desired.Metadata.Annotations[resource.AnnotationManagedBy], "every write carries the ownership annotation")
	}
	assert.True(t, out.Verified)

	// Update a, delete b.
	m.writes = nil
	out, err = apply.Run(context.Background(), m, request([]*resource.Resource{layer("a", 3857)}, out.Recorded))
	require.NoError(t, err)
	assert.Equal(t, map[apply.Status]int{apply.Applied: 2}, out.Counts())
	assert.Equal(t, int64(3857), out.Recorded[0].Spec["srid"])
	assert.Len(t, out.Recorded, 1)
}

func TestPartialFailureRecordsOnlyWhatLanded(t *testing.T) {
	m := newMem()
	m.fail["b"] = true
	out, err := apply.Run(context.Background(), m, request([]*resource.Resource{layer("a", 4326), layer("b", 4326), layer("c", 4326)}, nil))
	require.NoError(t, err)
	assert.True(t, out.Failed())
	assert.Equal(t, []string{"Layer/default/a", "Layer/default/c"}, ids(out.Recorded))

	// A re-run continues from there: only b is left to do.
	delete(m.fail, "b")
	m.writes = nil
	out, err = apply.Run(context.Background(), m, request([]*resource.Resource{layer("a", 4326), layer("b", 4326), layer("c", 4326)}, out.Recorded))
	require.NoError(t, err)
	require.Len(t, m.writes, 1)
	assert.Equal(t, "b", m.writes[0].ID.Name)
	assert.Len(t, out.Recorded, 3)
}

func TestVerificationCatchesAWriteThatDidNotLand(t *testing.T) {
	m := newMem()
	m.lie["a"] = true
	out, err := apply.Run(context.Background(), m, request([]*resource.Resource{layer("a", 4326)}, nil))
	require.NoError(t, err)
	require.Len(t, out.Results, 1)
	assert.Equal(t, apply.Failed, out.Results[0].Status)
	assert.Contains(t, out.Results[0].Message, "not found on the server after apply")
	assert.Empty(t, out.Recorded, "never record what is not on the server")
}

func TestDeletesAreOwnershipScoped(t *testing.T) {
	m := newMem()
	handMade := live(layer("hand-made", 4326)) // no managed-by annotation
	m.objects[handMade.Resource.ID().Key()] = handMade
	// Recorded claims it (say, someone replaced its annotations in the UI).
	out, err := apply.Run(context.Background(), m, request(nil, []*resource.Resource{layer("hand-made", 4326)}))
	require.NoError(t, err)
	require.Len(t, out.Results, 1)
	assert.Equal(t, apply.Skipped, out.Results[0].Status)
	assert.Contains(t, m.objects, handMade.Resource.ID().Key(), "never deleted")
	assert.Empty(t, m.writes)

	// A resource on the server that was never recorded is not in any plan.
	out, err = apply.Run(context.Background(), m, request([]*resource.Resource{layer("mine", 4326)}, nil))
	require.NoError(t, err)
	assert.Contains(t, m.objects, handMade.Resource.ID().Key())
	assert.Len(t, out.Results, 1)
}

func TestDriftGuard(t *testing.T) {
	m := newMem()
	out, err := apply.Run(context.Background(), m, request([]*resource.Resource{layer("a", 4326), layer("b", 4326)}, nil))
	require.NoError(t, err)
	recorded := out.Recorded
	// Someone edits a on the server.
	edited := live(layer("a", 2056))
	m.objects[edited.Resource.ID().Key()] = edited
	m.writes = nil

	req := request([]*resource.Resource{layer("a", 4326), layer("b", 3857)}, recorded)
	_, err = apply.Run(context.Background(), m, req)
	var de *apply.DriftError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), "Layer/default/a (spec-drift)")
	assert.Empty(t, m.writes, "the guard refuses before writing")

	req.Guard = apply.GuardWarn
	out, err = apply.Run(context.Background(), m, req)
	require.NoError(t, err)
	assert.Len(t, out.Drift, 1)
	assert.Len(t, m.writes, 1, "warn applies the plan and reports the drift")
	assert.Equal(t, int64(2056), m.objects[edited.Resource.ID().Key()].Resource.Spec["srid"])

	req.Guard = apply.GuardOverwrite
	req.Recorded = out.Recorded
	out, err = apply.Run(context.Background(), m, req)
	require.NoError(t, err)
	assert.False(t, out.Failed(), "%+v", out.Results)
	assert.Equal(t, int64(4326), m.objects[edited.Resource.ID().Key()].Resource.Spec["srid"], "overwrite restores the declared value")
}

func TestSecretsResolvedOnlyForTheWrite(t *testing.T) {
	m := newMem()
	req := request([]*resource.Resource{conn("${secret:DB_PASSWORD}")}, nil)
	var redacted []string
	req.Redact = func(v ...string) { redacted = append(redacted, v...) }

	_, err := apply.Run(context.Background(), m, req)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "secrets not set in the environment: DB_PASSWORD")
	assert.Empty(t, m.writes, "nothing is written when a secret is missing")

	req.Secrets = func(n string) (string, bool) { return "s3cret-pw", n == "DB_PASSWORD" }
	out, err := apply.Run(context.Background(), m, req)
	require.NoError(t, err)
	require.False(t, out.Failed(), "%+v", out.Results)
	assert.Equal(t, "s3cret-pw", m.writes[0].Desired.Spec["password"])
	assert.Equal(t, "${secret:DB_PASSWORD}", out.Recorded[0].Spec["password"], "state keeps the placeholder")
	assert.Equal(t, []string{"s3cret-pw"}, redacted)
}

func TestRollbackOnFailure(t *testing.T) {
	m := newMem()
	out, err := apply.Run(context.Background(), m, request([]*resource.Resource{layer("a", 4326), layer("b", 4326)}, nil))
	require.NoError(t, err)
	before := out.Recorded

	m.fail["c"] = true
	req := request([]*resource.Resource{layer("a", 3857), layer("c", 4326)}, before)
	req.RollbackOnFailure = true
	out, err = apply.Run(context.Background(), m, req)
	require.NoError(t, err)
	assert.True(t, out.Failed())
	require.NotEmpty(t, out.RolledBack)
	assert.Equal(t, []string{"Layer/default/a", "Layer/default/b"}, ids(out.Recorded))
	assert.Equal(t, int64(4326), m.objects[layer("a", 0).ID().Key()].Resource.Spec["srid"], "a is back to its previous value")
	assert.Contains(t, m.objects, layer("b", 0).ID().Key(), "b is restored")
}

func TestDryRunWritesNothingAndRecordsNothing(t *testing.T) {
	m := newMem()
	req := request([]*resource.Resource{layer("a", 4326)}, nil)
	req.Options.DryRun = true
	out, err := apply.Run(context.Background(), m, req)
	require.NoError(t, err)
	assert.Empty(t, m.objects)
	assert.Empty(t, out.Recorded)
	assert.Equal(t, apply.Planned, out.Results[0].Status)
}

func TestNotOwned(t *testing.T) {
	tests := []struct {
		name     string
		managed  bool
		stamped  string
		wantPart string
	}{
		{"owned", true, "dev", ""},
		{"hand-made", false, "", "does not carry " + resource.AnnotationManagedBy},
		{"no environment stamp", true, "", "carries no " + resource.AnnotationEnvironment},
		{"another environment", true, "staging", `applied by environment "staging", not "dev"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := apply.NotOwned(tt.managed, tt.stamped, "dev")
			if tt.wantPart == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tt.wantPart)
			l := apply.LiveObject{Managed: tt.managed, Environment: tt.stamped}
			assert.False(t, l.OwnedBy("dev"))
		})
	}
}

func TestDeletesSpareOtherEnvironments(t *testing.T) {
	m := newMem()
	staging := request([]*resource.Resource{layer("s", 4326)}, nil)
	staging.Environment = "staging"
	_, err := apply.Run(context.Background(), m, staging)
	require.NoError(t, err)
	dev, err := apply.Run(context.Background(), m, request([]*resource.Resource{layer("d", 4326)}, nil))
	require.NoError(t, err)

	m.writes = nil
	out, err := apply.Run(context.Background(), m, request(nil, append(dev.Recorded, layer("s", 4326))))
	require.NoError(t, err)
	require.Len(t, m.writes, 1, "only dev's own resource is deleted")
	assert.Equal(t, "d", m.writes[0].ID.Name)
	assert.Equal(t, "dev", m.writes[0].Environment)
	assert.Contains(t, m.objects, layer("s", 0).ID().Key())
	assert.Equal(t, []string{"Layer/default/s"}, ids(out.Recorded))
}

func TestComparableIgnoresStampedAnnotations(t *testing.T) {
	sent := layer("a", 4326)
	sent.Metadata.Annotations = map[string]string{resource.AnnotationManagedBy: resource.ManagedByValue,
		resource.AnnotationEnvironment: "dev", "team": "gis"}
	read := live(sent).Resource
	assert.True(t, apply.SameContent(sent, read), "sent and read back compare equal")
	assert.Equal(t, map[string]string{"team": "gis"}, apply.Comparable(sent).Metadata.Annotations)
	assert.Len(t, sent.Metadata.Annotations, 3, "the input is not modified")
	read.Metadata.Annotations = nil
	assert.Equal(t, []string{"/metadata/annotations"}, apply.Differences(sent, read), "user annotations still count")
}

func TestStopBeforeWritingStartsNothing(t *testing.T) {
	m := newMem()
	stop := make(chan struct{})
	close(stop)
	req := request([]*resource.Resource{layer("a", 4326), layer("b", 4326)}, nil)
	req.Options.Stop = stop
	req.RollbackOnFailure = true
	var heard []apply.Result
	req.Options.Progress = func(r apply.Result) { heard = append(heard, r) }
	out, err := apply.Run(context.Background(), m, req)
	require.NoError(t, err)
	assert.True(t, out.Interrupted)
	assert.Empty(t, m.writes)
	assert.Equal(t, map[apply.Status]int{apply.Skipped: 2}, out.Counts())
	assert.ElementsMatch(t, out.Results, heard)
	assert.Empty(t, out.Recorded)
}

func TestInterruptedApplyIsReadBackNotRolledBack(t *testing.T) {
	m := newMem()
	m.fail["b"] = true
	m.stop = make(chan struct{})
	m.stopAfter = 2
	req := request([]*resource.Resource{layer("a", 4326), layer("b", 4326), layer("c", 4326)}, nil)
	req.Verify = false
	req.RollbackOnFailure = true
	req.Options.Stop = m.stop
	out, err := apply.Run(context.Background(), m, req)
	require.NoError(t, err)
	assert.True(t, out.Interrupted)
	assert.Equal(t, map[apply.Status]int{apply.Applied: 1, apply.Failed: 1, apply.Skipped: 1}, out.Counts())
	assert.True(t, out.Verified, "read back although Verify is off")
	assert.Empty(t, out.RolledBack, "no rollback after an interruption")
	assert.Equal(t, []string{"Layer/default/a"}, ids(out.Recorded))
	assert.Contains(t, m.objects, layer("a", 0).ID().Key(), "a stays")
}

// After a hard abort (a second signal) the write in flight is read back on
// a context of its own: recorded when it landed, not when it did not.
func TestHardAbortSettlesTheWriteInFlight(t *testing.T) {
	for _, lands := range []bool{true, false} {
		t.Run(map[bool]string{true: "it landed", false: "it did not land"}[lands], func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			m := newMem()
			m.abortAt, m.abortLands, m.cancel = "b", lands, cancel
			req := request([]*resource.Resource{layer("a", 4326), layer("b", 4326), layer("c", 4326)}, nil)
			out, err := apply.Run(ctx, m, req)
			require.NoError(t, err)
			assert.True(t, out.Interrupted)
			b := out.Results[1]
			require.Equal(t, "b", b.Name)
			if lands {
				assert.Equal(t, apply.Applied, b.Status)
				assert.Equal(t, "landed before the interrupt (read back)", b.Message)
				assert.Equal(t, []string{"Layer/default/a", "Layer/default/b"}, ids(out.Recorded))
			} else {
				assert.Equal(t, apply.Failed, b.Status)
				assert.Equal(t, apply.MessageOutcomeUnknown, b.Message)
				assert.Equal(t, []string{"Layer/default/a"}, ids(out.Recorded))
			}
			assert.True(t, out.Verified, "verified on the read-back context")
		})
	}
}

func TestProgressHearsEngineResults(t *testing.T) {
	m := newMem()
	handMade := live(layer("hand-made", 4326))
	m.objects[handMade.Resource.ID().Key()] = handMade
	req := request([]*resource.Resource{layer("a", 4326)}, []*resource.Resource{layer("hand-made", 4326), layer("gone", 4326)})
	var heard []apply.Result
	req.Options.Progress = func(r apply.Result) { heard = append(heard, r) }
	out, err := apply.Run(context.Background(), m, req)
	require.NoError(t, err)
	require.Len(t, out.Results, 3)
	// memDriver does not report; the engine's own results are heard.
	assert.ElementsMatch(t, []string{"gone", "hand-made"}, []string{heard[0].Name, heard[1].Name})
}

func TestPreflight(t *testing.T) {
	ctx := context.Background()
	t.Run("checks and writes nothing", func(t *testing.T) {
		m := newMem()
		out, err := apply.Run(ctx, m, request([]*resource.Resource{layer("a", 4326)}, nil))
		require.NoError(t, err)
		m.writes = nil
		checked, err := apply.Preflight(ctx, m, request([]*resource.Resource{layer("a", 3857), layer("b", 4326)}, out.Recorded))
		require.NoError(t, err)
		assert.Equal(t, 1, checked.LiveCount)
		assert.Equal(t, 2, checked.Plan.Summary.Create+checked.Plan.Summary.Update)
		assert.Empty(t, checked.Drift)
		assert.Empty(t, m.writes)
	})
	t.Run("a missing secret names the resource before reading", func(t *testing.T) {
		m := newMem()
		_, err := apply.Preflight(ctx, m, request([]*resource.Resource{conn("${secret:PW}")}, nil))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Connection/default/db")
		assert.Zero(t, m.lives)
	})
	t.Run("an unreadable server names the target", func(t *testing.T) {
		m := newMem()
		m.liveErr = errors.New("connection refused")
		_, err := apply.Preflight(ctx, m, request(nil, nil))
		require.ErrorIs(t, err, m.liveErr)
		assert.Contains(t, err.Error(), "read live state of memory")
	})
	t.Run("drift stops with the guard on fail", func(t *testing.T) {
		m := newMem()
		out, err := apply.Run(ctx, m, request([]*resource.Resource{layer("a", 4326)}, nil))
		require.NoError(t, err)
		edited := live(layer("a", 2056))
		m.objects[edited.Resource.ID().Key()] = edited
		m.writes = nil
		req := request([]*resource.Resource{layer("a", 3857)}, out.Recorded)
		_, err = apply.Preflight(ctx, m, req)
		var de *apply.DriftError
		require.ErrorAs(t, err, &de)
		assert.Len(t, de.Drift, 1)

		req.Guard = apply.GuardWarn
		checked, err := apply.Preflight(ctx, m, req)
		require.NoError(t, err)
		assert.Len(t, checked.Drift, 1)
		assert.Empty(t, m.writes)
	})
}

var _ apply.Driver = (*memDriver)(nil)
