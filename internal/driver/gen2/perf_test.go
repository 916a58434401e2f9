package gen2_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// perfLayers is the size of the large environment; under the race
// detector (whose slowdown makes timings meaningless, and the converging
// apply take minutes) a tenth of it is checked for behaviour only.
var perfLayers = map[bool]int{false: 1000, true: 100}[raceEnabled]

// perfLatency is added to every request the emulator answers.
const perfLatency = 5 * time.Millisecond

func res(kind, ns, name string, spec map[string]any) *resource.Resource {
	v, err := resource.Normalize(spec)
	if err != nil {
		panic(err)
	}
	return &resource.Resource{APIVersion: "honua.io/v1alpha1", Kind: kind, Metadata: resource.Metadata{Name: name, Namespace: ns}, Spec: v.(map[string]any)}
}

// largeEnvironment is n published layers spread over four services, each
// layer owning its fields and popup info and having a default style; the
// seed publishes the layers, the desired state owns their facets.
func largeEnvironment(n int) (*emulator.Gen2Seed, []*resource.Resource) {
	services := []string{"cadastre", "planning", "transport", "utilities"}
	seed := &emulator.Gen2Seed{}
	var desired []*resource.Resource
	for _, s := range services {
		seed.Services = append(seed.Services, emulator.Gen2SeedService{Name: s, EnabledProtocols: []string{"FeatureServer", "OgcFeatures"},
			AccessPolicy: emulator.Gen2AccessPolicy{AllowAnonymous: true, AllowedRoles: []string{}, AllowedWriteRoles: []string{}}})
		desired = append(desired, res("Service", "gis", s, map[string]any{"protocols": []any{"esri-feature-service", "ogc-api-features"},
			"accessPolicy": map[string]any{"allowAnonymous": true}}))
	}
	conn := emulator.Gen2SeedConnection{Name: "gis", Host: "db", Port: 5432, DatabaseName: "gis", Username: "honua", Provider: "postgis", SslMode: "require"}
	for i := range n {
		name, svc := fmt.Sprintf("layer-%04d", i), services[i%len(services)]
		table := fmt.Sprintf("t%04d", i)
		conn.Tables = append(conn.Tables, emulator.Gen2SeedTable{Schema: "data", Table: table, GeometryColumn: "geom", GeometryType: "Polygon", Srid: 4326, PrimaryKey: "id",
			Columns: []emulator.Gen2SeedColumn{{Name: "id", Type: "Integer"}, {Name: "label", Type: "String"}, {Name: "value", Type: "Double"}}})
		seed.Layers = append(seed.Layers, emulator.Gen2SeedLayer{LayerID: i + 1, Connection: "gis", ServiceName: svc, LayerName: name, Schema: "data", Table: table})
		desired = append(desired, res("Layer", "gis", name, map[string]any{
			"serviceId": svc, "connectionId": "gis", "schemaName": "data", "tableName": table, "geometryColumn": "geom",
			"geometryType": "Polygon", "srid": 4326, "primaryKey": "id", "enabled": true,
			"fields":    []any{map[string]any{"name": "label", "alias": "Label " + name}, map[string]any{"name": "value", "alias": "Value"}},
			"popupInfo": map[string]any{"title": "{label}", "fieldInfos": []any{map[string]any{"fieldName": "value", "visible": true}}},
		}))
		desired = append(desired, res("Style", "gis", name+"-default", map[string]any{"layerId": name, "isDefault": true,
			"style": map[string]any{"version": 8, "layers": []any{map[string]any{"id": name + "-fill", "type": "fill",
				"paint": map[string]any{"fill-color": "#3388ff", "fill-opacity": 0.5}}}}}))
	}
	seed.Connections = []emulator.Gen2SeedConnection{conn}
	return seed, desired
}

// largeConverged starts the large environment behind a counting proxy
// and applies it once (without latency), so that a plan finds nothing to
// change.
func largeConverged(tb testing.TB) (*target, *proxy, []*resource.Resource, []*resource.Resource) {
	tb.Helper()
	seed, desired := largeEnvironment(perfLayers)
	tg := start(tb, seed)
	px := newProxy(tb, tg.run.URL)
	// The seed published the layers already: the first apply takes them
	// over (their drift is "unmanaged" until recorded).
	req := request("large", desired, nil)
	req.Guard = apply.GuardWarn
	first, err := apply.Run(context.Background(), px.driver(tb), req)
	require.NoError(tb, err)
	require.False(tb, first.Failed(), "%v", first.Problems)
	require.NoError(tb, tg.run.Server.SetFaults(emulator.Faults{Latency: perfLatency}))
	return tg, px, desired, first.Recorded
}

// TestLargePlanIsFastAndANoOpApplyWritesNothing: 1,000 layers (100 under
// -race) (fields and
// popup info each), 1,000 default styles and four services, 5 ms per
// request: the plan reads concurrently and takes well under 3 s, and an
// apply with nothing to change sends no write.
func TestLargePlanIsFastAndANoOpApplyWritesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("large environment")
	}
	ctx := context.Background()
	tg, px, desired, recorded := largeConverged(t)

	n0, _ := px.counts()
	startAt := time.Now()
	tp, err := apply.PlanTarget(ctx, px.driver(t), plan.Input{Environment: "large", Desired: desired, Recorded: recorded}, apply.PlanOptions{})
	took := time.Since(startAt)
	require.NoError(t, err)
	n1, _ := px.counts()
	assert.False(t, tp.Plan.HasChanges())
	assert.Empty(t, tp.Plan.Drift)
	assert.Less(t, took, 3*time.Second, "plan of %d layers at %s per request", perfLayers, perfLatency)
	// Per plan: capabilities, the server's environment, the inventory, the
	// connections, each service's settings, each service's layer list,
	// and per layer its fields, popup info and style.
	requests := n1 - n0
	assert.LessOrEqual(t, requests, 3+1+4+4+3*perfLayers+2)
	t.Logf("plan of %d layers + %d styles + 4 services at %s/request: %s, %d requests", perfLayers, perfLayers, perfLatency, took.Round(time.Millisecond), requests)

	// An apply with nothing to change sends no PUT, POST or DELETE, and
	// creates no graph revision.
	rev0, _ := tg.revision(t)
	n2, _ := px.counts()
	out, err := apply.Run(ctx, px.driver(t), request("large", desired, recorded))
	require.NoError(t, err)
	assert.Empty(t, out.Results)
	assert.Empty(t, px.writesSince(n2))
	rev1, _ := tg.revision(t)
	assert.Equal(t, rev0, rev1)
	for _, w := range px.writesSince(0) {
		assert.False(t, strings.HasPrefix(w, "DELETE "), w)
	}
}

// BenchmarkGen2Plan1000Layers5ms plans the large environment against a
// Generation 2 emulator with 5 ms latency per request; it reports the
// requests each plan sends.
func BenchmarkGen2Plan1000Layers5ms(b *testing.B) {
	ctx := context.Background()
	_, px, desired, recorded := largeConverged(b)
	d := px.driver(b)
	n0, _ := px.counts()
	b.ResetTimer()
	for b.Loop() {
		if _, err := apply.PlanTarget(ctx, d, plan.Input{Environment: "large", Desired: desired, Recorded: recorded}, apply.PlanOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	n1, _ := px.counts()
	b.ReportMetric(float64(n1-n0)/float64(b.N), "requests/plan")
}
