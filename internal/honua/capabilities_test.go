package honua

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gen2Capabilities is the capabilities data of a Generation 2 server at
// honua-server 0b0fe733 (honua-gen2-metadata-v2.md §3): a
// metadataApiVersion string, no Generation 1 fields, and features.manifest*
// hard-coded to true although those routes answer 404.
func gen2Capabilities() map[string]any {
	return map[string]any{
		"metadataApiVersion":    "metadata.honua.io/v2alpha1",
		"metadataSchemaVersion": "2.0.0-alpha.1",
		"serverVersion":         "1.0.0",
		"compatibility": map[string]any{
			"serverVersion":   "1.0.0",
			"releaseChannel":  "stable",
			"controlPlaneApi": map[string]any{"major": 1, "basePath": "/api/v1/admin", "deprecated": false},
			"metadataSchemas": []any{map[string]any{"version": "metadata.honua.io/v2alpha1"}},
			"features": map[string]any{
				"metadataResources": true, "manifestExport": true, "manifestApply": true, "manifestDryRun": true, "manifestPrune": true,
			},
			"adminApiMajor":         "v1",
			"metadataApiVersion":    "metadata.honua.io/v2alpha1",
			"metadataSchemaVersion": "2.0.0-alpha.1",
		},
	}
}

func TestCapabilities(t *testing.T) {
	t.Parallel()
	allOn := Features{MetadataResources: true, ManifestExport: true, ManifestApply: true, ManifestDryRun: true, ManifestPrune: true, ManifestApproval: true}
	tests := []struct {
		name     string
		data     func() map[string]any
		bare     bool // answer without the envelope
		want     *Capabilities
		wantErr  string
		wantGen  Generation
		wantSame string // Found of the IncompatibleError
	}{
		{
			name: "Generation 1 enterprise", data: gen1Capabilities,
			want: &Capabilities{
				Generation: Generation1, MetadataAPIVersions: []string{"v1"},
				ResourceKinds: []string{"Service", "Layer", "Relationship", "Style", "Connection", "MapTemplate", "Theme"},
				ServerVersion: "2026.3.0", ReleaseChannel: "stable", ControlPlaneMajor: 1, BasePath: "/api/v1/admin", Features: allOn,
			},
		},
		{
			name: "Generation 1 community", data: func() map[string]any {
				d := gen1Capabilities()
				d["manifestSupported"], d["manifestDryRunSupported"], d["manifestPruneSupported"] = false, false, false
				f := d["compatibility"].(map[string]any)["features"].(map[string]any)
				f["manifestApply"], f["manifestDryRun"], f["manifestPrune"], f["manifestApproval"] = false, false, false, false
				return d
			},
			want: &Capabilities{
				Generation: Generation1, MetadataAPIVersions: []string{"v1"},
				ResourceKinds: []string{"Service", "Layer", "Relationship", "Style", "Connection", "MapTemplate", "Theme"},
				ServerVersion: "2026.3.0", ReleaseChannel: "stable", ControlPlaneMajor: 1, BasePath: "/api/v1/admin",
				Features: Features{MetadataResources: true, ManifestExport: true},
			},
		},
		{
			name: "both places must agree", data: func() map[string]any {
				d := gen1Capabilities()
				d["manifestPruneSupported"] = false // top level says no
				d["compatibility"].(map[string]any)["features"].(map[string]any)["manifestDryRun"] = false
				return d
			},
			want: &Capabilities{
				Generation: Generation1, MetadataAPIVersions: []string{"v1"},
				ResourceKinds: []string{"Service", "Layer", "Relationship", "Style", "Connection", "MapTemplate", "Theme"},
				ServerVersion: "2026.3.0", ReleaseChannel: "stable", ControlPlaneMajor: 1, BasePath: "/api/v1/admin",
				Features: Features{MetadataResources: true, ManifestExport: true, ManifestApply: true, ManifestApproval: true},
			},
		},
		{
			name: "features only at the top level", data: func() map[string]any {
				d := gen1Capabilities()
				delete(d["compatibility"].(map[string]any), "features")
				d["manifestPruneSupported"] = false
				return d
			},
			want: &Capabilities{
				Generation: Generation1, MetadataAPIVersions: []string{"v1"},
				ResourceKinds: []string{"Service", "Layer", "Relationship", "Style", "Connection", "MapTemplate", "Theme"},
				ServerVersion: "2026.3.0", ReleaseChannel: "stable", ControlPlaneMajor: 1, BasePath: "/api/v1/admin",
				Features: Features{MetadataResources: true, ManifestExport: true, ManifestApply: true, ManifestDryRun: true},
			},
		},
		{
			name: "Generation 1 bare document", data: gen1Capabilities, bare: true,
			want: &Capabilities{
				Generation: Generation1, MetadataAPIVersions: []string{"v1"},
				ResourceKinds: []string{"Service", "Layer", "Relationship", "Style", "Connection", "MapTemplate", "Theme"},
				ServerVersion: "2026.3.0", ReleaseChannel: "stable", ControlPlaneMajor: 1, BasePath: "/api/v1/admin", Features: allOn,
			},
		},
		{
			name: "Generation 2 with hard-coded manifest flags", data: gen2Capabilities,
			want: &Capabilities{
				Generation: Generation2, MetadataAPIVersion: "metadata.honua.io/v2alpha1",
				ServerVersion: "1.0.0", ReleaseChannel: "stable", ControlPlaneMajor: 1, BasePath: "/api/v1/admin",
			},
		},
		{
			name: "Generation 2 without a compatibility block", data: func() map[string]any {
				return map[string]any{"metadataApiVersion": "metadata.honua.io/v2alpha1", "metadataSchemaVersion": "2.0.0-alpha.1", "serverVersion": "1.0.0"}
			},
			want: &Capabilities{Generation: Generation2, MetadataAPIVersion: "metadata.honua.io/v2alpha1", ServerVersion: "1.0.0"},
		},
		{
			name: "Generation 2 by its metadata schema", bare: true, data: func() map[string]any {
				return map[string]any{"compatibility": map[string]any{"metadataSchemas": []any{map[string]any{"version": "metadata.honua.io/v2beta1"}}}}
			},
			want: &Capabilities{Generation: Generation2, MetadataAPIVersion: "metadata.honua.io/v2beta1"},
		},
		{
			name: "Generation 1 of another major", data: func() map[string]any {
				d := gen1Capabilities()
				d["compatibility"].(map[string]any)["controlPlaneApi"].(map[string]any)["major"] = 2
				return d
			},
			wantErr: "honua: GET /api/v1/admin/capabilities: incompatible server: control plane API major version 2 (this client speaks major version 1)",
			wantGen: Generation1, wantSame: "2",
		},
		{
			name: "Generation 1 without a major", data: func() map[string]any {
				d := gen1Capabilities()
				delete(d, "compatibility")
				return d
			},
			wantErr: "incompatible server: the server does not report compatibility.controlPlaneApi.major (this client speaks major version 1)",
			wantGen: Generation1,
		},
		{
			name: "Generation 1 on another base path", data: func() map[string]any {
				d := gen1Capabilities()
				d["compatibility"].(map[string]any)["controlPlaneApi"].(map[string]any)["basePath"] = "/api/v2/admin"
				return d
			},
			wantErr: `incompatible server: control plane base path "/api/v2/admin" (this client calls /api/v1/admin)`,
			wantGen: Generation1, wantSame: "/api/v2/admin",
		},
		{
			name: "not a capabilities document", data: func() map[string]any { return map[string]any{"hello": "world"} },
			wantErr: "incompatible server: the capabilities document names no metadata API version",
			wantGen: GenerationUnknown,
		},
		{
			name: "Generation 2 string of another family", data: func() map[string]any {
				return map[string]any{"metadataApiVersion": "metadata.honua.io/v3"}
			},
			wantErr: "incompatible server: the capabilities document names no metadata API version",
			wantGen: GenerationUnknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				if tt.bare {
					writeJSON(w, http.StatusOK, "application/json", tt.data())
					return
				}
				writeData(w, http.StatusOK, tt.data())
			})
			c, _ := newTestClient(t, s.URL)
			caps, err := c.Capabilities(t.Context())
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Nil(t, caps)
				assert.Contains(t, err.Error(), tt.wantErr)
				var ie *IncompatibleError
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, tt.wantGen, ie.Generation)
				assert.Equal(t, tt.wantSame, ie.Found)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, caps)
		})
	}
}

func TestGenerationString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "Generation 1 (declarative /api/v1/admin control plane)", Generation1.String())
	assert.Equal(t, "Generation 2 (Metadata v2)", Generation2.String())
	assert.Equal(t, "unknown generation", GenerationUnknown.String())
}

func TestVersion(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeData(w, http.StatusOK, map[string]any{"version": "2026.3.0", "metadataApiVersion": "v1", "serverTime": "2026-03-01T12:00:00Z"})
	})
	c, _ := newTestClient(t, s.URL)
	v, err := c.Version(t.Context())
	require.NoError(t, err)
	assert.Equal(t, &VersionInfo{Version: "2026.3.0", MetadataAPIVersion: "v1", ServerTime: "2026-03-01T12:00:00Z"}, v)
	assert.Equal(t, "/api/v1/admin/version", s.last(t).Path)
}

func TestBaseURLPrefixIsKept(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeData(w, http.StatusOK, gen1Capabilities()) })
	c, _ := newTestClient(t, s.URL+"/honua/")
	_, err := c.Capabilities(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "/honua/api/v1/admin/capabilities", s.last(t).Path)
}
