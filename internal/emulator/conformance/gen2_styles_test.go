package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGen2OGCStyles(t *testing.T) {
	s := start(t, seeded)
	ml := hdr{"Content-Type", "application/vnd.mapbox.style+json"}
	style := map[string]any{"version": 8, "layers": []any{
		map[string]any{"id": "bg", "type": "background"},
		map[string]any{"id": "parcels-fill", "type": "fill", "paint": map[string]any{"fill-color": "#ff0000"}},
	}}

	t.Run("unstyled", func(t *testing.T) {
		list := s.do(http.MethodGet, "/ogc/styles", nil, noAuth).obj(t)
		assert.Empty(t, list["styles"], "an unstyled layer is not listed")
		p := s.do(http.MethodGet, "/ogc/styles/parcels", nil, noAuth).problem(t, http.StatusNotFound)
		assert.Equal(t, "about:blank", p["type"])
	})
	t.Run("put normalises", func(t *testing.T) {
		s.do(http.MethodPut, "/ogc/styles/parcels", style, ml).empty(t, http.StatusNoContent)
		assert.EqualValues(t, 2, s.gen2Log().Revision, "a style PUT writes the graph")
		r := s.do(http.MethodGet, "/ogc/styles/parcels", nil, noAuth)
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
		assert.Contains(t, r.header.Get("Content-Type"), "application/vnd.mapbox.style+json")
		got := r.obj(t)
		src := got["sources"].(map[string]any)["layer-1"].(map[string]any)
		assert.Equal(t, "vector", src["type"])
		assert.Equal(t, []any{"/tiles/1/{z}/{x}/{y}.mvt"}, src["tiles"])
		layers := got["layers"].([]any)
		bg, fill := layers[0].(map[string]any), layers[1].(map[string]any)
		assert.NotContains(t, bg, "source")
		assert.Equal(t, "layer-1", fill["source"])
		assert.Equal(t, "layer", fill["source-layer"])
		assert.True(t, jsonbSorted(topKeys(t, r.body)))

		list := s.do(http.MethodGet, "/ogc/styles", nil, noAuth).obj(t)
		require.Len(t, list["styles"], 1)
		assert.Equal(t, "parcels", list["styles"].([]any)[0].(map[string]any)["id"])

		// Re-PUT of the normalised form is accepted and is still a revision.
		s.do(http.MethodPut, "/ogc/styles/parcels", r.body, ml).empty(t, http.StatusNoContent)
		assert.EqualValues(t, 3, s.gen2Log().Revision)
	})
	t.Run("errors", func(t *testing.T) {
		bad := func(layer map[string]any) map[string]any {
			return map[string]any{"version": 8, "layers": []any{layer}}
		}
		for name, body := range map[string]any{
			"version 7":          map[string]any{"version": 7, "layers": []any{map[string]any{"id": "a", "type": "fill"}}},
			"no layers":          map[string]any{"version": 8, "layers": []any{}},
			"unsupported type":   bad(map[string]any{"id": "a", "type": "heatmap"}),
			"unsupported paint":  bad(map[string]any{"id": "a", "type": "fill", "paint": map[string]any{"fill-pattern": "x"}}),
			"unsupported layout": bad(map[string]any{"id": "a", "type": "fill", "layout": map[string]any{"line-cap": "round"}}),
			"wrong source-layer": bad(map[string]any{"id": "a", "type": "fill", "source-layer": "parcels"}),
			"only background":    bad(map[string]any{"id": "a", "type": "background"}),
			"zoom order":         bad(map[string]any{"id": "a", "type": "fill", "minzoom": 10, "maxzoom": 5}),
		} {
			t.Run(name, func(t *testing.T) {
				p := s.do(http.MethodPut, "/ogc/styles/parcels", body, ml).problem(t, http.StatusBadRequest)
				assert.Equal(t, "about:blank", p["type"])
				assert.True(t, strings.HasPrefix(p["detail"].(string), "MapLibre"), p["detail"])
			})
		}
		s.do(http.MethodPut, "/ogc/styles/Parcels", style, ml).problem(t, http.StatusNotFound) // case-sensitive
		s.do(http.MethodPut, "/ogc/styles/parcels", "<sld/>", hdr{"Content-Type", "application/vnd.ogc.sld+xml"}).problem(t, http.StatusUnsupportedMediaType)
		s.do(http.MethodPut, "/ogc/styles/parcels", style, ml, noAuth).problem(t, http.StatusUnauthorized)
		assert.EqualValues(t, 3, s.gen2Log().Revision, "rejected writes write nothing")
	})
}
