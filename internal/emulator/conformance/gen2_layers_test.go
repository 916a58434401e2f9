package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGen2PublishLayer(t *testing.T) {
	s := start(t, seeded)
	layers := admin + "/connections/gis/layers"

	t.Run("list by connection name and service", func(t *testing.T) {
		items := s.do(http.MethodGet, layers+"?serviceName=cadastre", nil).data(t, http.StatusOK).([]any)
		require.Len(t, items, 1)
		l := items[0].(map[string]any)
		assert.EqualValues(t, 1, l["layerId"])
		assert.Equal(t, "parcels", l["layerName"])
		assert.EqualValues(t, 3, l["fieldCount"], "id, apn and the geometry column")
		assert.Empty(t, s.do(http.MethodGet, layers, nil).data(t, http.StatusOK), "serviceName defaults to default")
		s.do(http.MethodGet, admin+"/connections/nope/layers", nil).failure(t, http.StatusNotFound)
	})
	t.Run("publish creates the service and a revision", func(t *testing.T) {
		body := map[string]any{"schema": "public", "table": "parcels", "layerName": "parcels2", "serviceName": "open-data", "fields": []string{"apn"}}
		r := s.do(http.MethodPost, admin+"/connections/"+gen2ConnID+"/layers", body)
		l := r.dataObj(t, http.StatusCreated)
		assert.EqualValues(t, 2, l["layerId"], "integer ids, global")
		assert.Equal(t, "open-data", l["serviceName"])
		assert.Equal(t, true, l["enabled"])
		assert.Equal(t, admin+"/connections/"+gen2ConnID+"/layers/2", r.header.Get("Location"))
		assert.EqualValues(t, 2, s.gen2Log().Revision)
		svcs := s.do(http.MethodGet, admin+"/services", nil).data(t, http.StatusOK).([]any)
		assert.Len(t, svcs, 3)

		assert.Equal(t, "Layer publishing operation conflicted with existing data.",
			s.do(http.MethodPost, layers, body).failure(t, http.StatusConflict), "same name in the service")
		body["layerName"] = "other-name"
		s.do(http.MethodPost, layers, body).failure(t, http.StatusConflict) // same table in the service
		assert.EqualValues(t, 2, s.gen2Log().Revision, "a 409 writes nothing")

		body["table"] = "missing"
		s.do(http.MethodPost, layers, body).failure(t, http.StatusNotFound)
		assert.Contains(t, s.do(http.MethodPost, layers, map[string]any{"schema": "public"}).failure(t, http.StatusBadRequest), "Validation failed")
	})
	t.Run("enabled", func(t *testing.T) {
		l := s.do(http.MethodPut, layers+"/1/enabled?serviceName=cadastre", map[string]any{"enabled": false}).dataObj(t, http.StatusOK)
		assert.Equal(t, false, l["enabled"])
		s.do(http.MethodPut, layers+"/99/enabled?serviceName=cadastre", map[string]any{"enabled": false}).failure(t, http.StatusNotFound)
		s.do(http.MethodPut, layers+"/x/enabled", map[string]any{"enabled": false}).empty(t, http.StatusNotFound)
	})
}

func TestGen2Fields(t *testing.T) {
	s := start(t, seeded)
	fields := admin + "/metadata/layers/1/fields"
	byName := func(t *testing.T, d map[string]any) map[string]map[string]any {
		t.Helper()
		out := map[string]map[string]any{}
		for _, f := range d["fields"].([]any) {
			m := f.(map[string]any)
			out[m["name"].(string)] = m
		}
		return out
	}

	r := s.do(http.MethodGet, fields, nil)
	d := r.dataObj(t, http.StatusOK)
	assert.EqualValues(t, 1, d["layerId"])
	f := byName(t, d)
	assert.Equal(t, "Integer", f["id"]["type"])
	assert.Equal(t, "Geometry", f["geom"]["type"])
	assert.NotContains(t, f["apn"], "alias", "absent members are omitted")
	assert.NotContains(t, f["apn"], "domain")
	assert.Empty(t, r.header.Get("ETag"), "facets carry no ETag")

	domain := map[string]any{"name": "Zoning", "type": "codedValue", "codedValues": []any{map[string]any{"code": "R", "name": "Residential"}}}
	d = s.do(http.MethodPut, fields, map[string]any{"fields": []any{map[string]any{"name": "APN", "alias": "Parcel number", "domain": domain, "hidden": true}}}).dataObj(t, http.StatusOK)
	f = byName(t, d)
	assert.Equal(t, "Parcel number", f["apn"]["alias"])
	assert.Equal(t, true, f["apn"]["hidden"])
	assert.Equal(t, "Zoning", f["apn"]["domain"].(map[string]any)["name"])
	assert.EqualValues(t, 2, s.gen2Log().Revision)

	// Within a named field, omitted alias and domain are cleared; hidden null keeps.
	d = s.do(http.MethodPut, fields, map[string]any{"fields": []any{map[string]any{"name": "apn", "hidden": nil}}}).dataObj(t, http.StatusOK)
	f = byName(t, d)
	assert.NotContains(t, f["apn"], "alias")
	assert.NotContains(t, f["apn"], "domain")
	assert.Equal(t, true, f["apn"]["hidden"])

	// An identical write is still a revision.
	s.do(http.MethodPut, fields, map[string]any{"fields": []any{map[string]any{"name": "apn", "hidden": nil}}}).data(t, http.StatusOK)
	assert.EqualValues(t, 4, s.gen2Log().Revision)

	for name, body := range map[string]map[string]any{
		"unknown field":   {"fields": []any{map[string]any{"name": "nope"}}},
		"hide geometry":   {"fields": []any{map[string]any{"name": "geom", "hidden": true}}},
		"hide key":        {"fields": []any{map[string]any{"name": "id", "hidden": true}}},
		"long alias":      {"fields": []any{map[string]any{"name": "apn", "alias": strings.Repeat("a", 257)}}},
		"range domain":    {"fields": []any{map[string]any{"name": "apn", "domain": map[string]any{"name": "r", "type": "range", "range": []int{0, 1}}}}},
		"no coded values": {"fields": []any{map[string]any{"name": "apn", "domain": map[string]any{"name": "r", "type": "codedValue", "codedValues": []any{}}}}},
		"fields missing":  {},
	} {
		t.Run(name, func(t *testing.T) {
			p := s.do(http.MethodPut, fields, body).problem(t, http.StatusBadRequest)
			assert.NotEmpty(t, p["detail"])
		})
	}
	assert.EqualValues(t, 4, s.gen2Log().Revision, "rejected writes write nothing")
	s.do(http.MethodGet, admin+"/metadata/layers/99/fields", nil).problem(t, http.StatusNotFound)
	s.do(http.MethodPut, admin+"/metadata/layers/99/fields", map[string]any{"fields": []any{}}).problem(t, http.StatusNotFound)
	s.do(http.MethodGet, admin+"/metadata/layers/abc/fields", nil).empty(t, http.StatusNotFound)
}
