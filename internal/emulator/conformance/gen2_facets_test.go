package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

// seededTwo adds an owners table, published as layer 2 of cadastre, so
// relationships have a related layer. readOnly marks both layers read-only.
func seededTwo(readOnly bool) func(*emulator.Options) {
	return func(o *emulator.Options) {
		seeded(o)
		c := &o.Gen2Seed.Connections[0]
		c.Tables = append(c.Tables, emulator.Gen2SeedTable{Schema: "public", Table: "owners", PrimaryKey: "owner_id",
			Columns: []emulator.Gen2SeedColumn{{Name: "owner_id", Type: "Integer"}, {Name: "parcel_id", Type: "Integer"}, {Name: "name", Type: "String"}}})
		o.Gen2Seed.Layers[0].ReadOnly = readOnly
		o.Gen2Seed.Layers = append(o.Gen2Seed.Layers, emulator.Gen2SeedLayer{LayerID: 2, Connection: "gis", ServiceName: "cadastre",
			LayerName: "owners", Schema: "public", Table: "owners", ReadOnly: readOnly})
	}
}

// honua-gen2-facets.md §1.1 and Corrections 6: the filter facet.
func TestGen2Filter(t *testing.T) {
	s := start(t, seeded)
	filter := admin + "/metadata/layers/1/filter"

	d := s.do(http.MethodGet, filter, nil).dataObj(t, http.StatusOK)
	assert.Equal(t, map[string]any{"layerId": 1.0}, d, "no filter: permanentFilter is absent")

	for _, c := range []struct {
		lang any
		want string
	}{
		{nil, "arcgis-sql"}, {"arcgis", "arcgis-sql"}, {"geoservices-sql", "arcgis-sql"}, {"ARCGIS-SQL", "arcgis-sql"},
		{"cql2", "cql2-text"}, {"cql2-text", "cql2-text"},
	} {
		pf := map[string]any{"expression": "apn LIKE 'R%' AND (id > 10)"}
		if c.lang != nil {
			pf["language"] = c.lang
		}
		d = s.do(http.MethodPut, filter, map[string]any{"permanentFilter": pf}).dataObj(t, http.StatusOK)
		assert.Equal(t, c.want, d["permanentFilter"].(map[string]any)["language"], "language %v", c.lang)
	}
	got := s.do(http.MethodGet, filter, nil)
	pf := got.dataObj(t, http.StatusOK)["permanentFilter"].(map[string]any)
	assert.Equal(t, map[string]any{"expression": "apn LIKE 'R%' AND (id > 10)", "language": "cql2-text"}, pf)
	assert.True(t, jsonbSorted(topKeys(t, envData(t, got))))
	assert.EqualValues(t, 7, s.gen2Log().Revision, "every PUT, identical or not, is a revision")

	js := `{"op":"=","args":[{"property":"apn"},"X"]}`
	d = s.do(http.MethodPut, filter, map[string]any{"permanentFilter": map[string]any{"expression": js, "language": "cql2-json"}}).dataObj(t, http.StatusOK)
	assert.Equal(t, "cql2-json", d["permanentFilter"].(map[string]any)["language"])

	for name, pf := range map[string]map[string]any{
		"empty":             {"expression": "  "},
		"missing":           {"language": "arcgis-sql"},
		"too long":          {"expression": "apn = '" + strings.Repeat("x", 4096) + "'"},
		"unknown language":  {"expression": "apn = 'x'", "language": "sql"},
		"unbalanced quote":  {"expression": "apn = 'x"},
		"unbalanced parens": {"expression": "(apn = 'x'"},
		"close first":       {"expression": "apn = 'x')("},
		"unknown field":     {"expression": "owner = 'x'"},
		"cql2-json field":   {"expression": `{"op":"=","args":[{"property":"nope"},1]}`, "language": "cql2-json"},
		"cql2-json syntax":  {"expression": `{"op":`, "language": "cql2-json"},
	} {
		t.Run(name, func(t *testing.T) {
			p := s.do(http.MethodPut, filter, map[string]any{"permanentFilter": pf}).problem(t, http.StatusBadRequest)
			assert.Equal(t, "Invalid layer filter", p["title"])
			assert.NotEmpty(t, p["detail"])
		})
	}
	assert.EqualValues(t, 8, s.gen2Log().Revision, "rejected writes write nothing")

	d = s.do(http.MethodPut, filter, map[string]any{}).dataObj(t, http.StatusOK)
	assert.NotContains(t, d, "permanentFilter", "{} clears")
	s.do(http.MethodPut, filter, map[string]any{"permanentFilter": map[string]any{"expression": "id = 1"}}).data(t, http.StatusOK)
	d = s.do(http.MethodPut, filter, map[string]any{"permanentFilter": nil}).dataObj(t, http.StatusOK)
	assert.NotContains(t, d, "permanentFilter", "null clears")
	assert.EqualValues(t, 11, s.gen2Log().Revision)
	assert.Equal(t, "layer.filter", s.gen2Log().Writes[9].Facet)

	s.do(http.MethodGet, admin+"/metadata/layers/99/filter", nil).problem(t, http.StatusNotFound)
	s.do(http.MethodPut, admin+"/metadata/layers/99/filter", map[string]any{}).problem(t, http.StatusNotFound)
	s.do(http.MethodPut, filter, "{", hdr{"Content-Type", "application/json"}).empty(t, http.StatusBadRequest)
}

