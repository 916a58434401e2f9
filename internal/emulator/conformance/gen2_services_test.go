package conformance

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGen2Services(t *testing.T) {
	s := start(t, seeded)
	svcs := admin + "/services"

	t.Run("list", func(t *testing.T) {
		r := s.do(http.MethodGet, svcs, nil)
		items := r.data(t, http.StatusOK).([]any)
		require.Len(t, items, 2)
		cad := items[0].(map[string]any)
		assert.Equal(t, "cadastre", cad["serviceName"])
		assert.Equal(t, "Land parcels", cad["description"])
		assert.EqualValues(t, 1, cad["layerCount"])
		assert.Equal(t, []any{"FeatureServer", "OgcFeatures"}, cad["enabledProtocols"])
		empty := items[1].(map[string]any)
		assert.Equal(t, "", empty["description"])
		assert.Len(t, empty["enabledProtocols"], 17, "no protocols in the graph reports all of them")
	})
	t.Run("settings, case-insensitive name", func(t *testing.T) {
		r := s.do(http.MethodGet, svcs+"/CADASTRE/settings", nil)
		st := r.dataObj(t, http.StatusOK)
		assert.Equal(t, "CADASTRE", st["serviceName"], "echoes the requested name")
		assert.Len(t, st["availableProtocols"], 17)
		assert.Nil(t, st["timeInfo"])
		assert.Contains(t, st, "timeInfo")
		assert.Equal(t, map[string]any{"allowAnonymous": true, "allowAnonymousWrite": false,
			"allowedRoles": []any{"viewer"}, "allowedWriteRoles": []any{}}, st["accessPolicy"])
		assert.True(t, jsonbSorted(topKeys(t, envData(t, r))), "data keys %v", topKeys(t, envData(t, r)))
		assert.Contains(t, s.do(http.MethodGet, svcs+"/nope/settings", nil).failure(t, http.StatusNotFound), "'nope' not found")
	})
	t.Run("protocols replace", func(t *testing.T) {
		st := s.do(http.MethodPut, svcs+"/cadastre/protocols", map[string]any{"enabledProtocols": []string{"Wms", "FeatureServer", "Wms", ""}}).dataObj(t, http.StatusOK)
		assert.Equal(t, []any{"Wms", "FeatureServer"}, st["enabledProtocols"])
		msg := s.do(http.MethodPut, svcs+"/cadastre/protocols", map[string]any{"enabledProtocols": []string{"featureserver"}}).failure(t, http.StatusBadRequest)
		assert.Contains(t, msg, "Invalid protocol(s): featureserver")
		assert.Contains(t, s.do(http.MethodPut, svcs+"/cadastre/protocols", map[string]any{}).failure(t, http.StatusBadRequest), "payload is required")
		assert.Contains(t, s.do(http.MethodPut, svcs+"/cadastre/protocols", map[string]any{"enabledProtocols": []string{" "}}).failure(t, http.StatusBadRequest), "At least one protocol")
		s.do(http.MethodPut, svcs+"/cadastre/protocols", "{").empty(t, http.StatusBadRequest)
	})
	t.Run("access policy merges", func(t *testing.T) {
		st := s.do(http.MethodPut, svcs+"/cadastre/access-policy", map[string]any{"allowAnonymousWrite": true, "allowedWriteRoles": []string{"editor"}, "allowedRoles": nil}).dataObj(t, http.StatusOK)
		assert.Equal(t, map[string]any{"allowAnonymous": true, "allowAnonymousWrite": true,
			"allowedRoles": []any{"viewer"}, "allowedWriteRoles": []any{"editor"}}, st["accessPolicy"])
		st = s.do(http.MethodPut, svcs+"/cadastre/access-policy", map[string]any{"allowedRoles": []string{}}).dataObj(t, http.StatusOK)
		assert.Equal(t, []any{}, st["accessPolicy"].(map[string]any)["allowedRoles"], "a list replaces")
		s.do(http.MethodPut, svcs+"/nope/access-policy", map[string]any{}).failure(t, http.StatusNotFound)
	})
	t.Run("mapserver and timeinfo are 501", func(t *testing.T) {
		for _, facet := range []string{"mapserver", "timeinfo"} {
			p := s.do(http.MethodPut, svcs+"/cadastre/"+facet, map[string]any{}).problem(t, http.StatusNotImplemented)
			assert.Contains(t, p["type"], "rfc9110")
			assert.NotEmpty(t, p["detail"])
		}
	})
	t.Run("auth", func(t *testing.T) {
		s.do(http.MethodGet, svcs, nil, noAuth).problem(t, http.StatusUnauthorized)
	})
}
