package gen2_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// baseDesired is the example's staging environment with every layer facet
// owned by parcels (filter, popup and drawing info), so that each write
// kind of the driver has something to change.
func baseDesired(t testing.TB) []*resource.Resource {
	t.Helper()
	return mutate(t, exampleDesired(t, "staging"), "Layer", "parcels", func(spec map[string]any) {
		spec["permanentFilter"] = map[string]any{"expression": "land_use_code = 'R1'", "language": "arcgis-sql"}
		spec["popupInfo"] = map[string]any{"title": "Parcel {parcel_id}"}
		spec["drawingInfo"] = map[string]any{"renderer": map[string]any{"type": "simple"}}
	})
}

// writeCase is one write kind of the driver: how git changes so that the
// driver makes exactly that write, and the resource it is about.
type writeCase struct {
	name string
	id   resource.Identity
	// edit returns the changed desired state.
	edit func(t testing.TB, rs []*resource.Resource) []*resource.Resource
	// graph is false for connection writes (outside the graph: no
	// revision).
	graph bool
	// prior is the facet whose live value the result saves ("" when the
	// resource did not exist).
	prior string
}

func id(kind, ns, name string) resource.Identity {
	return resource.Identity{Kind: kind, Namespace: ns, Name: name}
}

func specEdit(kind, name string, f func(map[string]any)) func(testing.TB, []*resource.Resource) []*resource.Resource {
	return func(t testing.TB, rs []*resource.Resource) []*resource.Resource { return mutate(t, rs, kind, name, f) }
}

var writeCases = []writeCase{
	{name: "service protocols", prior: "protocols", id: id("Service", "planning", "land-records"), graph: true,
		edit: specEdit("Service", "land-records", func(s map[string]any) { s["protocols"] = []any{"ogc-api-features", "wms"} })},
	{name: "access policy", prior: "access-policy", id: id("Service", "planning", "land-records"), graph: true,
		edit: specEdit("Service", "land-records", func(s map[string]any) { s["accessPolicy"].(map[string]any)["allowAnonymous"] = false })},
	{name: "connection create", id: id("Connection", "city", "archive-postgis"), edit: func(t testing.TB, rs []*resource.Resource) []*resource.Resource {
		for _, r := range rs {
			if r.Kind == "Connection" {
				c := *r
				c.Metadata.Name = "archive-postgis"
				c.Spec = resource.Clone(r.Spec).(map[string]any)
				c.Spec["name"] = "archive-postgis"
				c.Spec["host"] = "pg-archive.internal"
				return append(append([]*resource.Resource{}, rs...), &c)
			}
		}
		t.Fatal("no connection")
		return nil
	}},
	{name: "connection update", prior: "connection", id: id("Connection", "city", "gis-postgis"),
		edit: specEdit("Connection", "gis-postgis", func(s map[string]any) { s["description"] = "moved to the new cluster" })},
	{name: "publish", id: id("Layer", "planning", "parcel-permits-view"), graph: true, edit: func(t testing.TB, rs []*resource.Resource) []*resource.Resource {
		for _, r := range rs {
			if r.Kind == "Layer" && r.Metadata.Name == "parcels" {
				c := *r
				c.Metadata.Name = "parcel-permits-view"
				c.Spec = resource.Clone(r.Spec).(map[string]any)
				c.Spec["serviceId"] = "permits"
				c.Spec["fields"] = []any{map[string]any{"name": "parcel_id"}}
				for _, k := range []string{"permanentFilter", "popupInfo", "drawingInfo"} {
					delete(c.Spec, k)
				}
				return append(append([]*resource.Resource{}, rs...), &c)
			}
		}
		t.Fatal("no parcels")
		return nil
	}},
	{name: "layer enabled (removed from git)", prior: "enabled", id: id("Layer", "planning", "parcel-topology-errors"), graph: true,
		edit: func(t testing.TB, rs []*resource.Resource) []*resource.Resource {
			var out []*resource.Resource
			for _, r := range rs {
				if !(r.Kind == "Layer" && r.Metadata.Name == "parcel-topology-errors") {
					out = append(out, r)
				}
			}
			return out
		}},
	{name: "fields", prior: "fields", id: id("Layer", "planning", "parcels"), graph: true, edit: func(t testing.TB, rs []*resource.Resource) []*resource.Resource {
		return withAlias(t, rs, "parcels", "owner_name", "Owner of record")
	}},
	{name: "filter", prior: "filter", id: id("Layer", "planning", "parcels"), graph: true,
		edit: specEdit("Layer", "parcels", func(s map[string]any) { s["permanentFilter"].(map[string]any)["expression"] = "land_use_code = 'C2'" })},
	{name: "popup-info", prior: "popup-info", id: id("Layer", "planning", "parcels"), graph: true,
		edit: specEdit("Layer", "parcels", func(s map[string]any) { s["popupInfo"] = map[string]any{"title": "APN {parcel_id}"} })},
	{name: "drawing-info", prior: "drawing-info", id: id("Layer", "planning", "parcels"), graph: true,
		edit: specEdit("Layer", "parcels", func(s map[string]any) {
			s["drawingInfo"] = map[string]any{"renderer": map[string]any{"type": "uniqueValue", "field1": "land_use_code"}}
		})},
	{name: "OGC style", prior: "style", id: id("Style", "planning", "parcels-default"), graph: true,
		edit: specEdit("Style", "parcels-default", func(s map[string]any) {
			s["style"].(map[string]any)["layers"].([]any)[1].(map[string]any)["paint"].(map[string]any)["line-width"] = 1.5
		})},
	{name: "relationships", prior: "relationships", id: id("Relationship", "planning", "parcel-permits"), graph: true,
		edit: specEdit("Relationship", "parcel-permits", func(s map[string]any) { s["description"] = "Permits on the parcel" })},
}