func TestGen2FilterFaults(t *testing.T) {
	fail := emulator.Identity{Kind: "LayerFilter", Namespace: "default", Name: "1"}
	s := start(t, seeded, faults(emulator.Faults{FailResource: fail}))
	body := map[string]any{"permanentFilter": map[string]any{"expression": "id = 1"}}
	r := s.do(http.MethodPut, admin+"/metadata/layers/1/filter", body)
	r.problem(t, http.StatusInternalServerError)
	assert.Equal(t, "fail-resource", r.header.Get("X-Honua-Emulator-Fault"))
	assert.EqualValues(t, 1, s.gen2Log().Revision, "a fault before the write writes nothing")

	s = start(t, seeded, faults(emulator.Faults{FailResource: fail, When: emulator.FaultAfter, WriteStatus: 503}))
	s.do(http.MethodPut, admin+"/metadata/layers/1/filter", body).problem(t, http.StatusServiceUnavailable)
	assert.EqualValues(t, 2, s.gen2Log().Revision, "a fault after the write: it landed")
	d := s.do(http.MethodGet, admin+"/metadata/layers/1/filter", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, "id = 1", d["permanentFilter"].(map[string]any)["expression"])
}

func rel(id string, related int, origin, dest string) map[string]any {
	return map[string]any{"id": id, "name": "Rel " + id, "relatedLayerId": related, "cardinality": "one-to-many",
		"originField": origin, "destinationField": dest}
}

