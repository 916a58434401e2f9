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
}

func newMem() *memDriver {
	return &memDriver{objects: map[resource.Identity]apply.LiveObject{}, fail: map[string]bool{}, lie: map[string]bool{}}
}

func (m *memDriver) Describe() string { return "memory" }

func (m *memDriver) Live(context.Context) ([]apply.LiveObject, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
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
		m.writes = append(m.writes, op)
		switch {
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

var _ apply.Driver = (*memDriver)(nil)
var _ = errors.New
