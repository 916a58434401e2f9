package conformance

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §1.6, Appendix A.9: GET /manifest/versions?limit=(1–100, default
// 50)&offset lists versions newest first; GET …/versions/{id} adds the
// manifest.
func TestVersionsPagination(t *testing.T) {
	t.Parallel()
	s := start(t)
	for i := range 5 {
		s.apply(applyBody(false, false, withSpec(layer("a"), "srid", i)))
	}
	all := s.do(http.MethodGet, admin+"/manifest/versions", nil).dataObj(t, http.StatusOK)["versions"].([]any)
	require.Len(t, all, 5)
	id := func(v any) string { return v.(map[string]any)["versionId"].(string) }
	tests := []struct {
		query string
		want  []any
	}{
		{"?limit=2", all[:2]},
		{"?limit=2&offset=2", all[2:4]},
		{"?limit=2&offset=4", all[4:]},
		{"?offset=5", []any{}},
		{"?limit=100", all},
		{"?limit=1", all[:1]},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := s.do(http.MethodGet, admin+"/manifest/versions"+tt.query, nil).dataObj(t, http.StatusOK)["versions"].([]any)
			require.Len(t, got, len(tt.want))
			for i := range got {
				assert.Equal(t, id(tt.want[i]), id(got[i]))
				assert.NotContains(t, got[i], "manifest", "the list omits the manifest")
			}
		})
	}
	for _, q := range []string{"?limit=0", "?limit=101", "?offset=-1"} {
		t.Run(q, func(t *testing.T) {
			s.do(http.MethodGet, admin+"/manifest/versions"+q, nil).failure(t, http.StatusBadRequest)
		})
	}
	s.do(http.MethodGet, admin+"/manifest/versions?limit=ten", nil).empty(t, http.StatusBadRequest)

	detail := s.do(http.MethodGet, admin+"/manifest/versions/"+id(all[4]), nil).dataObj(t, http.StatusOK)
	assert.Equal(t, id(all[4]), detail["versionId"])
	res := detail["manifest"].(map[string]any)["resources"].([]any)
	assert.EqualValues(t, 0, res[0].(map[string]any)["spec"].(map[string]any)["srid"], "the oldest version's manifest")
	s.do(http.MethodGet, admin+"/manifest/versions/"+someGUID, nil).empty(t, http.StatusNotFound)
	s.do(http.MethodGet, admin+"/manifest/versions/42", nil).empty(t, http.StatusBadRequest)
}

// Default limit is 50.
func TestVersionsDefaultLimit(t *testing.T) {
	t.Parallel()
	s := start(t)
	for i := range 52 {
		s.apply(applyBody(false, false, res("Theme", "default", fmt.Sprint("t", i), nil)))
	}
	assert.Len(t, s.do(http.MethodGet, admin+"/manifest/versions", nil).dataObj(t, http.StatusOK)["versions"], 50)
}
