package conformance

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

// honua-gen2-facets.md Corrections 14 and LayerValidationService: the
// validation facet is read-only.
func TestGen2Validation(t *testing.T) {
	s := start(t, func(o *emulator.Options) {
		seeded(o)
		// A layer whose table has vanished from the database (seeded on a
		// table the connection does not hold).
		o.Gen2Seed.Layers = append(o.Gen2Seed.Layers, emulator.Gen2SeedLayer{LayerID: 2, Connection: "gis", ServiceName: "cadastre",
			LayerName: "ghost", Schema: "public", Table: "ghost"})
	})
	r := s.do(http.MethodGet, admin+"/metadata/layers/1/validation", nil)
	d := r.dataObj(t, http.StatusOK)
	assert.ElementsMatch(t, []string{"layerId", "layerName", "status", "isValid", "storageSchema", "storageTable", "checkedAt", "checks"}, keys(d))
	assert.Equal(t, "parcels", d["layerName"])
	assert.Equal(t, "valid", d["status"])
	assert.Equal(t, true, d["isValid"])
	assert.Equal(t, "public", d["storageSchema"])
	assert.Equal(t, "parcels", d["storageTable"])
	codes := map[string]string{}
	for _, c := range d["checks"].([]any) {
		m := c.(map[string]any)
		assert.ElementsMatch(t, []string{"code", "severity", "message", "expected", "actual"}, keys(m))
		assert.Contains(t, []string{"pass", "warning", "error"}, m["severity"])
		codes[m["code"].(string)] = m["severity"].(string)
	}
	for _, c := range []string{"catalog-layer", "permanent-filter", "storage-table", "primary-key-column", "geometry-column", "storage-srid", "declared-field"} {
		assert.Equal(t, "pass", codes[c], c)
	}
	assert.True(t, jsonbSorted(topKeys(t, envData(t, r))))

	d = s.do(http.MethodGet, admin+"/metadata/layers/2/validation", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, "invalid", d["status"])
	assert.Equal(t, false, d["isValid"])
	var table map[string]any
	for _, c := range d["checks"].([]any) {
		if m := c.(map[string]any); m["code"] == "storage-table" {
			table = m
		}
	}
	require.NotNil(t, table)
	assert.Equal(t, "error", table["severity"])
	assert.Equal(t, "public.ghost", table["expected"])
	assert.Nil(t, table["actual"])

	s.do(http.MethodGet, admin+"/metadata/layers/99/validation", nil).problem(t, http.StatusNotFound)
	s.do(http.MethodPut, admin+"/metadata/layers/1/validation", map[string]any{}).empty(t, http.StatusMethodNotAllowed)
	assert.EqualValues(t, 1, s.gen2Log().Revision, "validation writes nothing")
}

