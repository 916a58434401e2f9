package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

const servingKey = "serving-key"

// servingSeed is a Generation 2 graph with one layer in a service serving
// both protocols and one in a FeatureServer-only service.
func servingSeed() *emulator.Gen2Seed {
	table := func(name string) emulator.Gen2SeedTable {
		return emulator.Gen2SeedTable{Schema: "public", Table: name, GeometryColumn: "geom", GeometryType: "Point", Srid: 4326, PrimaryKey: "id",
			Columns: []emulator.Gen2SeedColumn{{Name: "id", Type: "Integer"}}}
	}
	return &emulator.Gen2Seed{
		Services: []emulator.Gen2SeedService{
			{Name: "cadastre", EnabledProtocols: []string{"FeatureServer", "OgcFeatures"}},
			{Name: "permits", EnabledProtocols: []string{"FeatureServer"}},
		},
		Connections: []emulator.Gen2SeedConnection{{Name: "gis", Host: "db", DatabaseName: "gis", Username: "honua",
			Tables: []emulator.Gen2SeedTable{table("parcels"), table("permits")}}},
		Layers: []emulator.Gen2SeedLayer{
			{LayerID: 1, Connection: "gis", ServiceName: "cadastre", LayerName: "parcels", Schema: "public", Table: "parcels"},
			{LayerID: 2, Connection: "gis", ServiceName: "permits", LayerName: "permits", Schema: "public", Table: "permits"},
		},
	}
}

// startServing starts an emulator of the generation; Generation 1 gets a
// Service and a Layer published by it.
func startServing(t *testing.T, generation int) *emulator.Running {
	t.Helper()
	opts := emulator.Options{APIKey: servingKey}
	if generation == emulator.Generation2 {
		opts.Generation, opts.Gen2Seed = emulator.Generation2, servingSeed()
	}
	run, err := emulator.Start(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	if generation == emulator.Generation1 {
		for _, body := range []string{
			`{"apiVersion":"honua.io/v1alpha1","kind":"Service","metadata":{"name":"cadastre","namespace":"land"},"spec":{"description":"d","srid":4326}}`,
			`{"apiVersion":"honua.io/v1alpha1","kind":"Layer","metadata":{"name":"parcels","namespace":"land"},"spec":{"title":"Parcels","serviceId":"cadastre","tableName":"parcels","schemaName":"public","geometryType":"Polygon","srid":4326}}`,
		} {
			status, _, _ := servingGet(t, run.URL, http.MethodPost, "/api/v1/admin/metadata/resources", body, true)
			require.Equal(t, http.StatusCreated, status)
		}
	}
	return run
}

func servingGet(t *testing.T, base, method, path, body string, auth bool) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
	require.NoError(t, err)
	if auth {
		req.Header.Set("X-API-Key", servingKey)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, raw
}

func TestServingRoutes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		generation int
		path       string
		anonymous  bool
		want       int
		contains   string
	}{
		{"gen1 landing", 1, "/ogc/features", false, 200, `"links"`},
		{"gen1 conformance", 1, "/ogc/features/conformance", false, 200, emulator.ConformanceCore},
		{"gen1 collections", 1, "/ogc/features/collections?f=json", false, 200, `"id":"0","title":"Parcels"`},
		{"gen1 collection", 1, "/ogc/features/collections/0", false, 200, `"title":"Parcels"`},
		{"gen1 collection by name", 1, "/ogc/features/collections/PARCELS", false, 200, `"id":"0"`},
		{"gen1 unknown collection", 1, "/ogc/features/collections/9", false, 404, ""},
		{"gen1 items", 1, "/ogc/features/collections/0/items?limit=1", false, 200, `"numberReturned":1`},
		{"gen1 items limit 0", 1, "/ogc/features/collections/0/items?limit=0", false, 200, `"numberReturned":0`},
		{"gen1 strict query", 1, "/ogc/features/collections?cachebust=1", false, 400, "cachebust"},
		{"gen1 anonymous", 1, "/ogc/features/collections", true, 401, ""},
		{"gen1 anonymous rest", 1, "/rest/services?f=json", true, 401, ""},
		{"gen1 catalog", 1, "/rest/services?f=json", false, 200, `"name":"cadastre","type":"FeatureServer"`},
		{"gen1 feature server", 1, "/rest/services/cadastre/FeatureServer?f=json", false, 200, `{"id":0,"name":"parcels"}`},
		{"gen1 feature layer", 1, "/rest/services/cadastre/FeatureServer/0?f=json", false, 200, `"fields":[]`},
		{"gen1 unknown feature layer", 1, "/rest/services/cadastre/FeatureServer/5?f=json", false, 404, ""},
		{"gen1 unknown service", 1, "/rest/services/nope/FeatureServer?f=json", false, 404, ""},
		{"gen2 collections gated", 2, "/ogc/features/collections", false, 200, `"id":"parcels"`},
		{"gen2 collection", 2, "/ogc/features/collections/parcels", false, 200, `"title":"parcels"`},
		{"gen2 protocol gate collection", 2, "/ogc/features/collections/permits", false, 404, ""},
		{"gen2 protocol gate items", 2, "/ogc/features/collections/permits/items?limit=1", false, 404, ""},
		{"gen2 items", 2, "/ogc/features/collections/parcels/items?limit=1", false, 200, `"type":"FeatureCollection"`},
		{"gen2 strict query", 2, "/ogc/features/collections/parcels/items?limit=1&_=1", false, 400, ""},
		{"gen2 anonymous", 2, "/ogc/features", true, 401, ""},
		{"gen2 feature server", 2, "/rest/services/permits/FeatureServer?f=json", false, 200, `{"id":0,"name":"permits"}`},
		{"gen2 feature layer", 2, "/rest/services/cadastre/FeatureServer/0?f=json", false, 200, `"name":"parcels"`},
	}
	runs := map[int]*emulator.Running{1: startServing(t, 1), 2: startServing(t, 2)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, _, body := servingGet(t, runs[tt.generation].URL, http.MethodGet, tt.path, "", !tt.anonymous)
			assert.Equal(t, tt.want, status, string(body))
			assert.Contains(t, string(body), tt.contains)
		})
	}
}

