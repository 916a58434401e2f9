package gen2_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

const key = "gen2-integration-key"

// exampleDesired is one environment of examples/honua-config.
func exampleDesired(t testing.TB, env string) []*resource.Resource {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	cfg, d := config.Load(filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "honua-config"))
	require.False(t, d.HasErrors(), "%v", d)
	e, d := loader.New(cfg).Load(context.Background(), env)
	require.False(t, d.HasErrors(), "%v", d)
	return e.Resources()
}

// pascal maps the repository's field types to Honua's column types.
var pascal = map[string]string{"string": "String", "integer": "Integer", "double": "Double", "date": "Date", "datetime": "DateTime", "boolean": "Boolean"}

// seedFor is a Generation 2 server holding what the repository expects to
// find: its services (with other settings than git's) and, in its
// connection's database, every table its layers publish. Nothing is
// published yet.
func seedFor(t testing.TB, desired []*resource.Resource) *emulator.Gen2Seed {
	t.Helper()
	sd := &emulator.Gen2Seed{}
	var conn *emulator.Gen2SeedConnection
	for _, r := range desired {
		switch r.Kind {
		case "Service":
			sd.Services = append(sd.Services, emulator.Gen2SeedService{Name: r.Metadata.Name, EnabledProtocols: []string{"FeatureServer"},
				AccessPolicy: emulator.Gen2AccessPolicy{AllowAnonymous: false, AllowedRoles: []string{"gis-admin"}}})
		case "Connection":
			c := emulator.Gen2SeedConnection{Name: r.Metadata.Name, Host: r.Spec["host"].(string), Port: int(r.Spec["port"].(int64)),
				DatabaseName: r.Spec["databaseName"].(string), Username: "someone-else", Provider: "postgis", SslMode: "prefer",
				SecretReference: "old/reference", SecretType: "password"}
			sd.Connections = append(sd.Connections, c)
			conn = &sd.Connections[len(sd.Connections)-1]
		}
	}
	require.NotNil(t, conn)
	for _, r := range desired {
		if r.Kind != "Layer" {
			continue
		}
		tb := emulator.Gen2SeedTable{Schema: r.Spec["schemaName"].(string), Table: r.Spec["tableName"].(string),
			GeometryColumn: r.Spec["geometryColumn"].(string), GeometryType: r.Spec["geometryType"].(string),
			Srid: int(r.Spec["srid"].(int64)), PrimaryKey: r.Spec["primaryKey"].(string)}
		for _, f := range r.Spec["fields"].([]any) {
			m := f.(map[string]any)
			tb.Columns = append(tb.Columns, emulator.Gen2SeedColumn{Name: m["name"].(string), Type: pascal[m["type"].(string)], Description: "column " + m["name"].(string)})
		}
		conn.Tables = append(conn.Tables, tb)
	}
	return sd
}

type target struct {
	run *emulator.Running
}