// fault is one way a write fails.
type fault struct {
	name string
	// landed says whether the write reaches the server's state.
	landed bool
	set    func(tg *target, px *proxy)
}

var faults = []fault{
	{name: "5xx before the write", set: func(tg *target, _ *proxy) {
		_ = tg.run.Server.SetFaults(emulator.Faults{FailNthWrite: 1})
	}},
	{name: "503 before the write", set: func(tg *target, _ *proxy) {
		_ = tg.run.Server.SetFaults(emulator.Faults{FailNthWrite: 1, WriteStatus: http.StatusServiceUnavailable})
	}},
	{name: "5xx after the write landed", landed: true, set: func(tg *target, _ *proxy) {
		_ = tg.run.Server.SetFaults(emulator.Faults{FailNthWrite: 1, When: emulator.FaultAfter})
	}},
	{name: "dropped connection before the write", set: func(_ *target, px *proxy) { px.arm(false) }},
	{name: "dropped connection after the write landed", landed: true, set: func(_ *target, px *proxy) { px.arm(true) }},
}

// converged starts an emulator behind a counting proxy and applies the
// base state, so that each case makes exactly one write.
func converged(t *testing.T) (*target, *proxy, []*resource.Resource, *apply.Outcome) {
	t.Helper()
	base := baseDesired(t)
	tg := start(t, seedFor(t, base))
	px := newProxy(t, tg.run.URL)
	first, err := apply.Run(context.Background(), px.driver(t), request("staging", base, nil))
	require.NoError(t, err)
	require.False(t, first.Failed(), "%+v %v", first.Results, first.Problems)
	return tg, px, base, first
}

func recordedOf(rs []*resource.Resource, want resource.Identity) *resource.Resource {
	for _, r := range rs {
		if r.ID().Key() == want.Key() {
			return r
		}
	}
	return nil
}