func TestServingCollectionsExcludeGatedLayers(t *testing.T) {
	t.Parallel()
	run := startServing(t, emulator.Generation2)
	_, _, body := servingGet(t, run.URL, http.MethodGet, "/ogc/features/collections", "", true)
	var got struct {
		Collections []struct{ ID string } `json:"collections"`
	}
	require.NoError(t, json.Unmarshal(body, &got))
	require.Len(t, got.Collections, 1)
	assert.Equal(t, "parcels", got.Collections[0].ID)
	_, _, body = servingGet(t, run.URL, http.MethodGet, "/rest/services?f=json", "", true)
	assert.Contains(t, string(body), `"name":"permits"`)
}

func TestServingItemsContentType(t *testing.T) {
	t.Parallel()
	run := startServing(t, emulator.Generation1)
	_, h, _ := servingGet(t, run.URL, http.MethodGet, "/ogc/features/collections/0/items?limit=1", "", true)
	assert.Equal(t, "application/geo+json", h.Get("Content-Type"))
}

func TestServingETagIsBodyHash(t *testing.T) {
	t.Parallel()
	a, b := startServing(t, emulator.Generation2), startServing(t, emulator.Generation2)
	_, ha, bodyA := servingGet(t, a.URL, http.MethodGet, "/rest/services/cadastre/FeatureServer?f=json", "", true)
	_, hb, bodyB := servingGet(t, b.URL, http.MethodGet, "/rest/services/cadastre/FeatureServer?f=json", "", true)
	require.True(t, bytes.Equal(bodyA, bodyB))
	assert.NotEmpty(t, ha.Get("ETag"))
	assert.Equal(t, ha.Get("ETag"), hb.Get("ETag"), "same body, same ETag on every replica")
}

func TestServingStatusFault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		path   string
		status int
		want   int
	}{
		{"ogc collections", "/ogc/features/collections", 503, 503},
		{"ogc items", "/ogc/features/collections/0/items?limit=1", 500, 500},
		{"rest catalog", "/rest/services?f=json", 503, 503},
		{"feature server", "/rest/services/cadastre/FeatureServer?f=json", 503, 503},
		{"readiness keeps working", "/healthz/ready", 503, 200},
		{"admin keeps working", "/api/v1/admin/metadata/resources", 503, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := startServing(t, emulator.Generation1)
			require.NoError(t, run.Server.SetServingStatus(tt.status))
			status, h, _ := servingGet(t, run.URL, http.MethodGet, tt.path, "", true)
			assert.Equal(t, tt.want, status)
			if tt.want != 200 {
				assert.Equal(t, "serving-status", h.Get("X-Honua-Emulator-Fault"))
			}
			require.NoError(t, run.Server.SetServingStatus(0))
			status, _, _ = servingGet(t, run.URL, http.MethodGet, tt.path, "", true)
			assert.Equal(t, http.StatusOK, status, "cleared at run time")
		})
	}
}

func TestServingStatusFaultFromOptionsAndValidation(t *testing.T) {
	t.Parallel()
	run, err := emulator.Start(t.Context(), emulator.Options{APIKey: servingKey, Faults: emulator.Faults{ServingStatus: 500}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	status, _, _ := servingGet(t, run.URL, http.MethodGet, "/ogc/features", "", true)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Error(t, run.Server.SetServingStatus(200))
	assert.Error(t, emulator.Faults{ServingStatus: 302}.Validate())
	assert.NoError(t, run.Server.SetFaults(emulator.Faults{}))
	status, _, _ = servingGet(t, run.URL, http.MethodGet, "/ogc/features", "", true)
	assert.Equal(t, http.StatusOK, status, "SetFaults clears it too")
}