func start(t testing.TB, seed *emulator.Gen2Seed, mod ...func(*emulator.Options)) *target {
	t.Helper()
	opts := emulator.Options{APIKey: key, Generation: emulator.Generation2, Gen2Seed: seed}
	for _, m := range mod {
		m(&opts)
	}
	run, err := emulator.Start(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	return &target{run: run}
}

func (tg *target) driver(t testing.TB) apply.Driver {
	t.Helper()
	c, err := driver.Open(context.Background(), driver.Target{Name: "gen2", URL: tg.run.URL, Credential: key}, nil)
	require.NoError(t, err)
	return c.Driver
}

// revision is the emulator's graph revision and its write count.
func (tg *target) revision(t testing.TB) (int64, int) {
	t.Helper()
	l := tg.run.Server.Gen2Log()
	return l.Revision, len(l.Writes)
}

func secrets(name string) (string, bool) {
	if name == "DEV_GIS_DB_PASSWORD" {
		return "dev-database-password", true
	}
	return "", false
}

func request(env string, desired, recorded []*resource.Resource) apply.Request {
	return apply.Request{Environment: env, Desired: desired, Recorded: recorded, Verify: true, Secrets: secrets}
}

func TestExampleAppliesAndConverges(t *testing.T) {
	ctx := context.Background()
	desired := exampleDesired(t, "staging")
	tg := start(t, seedFor(t, desired))
	d := tg.driver(t)
	assert.Contains(t, d.Describe(), "Generation 2")

	out, err := apply.Run(ctx, d, request("staging", desired, nil))
	require.NoError(t, err)
	for _, r := range out.Results {
		assert.Equal(t, apply.Applied, r.Status, "%s/%s: %s", r.Kind, r.Name, r.Message)
	}
	assert.True(t, out.Verified)
	assert.Empty(t, out.Problems)
	notes := strings.Join(out.Plan.Notes, "\n")
	assert.Contains(t, notes, "Theme/city/riverton: Theme has no Generation 2 surface")
	assert.Contains(t, notes, "MapTemplate/")
	assert.Equal(t, 1, strings.Count(notes, "Theme/city/riverton"), "one note per resource")

	// The second apply, from the recorded state, writes nothing.
	rev, writes := tg.revision(t)
	d2 := tg.driver(t)
	again, err := apply.Run(ctx, d2, request("staging", desired, out.Recorded))
	require.NoError(t, err)
	assert.Empty(t, again.Results)
	assert.Empty(t, again.Drift, "no drift after converging")
	rev2, writes2 := tg.revision(t)
	assert.Equal(t, rev, rev2, "the second apply created no graph revision")
	assert.Equal(t, writes, writes2)

	// Even re-applying everything as creates (nothing recorded) writes
	// nothing: every facet already is what git says.
	third, err := apply.Run(ctx, tg.driver(t), request("staging", desired, nil))
	require.NoError(t, err)
	for _, r := range third.Results {
		assert.Equal(t, apply.Applied, r.Status, "%s/%s: %s", r.Kind, r.Name, r.Message)
		assert.Zero(t, r.Attempts, "%s/%s: %s", r.Kind, r.Name, r.Message)
	}
	rev3, _ := tg.revision(t)
	assert.Equal(t, rev, rev3)
}

func TestFieldAliasChangeLandsAndRollsBack(t *testing.T) {
	ctx := context.Background()
	desired := exampleDesired(t, "staging")
	tg := start(t, seedFor(t, desired))
	first, err := apply.Run(ctx, tg.driver(t), request("staging", desired, nil))
	require.NoError(t, err)
	require.False(t, first.Failed())

	edited := withAlias(t, desired, "parcels", "owner_name", "Owner of record")
	out, err := apply.Run(ctx, tg.driver(t), request("staging", edited, first.Recorded))
	require.NoError(t, err)
	require.Len(t, out.Results, 1)
	assert.Equal(t, apply.Applied, out.Results[0].Status, out.Results[0].Message)
	assert.Equal(t, "wrote fields", out.Results[0].Message)
	assert.Equal(t, "Owner of record", fieldAlias(t, tg, "parcels", "owner_name"))

	// Rolling back is applying the previous state.
	back, err := apply.Run(ctx, tg.driver(t), request("staging", first.Recorded, out.Recorded))
	require.NoError(t, err)
	require.Len(t, back.Results, 1)
	assert.Equal(t, apply.Applied, back.Results[0].Status, back.Results[0].Message)
	assert.Equal(t, "Owner", fieldAlias(t, tg, "parcels", "owner_name"))
}

func TestHandEditIsDriftAndOverwriteRepairsIt(t *testing.T) {
	ctx := context.Background()
	desired := exampleDesired(t, "staging")
	tg := start(t, seedFor(t, desired))
	first, err := apply.Run(ctx, tg.driver(t), request("staging", desired, nil))
	require.NoError(t, err)
	require.False(t, first.Failed())

	put(t, tg, "/api/v1/admin/services/streets/protocols", `{"enabledProtocols":["FeatureServer"]}`)
	_, err = apply.Preflight(ctx, tg.driver(t), request("staging", desired, first.Recorded))
	var de *apply.DriftError
	require.ErrorAs(t, err, &de)
	require.Len(t, de.Drift, 1)
	assert.Equal(t, "Service/transportation/streets", de.Drift[0].Subject())
	assert.Equal(t, plan.SpecDrift, de.Drift[0].Type)

	req := request("staging", desired, first.Recorded)
	req.Guard = apply.GuardOverwrite
	out, err := apply.Run(ctx, tg.driver(t), req)
	require.NoError(t, err)
	require.Len(t, out.Results, 1)
	assert.Equal(t, "wrote protocols", out.Results[0].Message)
	tp, err := apply.PlanTarget(ctx, tg.driver(t), plan.Input{Environment: "staging", Desired: desired, Recorded: out.Recorded}, apply.PlanOptions{})
	require.NoError(t, err)
	assert.Empty(t, tp.Plan.Drift)
}

func TestGen2CannotChangeIsBlockedBeforeAnyWrite(t *testing.T) {
	ctx := context.Background()
	desired := exampleDesired(t, "staging")
	tg := start(t, seedFor(t, desired))
	first, err := apply.Run(ctx, tg.driver(t), request("staging", desired, nil))
	require.NoError(t, err)
	require.False(t, first.Failed())

	changed := mutate(t, desired, "Layer", "parcels", func(spec map[string]any) { spec["geometryType"] = "Point" })
	changed = mutate(t, changed, "Style", "zoning-districts-by-zone", func(spec map[string]any) {
		spec["style"].(map[string]any)["layers"].([]any)[0].(map[string]any)["paint"].(map[string]any)["fill-color"] = []any{"slice", []any{"get", "zone_code"}, 0, 1}
	})
	rev, _ := tg.revision(t)
	_, err = apply.Run(ctx, tg.driver(t), request("staging", changed, first.Recorded))
	var be *apply.BlockedError
	require.ErrorAs(t, err, &be)
	text := be.Error()
	assert.Contains(t, text, "Layer/planning/parcels: spec.geometryType cannot change after the layer is published")
	assert.Contains(t, text, `Style/planning/zoning-districts-by-zone: spec.style/layers/0/paint/fill-color/0: expression operator "slice"`)
	rev2, _ := tg.revision(t)
	assert.Equal(t, rev, rev2, "nothing was written")
}

func TestRemovedLayerIsDisabled(t *testing.T) {
	ctx := context.Background()
	desired := exampleDesired(t, "staging")
	tg := start(t, seedFor(t, desired))
	first, err := apply.Run(ctx, tg.driver(t), request("staging", desired, nil))
	require.NoError(t, err)
	require.False(t, first.Failed())

	var without []*resource.Resource
	for _, r := range desired {
		if !(r.Kind == "Layer" && r.Metadata.Name == "parcel-topology-errors") {
			without = append(without, r)
		}
	}
	out, err := apply.Run(ctx, tg.driver(t), request("staging", without, first.Recorded))
	require.NoError(t, err)
	require.Len(t, out.Results, 1)
	assert.Equal(t, apply.Applied, out.Results[0].Status, out.Results[0].Message)
	assert.Contains(t, out.Results[0].Message, "Generation 2 cannot unpublish a layer, so it is disabled")
	assert.True(t, out.Verified)
	assert.Empty(t, out.Problems)
}

// helpers

func mutate(t testing.TB, rs []*resource.Resource, kind, name string, f func(map[string]any)) []*resource.Resource {
	t.Helper()
	out := make([]*resource.Resource, len(rs))
	found := false
	for i, r := range rs {
		out[i] = r
		if r.Kind == kind && r.Metadata.Name == name {
			c := *r
			c.Spec = resource.Clone(r.Spec).(map[string]any)
			f(c.Spec)
			out[i], found = &c, true
		}
	}
	require.True(t, found, "%s %s", kind, name)
	return out
}

func withAlias(t testing.TB, rs []*resource.Resource, layer, field, alias string) []*resource.Resource {
	return mutate(t, rs, "Layer", layer, func(spec map[string]any) {
		for _, f := range spec["fields"].([]any) {
			if m := f.(map[string]any); m["name"] == field {
				m["alias"] = alias
			}
		}
	})
}

func call(t testing.TB, tg *target, method, path, body string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, tg.run.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	raw := json.RawMessage(answer)
	require.Less(t, resp.StatusCode, 300, "%s %s: %s", method, path, raw)
	return raw
}

func put(t testing.TB, tg *target, path, body string) { call(t, tg, http.MethodPut, path, body) }

// fieldAlias reads a field's alias from the fields facet of a layer.
func fieldAlias(t testing.TB, tg *target, layer, field string) string {
	t.Helper()
	var conns struct {
		Data []struct {
			ConnectionID string `json:"connectionId"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/api/v1/admin/connections", ""), &conns))
	for _, c := range conns.Data {
		for _, svc := range []string{"land-records", "permits", "streets"} {
			var layers struct {
				Data []struct {
					LayerID   int    `json:"layerId"`
					LayerName string `json:"layerName"`
				} `json:"data"`
			}
			require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/api/v1/admin/connections/"+c.ConnectionID+"/layers?serviceName="+svc, ""), &layers))
			for _, l := range layers.Data {
				if l.LayerName != layer {
					continue
				}
				var fields struct {
					Data struct {
						Fields []struct {
							Name  string `json:"name"`
							Alias string `json:"alias"`
						} `json:"fields"`
					} `json:"data"`
				}
				require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/api/v1/admin/metadata/layers/"+strconv.Itoa(l.LayerID)+"/fields", ""), &fields))
				for _, f := range fields.Data.Fields {
					if f.Name == field {
						return f.Alias
					}
				}
			}
		}
	}
	t.Fatalf("field %s of layer %s not found", field, layer)
	return ""
}

func TestOpenPicksTheGeneration2DriverAndTheServersEnvironment(t *testing.T) {
	tg := start(t, &emulator.Gen2Seed{Environment: "city-prod"})
	d := tg.driver(t)
	assert.Contains(t, d.Describe(), "Generation 2, metadata environment city-prod")

	// A target's metadataEnvironment wins; one the server does not have
	// fails the first read, naming it.
	c, err := driver.Open(context.Background(), driver.Target{Name: "gen2", URL: tg.run.URL, Credential: key, MetadataEnvironment: "staging"}, nil)
	require.NoError(t, err)
	_, err = c.Driver.Live(context.Background(), apply.Scope{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `metadata environment "staging"`)
}

func TestTwoServicesWithOneNameAreBlocked(t *testing.T) {
	desired := exampleDesired(t, "staging")
	tg := start(t, seedFor(t, desired))
	twin := mutate(t, desired, "Service", "streets", func(map[string]any) {})
	for i, r := range twin {
		if r.Kind == "Service" && r.Metadata.Name == "streets" {
			c := *r
			c.Metadata.Namespace = "planning"
			c.Metadata.Name = "Streets"
			twin = append(twin[:i+1:i+1], append([]*resource.Resource{&c}, twin[i+1:]...)...)
			break
		}
	}
	_, err := apply.Run(context.Background(), tg.driver(t), request("staging", twin, nil))
	var be *apply.BlockedError
	require.ErrorAs(t, err, &be)
	assert.Contains(t, be.Error(), "Service/planning/Streets: Service/transportation/streets has the same name")
}

// A composite relationship and its reciprocal are refused one at a time by
// the server (it validates the pair), so they go in one batch.
func TestCompositeReciprocalPairIsOneBatch(t *testing.T) {
	table := func(name string) emulator.Gen2SeedTable {
		return emulator.Gen2SeedTable{Schema: "public", Table: name, GeometryColumn: "geom", GeometryType: "Polygon", Srid: 4326, PrimaryKey: "id",
			Columns: []emulator.Gen2SeedColumn{{Name: "id", Type: "Integer"}, {Name: "parcel_id", Type: "String"}}}
	}
	seed := &emulator.Gen2Seed{
		Services:    []emulator.Gen2SeedService{{Name: "cadastre", EnabledProtocols: []string{"FeatureServer"}}},
		Connections: []emulator.Gen2SeedConnection{{Name: "gis", Host: "db", DatabaseName: "gis", Username: "honua", Tables: []emulator.Gen2SeedTable{table("parcels"), table("owners")}}},
		Layers: []emulator.Gen2SeedLayer{
			{LayerID: 1, Connection: "gis", ServiceName: "cadastre", LayerName: "parcels", Schema: "public", Table: "parcels", ReadOnly: true},
			{LayerID: 2, Connection: "gis", ServiceName: "cadastre", LayerName: "owners", Schema: "public", Table: "owners", ReadOnly: true},
		},
	}
	layer := func(name string) *resource.Resource {
		return res("Layer", "city", name, map[string]any{"serviceId": "cadastre", "connectionId": "gis", "schemaName": "public", "tableName": name,
			"geometryColumn": "geom", "geometryType": "Polygon", "srid": 4326, "primaryKey": "id", "enabled": true})
	}
	rel := func(name, origin, related string) *resource.Resource {
		return res("Relationship", "city", name, map[string]any{"name": name, "originLayerId": origin, "relatedLayerId": related,
			"relationshipType": "one-to-one", "originForeignKey": "parcel_id", "destinationForeignKey": "parcel_id", "composite": true})
	}
	desired := []*resource.Resource{
		res("Connection", "city", "gis", map[string]any{"host": "db", "databaseName": "gis", "username": "honua"}),
		res("Service", "city", "cadastre", map[string]any{"protocols": []any{"FeatureServer"}}),
		layer("parcels"), layer("owners"),
		rel("parcel-owner", "parcels", "owners"), rel("owner-parcel", "owners", "parcels"),
	}
	tg := start(t, seed)
	out, err := apply.Run(context.Background(), tg.driver(t), request("staging", desired, nil))
	require.NoError(t, err)
	for _, r := range out.Results {
		require.Equal(t, apply.Applied, r.Status, "%s: %s", r.ID(), r.Message)
	}
	batches := 0
	for _, w := range tg.run.Server.Gen2Log().Writes {
		if strings.HasSuffix(w.Path, "/relationships/batch") {
			batches++
		}
	}
	assert.Equal(t, 1, batches, "the pair went in one batch")
	assert.True(t, out.Verified)
	assert.Empty(t, out.Problems)

	// One side alone, as a one-layer PUT would send it, is refused.
	fresh := start(t, seed)
	req, _ := http.NewRequest(http.MethodPut, fresh.run.URL+"/api/v1/admin/metadata/layers/1/relationships",
		strings.NewReader(`{"relationships":[{"id":"x","name":"x","relatedLayerId":2,"cardinality":"one-to-one","originField":"parcel_id","destinationField":"parcel_id","composite":true}]}`))
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// A facet key removed from git clears the facet (JSON null), once.
func TestRemovedFacetKeyClearsTheFacet(t *testing.T) {
	ctx := context.Background()
	desired := exampleDesired(t, "staging")
	withPopup := mutate(t, desired, "Layer", "parcels", func(spec map[string]any) {
		spec["popupInfo"] = map[string]any{"title": "{situs_address}"}
	})
	tg := start(t, seedFor(t, desired))
	first, err := apply.Run(ctx, tg.driver(t), request("staging", withPopup, nil))
	require.NoError(t, err)
	require.False(t, first.Failed())

	out, err := apply.Run(ctx, tg.driver(t), request("staging", desired, first.Recorded))
	require.NoError(t, err)
	require.Len(t, out.Results, 1)
	assert.Equal(t, apply.Applied, out.Results[0].Status, out.Results[0].Message)
	assert.Equal(t, "wrote popup-info", out.Results[0].Message)
	id := -1
	for _, w := range tg.run.Server.Gen2Log().Writes {
		if strings.HasSuffix(w.Path, "/popup-info") {
			id = int(w.Revision)
		}
	}
	require.NotEqual(t, -1, id)
	var layers struct {
		Data []struct {
			LayerID   int    `json:"layerId"`
			LayerName string `json:"layerName"`
		} `json:"data"`
	}
	var conns struct {
		Data []struct {
			ConnectionID string `json:"connectionId"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/api/v1/admin/connections", ""), &conns))
	require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/api/v1/admin/connections/"+conns.Data[0].ConnectionID+"/layers?serviceName=land-records", ""), &layers))
	for _, l := range layers.Data {
		if l.LayerName == "parcels" {
			var doc struct {
				Data map[string]any `json:"data"`
			}
			require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/api/v1/admin/metadata/layers/"+strconv.Itoa(l.LayerID)+"/popup-info", ""), &doc))
			assert.NotContains(t, doc.Data, "document", "popup-info cleared")
		}
	}
	again, err := apply.Run(ctx, tg.driver(t), request("staging", desired, out.Recorded))
	require.NoError(t, err)
	assert.Empty(t, again.Results)
}