func TestEveryWriteKindUnderEveryFault(t *testing.T) {
	for _, wc := range writeCases {
		t.Run(wc.name, func(t *testing.T) {
			t.Parallel()
			for _, f := range faults {
				t.Run(f.name, func(t *testing.T) {
					ctx := context.Background()
					tg, px, base, first := converged(t)
					edited := wc.edit(t, base)

					// Without a fault the change is exactly one write.
					d := px.driver(t)
					f.set(tg, px)
					_, rev0 := tg.revision(t)
					n0, w0 := px.counts()
					out, err := apply.Run(ctx, d, request("staging", edited, first.Recorded))
					require.NoError(t, err)
					_ = tg.run.Server.SetFaults(emulator.Faults{})
					_, rev1 := tg.revision(t)
					_, w1 := px.counts()

					require.Len(t, out.Results, 1, "%+v", out.Results)
					res := out.Results[0]
					assert.Equal(t, wc.id, res.ID(), res.Message)
					assert.Equal(t, 1, w1-w0, "exactly one write was sent (never twice): %v", px.writesSince(n0))
					assert.Equal(t, 1, res.Attempts, res.Message)
					if wc.prior != "" {
						require.Len(t, res.Prior, 1, "%+v", res.Prior)
						assert.Equal(t, wc.prior, res.Prior[0].Facet)
					} else {
						assert.Empty(t, res.Prior)
					}
					landedRevisions := 0
					if f.landed && wc.graph {
						landedRevisions = 1
					}
					assert.Equal(t, landedRevisions, rev1-rev0, "graph writes that landed")

					rec := recordedOf(out.Recorded, wc.id)
					if f.landed {
						assert.Equal(t, apply.Applied, res.Status, res.Message)
						if want := recordedOf(edited, wc.id); want != nil {
							require.NotNil(t, rec)
							assert.True(t, apply.SameContent(want, rec), "recorded as desired")
						} else {
							assert.Nil(t, rec, "a removed layer leaves the record")
						}
					} else {
						assert.Equal(t, apply.Failed, res.Status, "never a false success: %s", res.Message)
						assert.Contains(t, res.Message, "not written again")
						before := recordedOf(first.Recorded, wc.id)
						if before == nil {
							assert.Nil(t, rec, "what did not land is not recorded")
						} else {
							require.NotNil(t, rec)
							assert.True(t, apply.SameContent(before, rec), "the record keeps what the server holds")
						}
					}

					// The record is exact: planning from it against the server
					// shows no drift, and the change is left to do only when
					// it did not land.
					tp, err := apply.PlanTarget(ctx, px.driver(t), plan.Input{Environment: "staging", Desired: edited, Recorded: out.Recorded}, apply.PlanOptions{})
					require.NoError(t, err)
					assert.Empty(t, tp.Plan.Drift, "no drift: the record says what the server holds")
					if f.landed {
						assert.Empty(t, tp.Plan.Changes)
					} else {
						require.Len(t, tp.Plan.Changes, 1)
						assert.Equal(t, wc.id.Name, tp.Plan.Changes[0].Name)
					}
				})
			}
		})
	}
}

// TestConcurrentWriterBetweenPlanAndApply: a write by someone else after
// the plan read the inventory makes the apply refuse, writing nothing.
func TestConcurrentWriterBetweenPlanAndApply(t *testing.T) {
	ctx := context.Background()
	tg, px, base, first := converged(t)
	edited := withAlias(t, base, "parcels", "owner_name", "Owner of record")
	d := px.driver(t)
	_, err := apply.Preflight(ctx, d, request("staging", edited, first.Recorded))
	require.NoError(t, err)

	// Someone else changes a facet git does not own (only parcels, id 4,
	// owns its popup), so the plan cannot see it: only the inventory
	// revision moves.
	put(t, tg, "/api/v1/admin/metadata/layers/1/popup-info", `{"title":"by hand"}`)
	_, rev0 := tg.revision(t)
	n0, _ := px.counts()

	out, err := apply.Run(ctx, d, request("staging", edited, first.Recorded))
	require.NoError(t, err)
	require.Len(t, out.Results, 1)
	assert.Equal(t, apply.Failed, out.Results[0].Status)
	assert.Contains(t, out.Results[0].Message, "state moved on the server")
	assert.Empty(t, px.writesSince(n0), "nothing was written")
	_, rev1 := tg.revision(t)
	assert.Equal(t, rev0, rev1)
	assert.True(t, apply.SameContent(recordedOf(first.Recorded, id("Layer", "planning", "parcels")), recordedOf(out.Recorded, id("Layer", "planning", "parcels"))))
}

