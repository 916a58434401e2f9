package conformance

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGen2PopupAndDrawingInfo(t *testing.T) {
	s := start(t, seeded)
	for i, facet := range []string{"popup-info", "drawing-info"} {
		t.Run(facet, func(t *testing.T) {
			path := admin + "/metadata/layers/1/" + facet
			d := s.do(http.MethodGet, path, nil).dataObj(t, http.StatusOK)
			assert.EqualValues(t, 1, d["layerId"])
			assert.NotContains(t, d, "document", "omitted when nothing is stored")

			doc := `{"title":"{apn}","fieldInfos":[{"visible":true,"fieldName":"apn"}],"description":null}`
			d = s.do(http.MethodPut, path, doc).dataObj(t, http.StatusOK)
			assert.Equal(t, "{apn}", d["document"].(map[string]any)["title"])

			r := s.do(http.MethodGet, path, nil)
			got := r.dataObj(t, http.StatusOK)["document"].(map[string]any)
			assert.Equal(t, map[string]any{"title": "{apn}", "description": nil,
				"fieldInfos": []any{map[string]any{"visible": true, "fieldName": "apn"}}}, got, "round-trips by value")
			data := envData(t, r)
			require.NotEmpty(t, data)
			assert.True(t, jsonbSorted(topKeys(t, data)))

			assert.EqualValues(t, 2+2*i, s.gen2Log().Revision)
			s.do(http.MethodPut, path, "null").dataObj(t, http.StatusOK)
			assert.NotContains(t, s.do(http.MethodGet, path, nil).dataObj(t, http.StatusOK), "document", "null clears")
			assert.EqualValues(t, 3+2*i, s.gen2Log().Revision)

			s.do(http.MethodPut, path, `[1]`).problem(t, http.StatusBadRequest)
			s.do(http.MethodPut, path, `{`).empty(t, http.StatusBadRequest)
			s.do(http.MethodGet, admin+"/metadata/layers/42/"+facet, nil).problem(t, http.StatusNotFound)
			s.do(http.MethodPut, admin+"/metadata/layers/42/"+facet, `{}`).problem(t, http.StatusNotFound)
			assert.EqualValues(t, 3+2*i, s.gen2Log().Revision, "rejected writes write nothing")
		})
	}
}