// honua-gen2-facets.md §1.1 and Corrections 5: relationships.
func TestGen2Relationships(t *testing.T) {
	s := start(t, seededTwo(false))
	rels := admin + "/metadata/layers/1/relationships"

	d := s.do(http.MethodGet, rels, nil).dataObj(t, http.StatusOK)
	assert.Equal(t, map[string]any{"layerId": 1.0, "relationships": []any{}}, d)

	one := rel("owners", 2, "id", "parcel_id")
	one["description"], one["role"], one["esriRelationshipId"] = "Who owns it", "origin", 7
	d = s.do(http.MethodPut, rels, map[string]any{"relationships": []any{one}}).dataObj(t, http.StatusOK)
	require.Len(t, d["relationships"], 1)
	got := d["relationships"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"id": "owners", "name": "Rel owners", "description": "Who owns it", "relatedLayerId": 2.0,
		"role": "origin", "cardinality": "one-to-many", "originField": "id", "destinationField": "parcel_id",
		"esriRelationshipId": 7.0, "composite": false}, got)
	r := s.do(http.MethodGet, rels, nil)
	assert.Equal(t, d, r.dataObj(t, http.StatusOK), "GET data round-trips")
	assert.True(t, jsonbSorted(topKeys(t, envData(t, r))))
	assert.EqualValues(t, 2, s.gen2Log().Revision)

	// Round trip: GET data (minus layerId) PUT back is content-idempotent, and still a revision.
	delete(d, "layerId")
	assert.Equal(t, r.dataObj(t, http.StatusOK), s.do(http.MethodPut, rels, d).dataObj(t, http.StatusOK))
	assert.EqualValues(t, 3, s.gen2Log().Revision)

	bad := func(t *testing.T, path string, body any) string {
		t.Helper()
		return s.do(http.MethodPut, path, body).problem(t, http.StatusBadRequest)["detail"].(string)
	}
	many := []any{}
	for i := range 65 {
		many = append(many, rel("r"+string(rune('a'+i%26))+strings.Repeat("x", i/26), 2, "id", "parcel_id"))
	}
	for name, body := range map[string]any{
		"null":              map[string]any{"relationships": nil},
		"too many":          map[string]any{"relationships": many},
		"origin field":      map[string]any{"relationships": []any{rel("a", 2, "nope", "parcel_id")}},
		"destination field": map[string]any{"relationships": []any{rel("a", 2, "id", "apn")}},
		"related layer":     map[string]any{"relationships": []any{rel("a", 42, "id", "parcel_id")}},
		"cardinality":       map[string]any{"relationships": []any{map[string]any{"id": "a", "name": "a", "relatedLayerId": 2, "cardinality": "one-to-few", "originField": "id", "destinationField": "parcel_id"}}},
		"duplicate id":      map[string]any{"relationships": []any{rel("a", 2, "id", "parcel_id"), rel("a", 2, "id", "parcel_id")}},
		"no id":             map[string]any{"relationships": []any{rel("", 2, "id", "parcel_id")}},
		"composite":         map[string]any{"relationships": []any{withComposite(rel("a", 2, "id", "parcel_id"))}},
	} {
		t.Run(name, func(t *testing.T) { assert.NotEmpty(t, bad(t, rels, body)) })
	}
	assert.Equal(t, "Layer 99 must resolve to exactly one routable storage-backed resource.",
		bad(t, admin+"/metadata/layers/99/relationships", map[string]any{"relationships": []any{}}), "PUT unknown layer is a 400")
	s.do(http.MethodGet, admin+"/metadata/layers/99/relationships", nil).problem(t, http.StatusNotFound)
	assert.EqualValues(t, 3, s.gen2Log().Revision, "rejected writes write nothing")

	d = s.do(http.MethodPut, rels, map[string]any{}).dataObj(t, http.StatusOK)
	assert.Empty(t, d["relationships"], "an absent member clears all")
	assert.EqualValues(t, 4, s.gen2Log().Revision)
}

func withComposite(r map[string]any) map[string]any {
	r["composite"] = true
	return r
}

