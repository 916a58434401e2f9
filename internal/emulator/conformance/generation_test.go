package conformance

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

func generation2(o *emulator.Options) { o.Generation = emulator.Generation2 }

// honua-gen2-metadata-v2.md §1 and §3: impersonating a Generation 2 server.
// Capabilities carry a metadataApiVersion string (no metadataApiVersions
// array, no resourceKinds, no manifest*Supported) and the hard-coded
// features.manifest* flags set to true; every manifest and
// metadata/resources route answers 404 with an empty body, before
// authentication; health and /version still answer.
func TestGeneration2Impersonation(t *testing.T) {
	t.Parallel()
	s := start(t, generation2)

	d := s.do(http.MethodGet, admin+"/capabilities", nil).dataObj(t, http.StatusOK)
	assert.ElementsMatch(t, []string{"metadataApiVersion", "metadataSchemaVersion", "serverVersion", "compatibility"}, keys(d))
	assert.Equal(t, "metadata.honua.io/v2alpha1", d["metadataApiVersion"])
	assert.Equal(t, "1.0.0", d["serverVersion"], "Gen2 servers report 1.0.0")
	c := d["compatibility"].(map[string]any)
	assert.Equal(t, map[string]any{"major": 1.0, "basePath": "/api/v1/admin", "deprecated": false}, c["controlPlaneApi"])
	assert.Equal(t, []any{map[string]any{"version": "metadata.honua.io/v2alpha1", "deprecated": false}}, c["metadataSchemas"])
	assert.Equal(t, map[string]any{
		"metadataResources": true, "manifestExport": true, "manifestApply": true, "manifestDryRun": true, "manifestPrune": true,
	}, c["features"], "the hard-coded flags a client must ignore")

	v := s.do(http.MethodGet, admin+"/version", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, "metadata.honua.io/v2alpha1", v["metadataApiVersion"])

	for _, p := range []string{"/healthz/live", "/healthz/ready"} {
		assert.Equal(t, http.StatusOK, s.do(http.MethodGet, p, nil, noAuth).status, p)
	}
	removed := []struct{ method, path string }{
		{http.MethodGet, admin + "/manifest"},
		{http.MethodPost, admin + "/manifest/apply"},
		{http.MethodGet, admin + "/manifest/drift"},
		{http.MethodGet, admin + "/manifest/versions"},
		{http.MethodGet, admin + "/manifest/pending/"},
		{http.MethodGet, resAPI},
		{http.MethodPost, resAPI},
		{http.MethodGet, resAPI + "/Layer/default/roads"},
		{http.MethodPut, resAPI + "/Layer/default/roads"},
		{http.MethodDelete, resAPI + "/Layer/default/roads"},
	}
	for _, rt := range removed {
		var body any
		if rt.method == http.MethodPost || rt.method == http.MethodPut {
			body = layer("roads")
		}
		s.do(rt.method, rt.path, body).empty(t, http.StatusNotFound)
		s.do(rt.method, rt.path, body, noAuth).empty(t, http.StatusNotFound)
	}

	require.Equal(t, http.StatusUnauthorized, s.do(http.MethodGet, admin+"/capabilities", nil, noAuth).status)
}

// Options.Generation accepts 0, 1 and 2 only.
func TestGenerationOption(t *testing.T) {
	t.Parallel()
	_, err := emulator.New(emulator.Options{APIKey: apiKey, Generation: 3})
	require.ErrorContains(t, err, "generation 3: want 1 or 2")
	srv, err := emulator.New(emulator.Options{APIKey: apiKey, Generation: 1})
	require.NoError(t, err)
	require.NotNil(t, srv)
}