// honua-gen2-facets.md §3.1 and Corrections 12: the write-only layer
// metadata PUT.
func TestGen2LayerMetadata(t *testing.T) {
	s := start(t, func(o *emulator.Options) {
		seeded(o)
		o.Gen2Seed.Services = append(o.Gen2Seed.Services, emulator.Gen2SeedService{Name: "maps", EnabledProtocols: []string{"MapServer"}})
	})
	meta := admin + "/services/cadastre/layers/1/metadata"

	d := s.do(http.MethodPut, meta, map[string]any{
		"accessPolicy": map[string]any{"allowAnonymous": true, "allowedRoles": []string{"viewer"}},
		"timeInfo":     map[string]any{"startTimeField": "apn", "endTimeField": "apn"},
		"license":      "CC-BY-4.0", "attribution": "County GIS",
		"rasterMosaic": map[string]any{"mergeStrategy": "Newest"},
	}).dataObj(t, http.StatusOK)
	assert.EqualValues(t, 1, d["layerId"])
	assert.Equal(t, "parcels", d["layerName"])
	assert.Equal(t, "CC-BY-4.0", d["license"])
	assert.Equal(t, map[string]any{"startTimeField": "apn", "endTimeField": "apn"}, d["timeInfo"])
	assert.Equal(t, map[string]any{"mergeStrategy": "newest"}, d["rasterMosaic"], "echoed")
	ap := d["accessPolicy"].(map[string]any)
	assert.Equal(t, true, ap["allowAnonymous"])
	assert.Equal(t, []any{"viewer"}, ap["allowedRoles"])
	assert.EqualValues(t, 2, s.gen2Log().Revision)

	// Merge: absent keeps, "" clears a time field; rasterMosaic was dropped.
	d = s.do(http.MethodPut, meta, map[string]any{"timeInfo": map[string]any{"endTimeField": ""}, "publisher": "Riverton"}).dataObj(t, http.StatusOK)
	assert.Equal(t, map[string]any{"startTimeField": "apn"}, d["timeInfo"])
	assert.Equal(t, "CC-BY-4.0", d["license"], "null keeps")
	assert.Equal(t, "Riverton", d["publisher"])
	assert.NotContains(t, d, "rasterMosaic", "not stored")
	assert.Equal(t, true, d["accessPolicy"].(map[string]any)["allowAnonymous"])
	s.do(http.MethodPut, meta, map[string]any{}).data(t, http.StatusOK)
	assert.EqualValues(t, 4, s.gen2Log().Revision, "a revision per write, even an empty one")

	s.do(http.MethodGet, meta, nil).empty(t, http.StatusMethodNotAllowed)
	p := s.do(http.MethodPut, admin+"/services/maps/layers/1/metadata", map[string]any{}).problem(t, http.StatusConflict)
	assert.Equal(t, "FeatureServer service not found", p["title"])
	s.do(http.MethodPut, admin+"/services/nope/layers/1/metadata", map[string]any{}).failure(t, http.StatusNotFound)
	s.do(http.MethodPut, admin+"/services/empty/layers/1/metadata", map[string]any{}).failure(t, http.StatusNotFound)
	s.do(http.MethodPut, meta, map[string]any{"rasterMosaic": map[string]any{"mergeStrategy": "mosaic"}}).failure(t, http.StatusBadRequest)
	assert.EqualValues(t, 4, s.gen2Log().Revision)
}

