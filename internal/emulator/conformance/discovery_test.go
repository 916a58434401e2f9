package conformance

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

// §1.2 and Appendix A.2: GET /version carries version, metadataApiVersion
// and serverTime, inside a success envelope whose message is null.
func TestVersion(t *testing.T) {
	t.Parallel()
	s := start(t)
	r := s.do(http.MethodGet, admin+"/version", nil)
	assert.Contains(t, r.header.Get("Content-Type"), "application/json")
	env := r.obj(t)
	assert.Nil(t, env["message"])
	d := r.dataObj(t, http.StatusOK)
	assert.ElementsMatch(t, []string{"version", "metadataApiVersion", "serverTime"}, keys(d))
	_, err := time.Parse(time.RFC3339Nano, d["serverTime"].(string))
	assert.NoError(t, err)
}

// §1.2 and Appendix A.8: the capabilities handshake. A Gen1 server lists
// metadataApiVersions; clients gate on controlPlaneApi.major == 1, basePath,
// serverVersion >= 2026.3.0 and a release channel of at least preview; the
// community edition reports the enterprise manifest features as false.
func TestCapabilities(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		mods       []func(*emulator.Options)
		enterprise bool
	}{
		{"enterprise", nil, true},
		{"community", []func(*emulator.Options){community}, false},
		{"community 403", []func(*emulator.Options){community, gating(403)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := start(t, tt.mods...).do(http.MethodGet, admin+"/capabilities", nil).dataObj(t, http.StatusOK)
			assert.ElementsMatch(t, []string{"metadataApiVersions", "resourceKinds", "manifestSupported",
				"manifestDryRunSupported", "manifestPruneSupported", "compatibility"}, keys(d))
			assert.Equal(t, []any{"v1"}, d["metadataApiVersions"], "an array marks Generation 1")
			assert.Equal(t, []any{"Service", "Layer", "Relationship", "Style", "Connection", "MapTemplate", "Theme"}, d["resourceKinds"])
			assert.Equal(t, tt.enterprise, d["manifestSupported"])
			assert.Equal(t, tt.enterprise, d["manifestDryRunSupported"])
			assert.Equal(t, tt.enterprise, d["manifestPruneSupported"])

			c := d["compatibility"].(map[string]any)
			assert.Equal(t, "2026.3.0", c["serverVersion"])
			assert.Equal(t, "stable", c["releaseChannel"])
			assert.Equal(t, map[string]any{"major": 1.0, "basePath": "/api/v1/admin", "deprecated": false}, c["controlPlaneApi"])
			assert.Equal(t, []any{map[string]any{"version": "honua.io/v1alpha1", "deprecated": false}}, c["metadataSchemas"])
			assert.Equal(t, map[string]any{
				"metadataResources": true,
				"manifestExport":    true,
				"manifestApply":     tt.enterprise,
				"manifestDryRun":    tt.enterprise,
				"manifestPrune":     tt.enterprise,
				"manifestApproval":  tt.enterprise,
			}, c["features"])
		})
	}
}

// §1.2: /healthz/live and /healthz/ready answer without authentication.
func TestHealth(t *testing.T) {
	t.Parallel()
	s := start(t)
	for _, p := range []string{"/healthz/live", "/healthz/ready"} {
		r := s.do(http.MethodGet, p, nil, noAuth)
		require.Equal(t, http.StatusOK, r.status, p)
		assert.Contains(t, r.header.Get("Content-Type"), "json")
	}
}
