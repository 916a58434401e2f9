package conformance

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §1.1, Appendix A.1: every 2xx is {success:true, data, message, timestamp}
// with a JSON content type; A.2: camelCase keys are always present.
func TestEnvelopeOnEverySuccess(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.create(layer("a"))
	s.apply(applyBody(false, false, layer("a")))
	tests := []struct {
		name, method, path string
		body               any
		headers            []hdr
		status             int
	}{
		{"version", http.MethodGet, admin + "/version", nil, nil, 200},
		{"capabilities", http.MethodGet, admin + "/capabilities", nil, nil, 200},
		{"manifest", http.MethodGet, admin + "/manifest", nil, nil, 200},
		{"list", http.MethodGet, resAPI, nil, nil, 200},
		{"get", http.MethodGet, resAPI + "/Layer/default/a", nil, nil, 200},
		{"create", http.MethodPost, resAPI, layer("b"), nil, 201},
		{"apply", http.MethodPost, admin + "/manifest/apply", applyBody(true, false, layer("c")), nil, 200},
		{"drift", http.MethodGet, admin + "/manifest/drift", nil, nil, 200},
		{"versions", http.MethodGet, admin + "/manifest/versions", nil, nil, 200},
		{"pending", http.MethodGet, admin + "/manifest/pending/", nil, nil, 200},
		{"replace", http.MethodPut, resAPI + "/Layer/default/b", layer("b"), []hdr{ifMatch("*")}, 200},
		{"delete", http.MethodDelete, resAPI + "/Layer/default/a", nil, []hdr{ifMatch("*")}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(tt.method, tt.path, tt.body, tt.headers...)
			r.data(t, tt.status)
			assert.Contains(t, r.header.Get("Content-Type"), "application/json")
		})
	}
}

// Appendix A.1: DELETE answers 200 {success:true, data:null,
// message:"Resource deleted."}, not 204.
func TestDeleteEnvelope(t *testing.T) {
	t.Parallel()
	s := start(t)
	etag := s.create(layer("a"))
	r := s.do(http.MethodDelete, resAPI+"/Layer/default/a", nil, ifMatch(etag))
	require.Equal(t, http.StatusOK, r.status)
	env := r.obj(t)
	requireEnvelope(t, env)
	assert.Equal(t, true, env["success"])
	assert.Nil(t, env["data"])
	assert.Contains(t, env, "data")
	assert.Equal(t, "Resource deleted.", env["message"])
}

// Appendix A.2: apply entries carry message, null when there is none; the
// summary has all four counts.
func TestApplyEntryMessageNull(t *testing.T) {
	t.Parallel()
	s := start(t)
	r := s.do(http.MethodPost, admin+"/manifest/apply", applyBody(false, false, layer("a")))
	d := r.dataObj(t, http.StatusOK)
	e := d["entries"].([]any)[0].(map[string]any)
	assert.Contains(t, e, "message")
	assert.Nil(t, e["message"])
	assert.Equal(t, "create", e["action"])
}

// Appendix A.3: the resource list's data is a bare JSON array, also when it
// is empty; §1.5: ?kind= and ?namespace= filter it.
func TestListIsBareArray(t *testing.T) {
	t.Parallel()
	s := start(t)
	assert.Empty(t, s.list(""))
	s.apply(applyBody(false, false, layer("a"), res("Layer", "other", "b", nil), res("Theme", "default", "t", nil)))
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"Layer/default/a", "Layer/other/b", "Theme/default/t"}},
		{"?kind=Layer", []string{"Layer/default/a", "Layer/other/b"}},
		{"?namespace=default", []string{"Layer/default/a", "Theme/default/t"}},
		{"?kind=Layer&namespace=other", []string{"Layer/other/b"}},
		{"?kind=Service", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			assert.Equal(t, tt.want, names(s.list(tt.query)))
		})
	}
}

// §1.3, Appendix A.2: a resource carries apiVersion, kind, metadata with
// name and namespace (plus the server-owned fields), spec and status.
func TestResourceShape(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.create(layer("a"))
	r, _, ok := s.get("Layer", "default", "a")
	require.True(t, ok)
	assert.ElementsMatch(t, []string{"apiVersion", "kind", "metadata", "spec", "status"}, keys(r))
	assert.ElementsMatch(t, []string{"id", "name", "namespace", "labels", "annotations", "resourceVersion",
		"generation", "createdAt", "updatedAt"}, keys(r["metadata"].(map[string]any)))
	assert.IsType(t, "", r["metadata"].(map[string]any)["resourceVersion"], "resourceVersion is a string")
}