// TestRelationshipsConflictIsRetriedThreeTimes: the relationships 409 is
// re-read and retried at most three times (four writes), then fails with
// the server's message.
func TestRelationshipsConflictIsRetriedThreeTimes(t *testing.T) {
	ctx := context.Background()
	tg, px, base, first := converged(t)
	edited := specEdit("Relationship", "parcel-permits", func(s map[string]any) { s["description"] = "Permits on the parcel" })(t, base)
	require.NoError(t, tg.run.Server.SetFaults(emulator.Faults{RelationshipsConflict: true}))
	n0, _ := px.counts()
	_, rev0 := tg.revision(t)
	out, err := apply.Run(ctx, px.driver(t), request("staging", edited, first.Recorded))
	require.NoError(t, err)
	require.Len(t, out.Results, 1)
	res := out.Results[0]
	assert.Equal(t, apply.Failed, res.Status)
	assert.Contains(t, res.Message, "Metadata changed during relationship authoring")
	assert.Equal(t, 4, res.Attempts, "the first write and 3 retries")
	writes := px.writesSince(n0)
	assert.Len(t, writes, 4, "%v", writes)
	for _, w := range writes {
		assert.True(t, strings.HasSuffix(w, "/relationships"), w)
	}
	_, rev1 := tg.revision(t)
	assert.Equal(t, rev0, rev1)
	rec := recordedOf(out.Recorded, id("Relationship", "planning", "parcel-permits"))
	assert.True(t, apply.SameContent(recordedOf(first.Recorded, id("Relationship", "planning", "parcel-permits")), rec))

	// Once the conflict passes, it lands on the first retry of the apply.
	require.NoError(t, tg.run.Server.SetFaults(emulator.Faults{}))
	again, err := apply.Run(ctx, px.driver(t), request("staging", edited, out.Recorded))
	require.NoError(t, err)
	require.Len(t, again.Results, 1)
	assert.Equal(t, apply.Applied, again.Results[0].Status, again.Results[0].Message)
}

// TestPublishConflictIsPresent: a publish answered 409 (someone published
// the same layer while the driver's POST was on its way) is read back as
// present, never re-POSTed.
func TestPublishConflictIsPresent(t *testing.T) {
	ctx := context.Background()
	base := baseDesired(t)
	var publish writeCase
	for _, wc := range writeCases {
		if wc.name == "publish" {
			publish = wc
		}
	}
	tg := start(t, seedFor(t, base))
	px := newProxy(t, tg.run.URL)
	first, err := apply.Run(ctx, px.driver(t), request("staging", base, nil))
	require.NoError(t, err)
	require.False(t, first.Failed())
	connID := connectionIDOf(t, tg)
	// Someone publishes the same layer just before the driver's POST
	// reaches the server.
	px.beforeNextWrite(func() {
		body := `{"schema":"landrecords","table":"parcels","layerName":"parcel-permits-view","serviceName":"permits","fields":["parcel_id"]}`
		call(t, tg, http.MethodPost, "/api/v1/admin/connections/"+connID+"/layers", body)
	})

	edited := publish.edit(t, base)
	n0, _ := px.counts()
	out, err := apply.Run(ctx, px.driver(t), request("staging", edited, first.Recorded))
	require.NoError(t, err)
	require.Len(t, out.Results, 1, "%+v", out.Results)
	res := out.Results[0]
	assert.Equal(t, apply.Applied, res.Status, res.Message)
	writes := px.writesSince(n0)
	assert.Equal(t, []string{"POST /api/v1/admin/connections/" + connID + "/layers"}, writes, "one POST, never re-sent")
	assert.Contains(t, res.Message, "published")
	assert.NotNil(t, recordedOf(out.Recorded, publish.id))
}

func connectionIDOf(t testing.TB, tg *target) string {
	t.Helper()
	var conns struct {
		Data []struct {
			ConnectionID string `json:"connectionId"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/api/v1/admin/connections", ""), &conns))
	require.NotEmpty(t, conns.Data)
	return conns.Data[0].ConnectionID
}