// honua-gen2-facets.md §1.1 and Corrections 7: the deprecated admin layer
// style shares storage with the OGC style and bumps styleVersion.
func TestGen2AdminStyle(t *testing.T) {
	s := start(t, seeded)
	style := admin + "/metadata/layers/1/style"
	deprecated := func(t *testing.T, r response) {
		t.Helper()
		assert.Equal(t, []string{"true"}, r.header.Values("Deprecation"))
		assert.Equal(t, []string{"Thu, 31 Dec 2026 23:59:59 GMT"}, r.header.Values("Sunset"))
		assert.Equal(t, []string{`</ogc/styles>; rel="successor-version"`}, r.header.Values("Link"))
	}

	r := s.do(http.MethodGet, style, nil)
	deprecated(t, r)
	d := r.dataObj(t, http.StatusOK)
	assert.EqualValues(t, 0, d["styleVersion"], "unstyled: an in-memory default")
	assert.NotNil(t, d["mapLibreStyle"])
	assert.Equal(t, []any{}, d["unsupportedSymbolizers"])

	ml := map[string]any{"version": 8, "layers": []any{map[string]any{"id": "f", "type": "fill", "paint": map[string]any{"fill-color": "#00ff00"}}}}
	r = s.do(http.MethodPut, style, map[string]any{"mapLibreStyle": ml, "changedBy": "alice", "changeSummary": "green"})
	deprecated(t, r)
	d = r.dataObj(t, http.StatusOK)
	assert.EqualValues(t, 1, d["styleVersion"])
	assert.Equal(t, "alice", d["revisedBy"])
	assert.NotEmpty(t, d["revisedAt"])
	assert.NotNil(t, d["drawingInfo"])
	fill := d["mapLibreStyle"].(map[string]any)["layers"].([]any)[0].(map[string]any)
	assert.Equal(t, "layer", fill["source-layer"], "normalised")
	assert.EqualValues(t, 2, s.gen2Log().Revision)

	// Shared storage: the OGC route serves it, and an OGC PUT bumps the version.
	og := s.do(http.MethodGet, "/ogc/styles/parcels", nil, noAuth).obj(t)
	assert.Equal(t, "#00ff00", og["layers"].([]any)[0].(map[string]any)["paint"].(map[string]any)["fill-color"])
	s.do(http.MethodPut, "/ogc/styles/parcels", ml, hdr{"Content-Type", "application/vnd.mapbox.style+json"}).empty(t, http.StatusNoContent)
	d = s.do(http.MethodGet, style, nil).dataObj(t, http.StatusOK)
	assert.EqualValues(t, 2, d["styleVersion"])

	// drawingInfo only: stored verbatim.
	di := map[string]any{"renderer": map[string]any{"type": "simple", "symbol": map[string]any{"type": "esriSFS", "color": []int{1, 2, 3, 255}}}}
	d = s.do(http.MethodPut, style, map[string]any{"drawingInfo": di}).dataObj(t, http.StatusOK)
	assert.EqualValues(t, 3, d["styleVersion"])
	assert.Equal(t, "simple", d["drawingInfo"].(map[string]any)["renderer"].(map[string]any)["type"])
	assert.EqualValues(t, 4, s.gen2Log().Revision)

	r = s.do(http.MethodPut, style, map[string]any{"changedBy": "bob"})
	deprecated(t, r)
	r.problem(t, http.StatusBadRequest)
	s.do(http.MethodPut, style, map[string]any{"mapLibreStyle": map[string]any{"version": 7, "layers": []any{}}}).problem(t, http.StatusBadRequest)
	r = s.do(http.MethodGet, admin+"/metadata/layers/99/style", nil)
	deprecated(t, r)
	r.problem(t, http.StatusNotFound)
	assert.EqualValues(t, 4, s.gen2Log().Revision)
}

// honua-gen2-facets.md §1.2: the branch-only facets are not on trunk, so
// a Gen2 server answers 404; and metadata-v2 §1: every removed Gen1 route
// is 404, before authentication.
func TestGen2UnmappedRoutes(t *testing.T) {
	s := start(t, seeded)
	var paths []string
	for _, f := range []string{"display", "editing", "discovery", "spatial", "subtypes", "attribute-rules", "extrusion", "status"} {
		paths = append(paths, admin+"/metadata/layers/1/"+f)
	}
	paths = append(paths, admin+"/metadata/publications/pub.cadastre.parcels/overrides",
		admin+"/services/cadastre/settings-caps", admin+"/services/cadastre/discovery")
	for _, p := range paths {
		for _, m := range []string{http.MethodGet, http.MethodPut} {
			s.do(m, p, map[string]any{}).empty(t, http.StatusNotFound)
		}
	}
	for _, rt := range []struct{ method, path string }{
		{http.MethodGet, admin + "/manifest"},
		{http.MethodPost, admin + "/manifest/apply"},
		{http.MethodGet, admin + "/manifest/drift"},
		{http.MethodGet, admin + "/manifest/versions"},
		{http.MethodGet, admin + "/manifest/versions/1"},
		{http.MethodGet, admin + "/manifest/pending"},
		{http.MethodPost, admin + "/manifest/pending/1/approve"},
		{http.MethodGet, admin + "/metadata/resources"},
		{http.MethodGet, admin + "/metadata/resources/Layer/default/parcels"},
		{http.MethodPut, admin + "/metadata/resources/Layer/default/parcels"},
		{http.MethodGet, admin + "/resources"},
		{http.MethodGet, admin + "/gitops/watch"},
		{http.MethodPost, admin + "/gitops/watch"},
		{http.MethodGet, admin + "/gitops/changes"},
	} {
		s.do(rt.method, rt.path, map[string]any{}).empty(t, http.StatusNotFound)
		s.do(rt.method, rt.path, map[string]any{}, noAuth).empty(t, http.StatusNotFound)
	}
}