func TestGen2RelationshipsBatch(t *testing.T) {
	batch := admin + "/metadata/layers/relationships/batch"
	reciprocal := map[string]any{"layers": []any{
		map[string]any{"layerId": 1, "relationships": []any{withComposite(rel("to-owners", 2, "id", "parcel_id"))}},
		map[string]any{"layerId": 2, "relationships": []any{withComposite(rel("to-parcel", 1, "parcel_id", "id"))}},
	}}

	t.Run("composite needs read-only layers", func(t *testing.T) {
		s := start(t, seededTwo(false))
		p := s.do(http.MethodPut, batch, reciprocal).problem(t, http.StatusBadRequest)
		assert.Contains(t, p["detail"], "Composite relationships require reciprocal declarations and read-only resources")
		assert.EqualValues(t, 1, s.gen2Log().Revision)
	})
	t.Run("reciprocal composites, one revision", func(t *testing.T) {
		s := start(t, seededTwo(true))
		d := s.do(http.MethodPut, batch, reciprocal).dataObj(t, http.StatusOK)
		require.Len(t, d["layers"], 2)
		assert.EqualValues(t, 2, d["layers"].([]any)[1].(map[string]any)["layerId"])
		assert.EqualValues(t, 2, s.gen2Log().Revision, "a batch is one save")
		assert.Equal(t, "layer.relationships.batch", s.gen2Log().Writes[0].Facet)
		got := s.do(http.MethodGet, admin+"/metadata/layers/2/relationships", nil).dataObj(t, http.StatusOK)
		assert.Equal(t, true, got["relationships"].([]any)[0].(map[string]any)["composite"])

		// The whole graph is validated: a single PUT that drops one side of
		// the pair would leave layer 1's composite alone.
		single := map[string]any{"relationships": []any{withComposite(rel("to-owners", 2, "id", "parcel_id"))}}
		s.do(http.MethodPut, admin+"/metadata/layers/1/relationships", single).data(t, http.StatusOK)
		p := s.do(http.MethodPut, admin+"/metadata/layers/2/relationships", map[string]any{"relationships": []any{}}).problem(t, http.StatusBadRequest)
		assert.Contains(t, p["detail"], "reciprocal")
		assert.EqualValues(t, 3, s.gen2Log().Revision)
	})
	t.Run("shape errors", func(t *testing.T) {
		s := start(t, seededTwo(true))
		for name, body := range map[string]any{
			"empty":     map[string]any{"layers": []any{}},
			"missing":   map[string]any{},
			"duplicate": map[string]any{"layers": []any{map[string]any{"layerId": 1}, map[string]any{"layerId": 1}}},
		} {
			p := s.do(http.MethodPut, batch, body).problem(t, http.StatusBadRequest)
			assert.Equal(t, "Supply between 1 and 64 distinct layers.", p["detail"], name)
		}
		p := s.do(http.MethodPut, batch, map[string]any{"layers": []any{map[string]any{"layerId": 5, "relationships": []any{}}}}).problem(t, http.StatusBadRequest)
		assert.Equal(t, "Layer 5 must resolve to exactly one routable storage-backed resource.", p["detail"])
		s.do(http.MethodPut, batch, map[string]any{"layers": []any{map[string]any{"layerId": 1, "relationships": nil}}}).problem(t, http.StatusBadRequest)
		s.do(http.MethodGet, batch, nil).empty(t, http.StatusMethodNotAllowed)
		assert.EqualValues(t, 1, s.gen2Log().Revision)
	})
	t.Run("retries exhausted 409", func(t *testing.T) {
		s := start(t, seededTwo(true), faults(emulator.Faults{RelationshipsConflict: true}))
		r := s.do(http.MethodPut, batch, reciprocal)
		p := r.problem(t, http.StatusConflict)
		assert.Equal(t, "Metadata changed during relationship authoring. Retry against the current catalog.", p["detail"])
		assert.Equal(t, "relationships-conflict", r.header.Get("X-Honua-Emulator-Fault"))
		s.do(http.MethodPut, admin+"/metadata/layers/1/relationships", map[string]any{}).problem(t, http.StatusConflict)
		assert.EqualValues(t, 1, s.gen2Log().Revision, "nothing was written")
		require.NoError(t, s.run.Server.SetFaults(emulator.Faults{}))
		s.do(http.MethodPut, batch, reciprocal).data(t, http.StatusOK)
	})
	t.Run("write fault identity", func(t *testing.T) {
		fail := emulator.Identity{Kind: "LayerRelationships", Namespace: "default", Name: "1"}
		s := start(t, seededTwo(false), faults(emulator.Faults{FailResource: fail}))
		s.do(http.MethodPut, admin+"/metadata/layers/1/relationships", map[string]any{}).problem(t, http.StatusInternalServerError)
		s.do(http.MethodPut, admin+"/metadata/layers/2/relationships", map[string]any{}).data(t, http.StatusOK)
	})
}
