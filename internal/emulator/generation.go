package emulator

import (
	"fmt"
	"net/http"
)

// Generations the emulator can present. Generation 1 is the declarative
// /api/v1/admin control plane this package emulates; Generation 2
// ("Metadata v2", every 2026.1-rc.* server) is impersonated only as far as a
// client needs to detect it (shared/reference/honua-gen2-metadata-v2.md §3).
const (
	Generation1 = 1
	Generation2 = 2
)

// Generation 2 wire constants, as the post-cutover AdminInfoEndpoints
// report them.
const (
	// MetadataAPIVersionV2 is the metadataApiVersion string a Generation 2
	// server reports instead of Generation 1's metadataApiVersions array.
	MetadataAPIVersionV2 = "metadata.honua.io/v2alpha1"
	// MetadataSchemaVersionV2 is Generation 2's metadataSchemaVersion.
	MetadataSchemaVersionV2 = "2.0.0-alpha.1"
	// DefaultServerVersionV2 is the serverVersion released Generation 2
	// servers report (2026.1-rc.2 answered 1.0.0).
	DefaultServerVersionV2 = "1.0.0"
)

// ParseGeneration parses "1" or "2".
func ParseGeneration(n int) (int, error) {
	switch n {
	case Generation1, Generation2:
		return n, nil
	}
	return 0, fmt.Errorf("generation %d: want 1 or 2", n)
}

// generation2Capabilities is the data of GET /capabilities on a Generation 2
// server: metadataApiVersion is a string, the Generation 1 fields
// (metadataApiVersions, resourceKinds, manifest*Supported) are gone, and —
// the trap clients must not fall into — compatibility.features still
// reports the manifest and resource features as true although those routes
// answer 404. manifestApproval and gitOpsWatch are gone.
type generation2Capabilities struct {
	MetadataAPIVersion    string                   `json:"metadataApiVersion"`
	MetadataSchemaVersion string                   `json:"metadataSchemaVersion"`
	ServerVersion         string                   `json:"serverVersion"`
	Compatibility         generation2Compatibility `json:"compatibility"`
}

type generation2Compatibility struct {
	ServerVersion         string           `json:"serverVersion"`
	ReleaseChannel        string           `json:"releaseChannel"`
	ControlPlaneAPI       ControlPlaneAPI  `json:"controlPlaneApi"`
	MetadataSchemas       []MetadataSchema `json:"metadataSchemas"`
	Features              generation2Flags `json:"features"`
	AdminAPIMajor         string           `json:"adminApiMajor"`
	MetadataAPIVersion    string           `json:"metadataApiVersion"`
	MetadataSchemaVersion string           `json:"metadataSchemaVersion"`
}

// generation2Flags are hard-coded true by Generation 2 servers.
type generation2Flags struct {
	MetadataResources bool `json:"metadataResources"`
	ManifestExport    bool `json:"manifestExport"`
	ManifestApply     bool `json:"manifestApply"`
	ManifestDryRun    bool `json:"manifestDryRun"`
	ManifestPrune     bool `json:"manifestPrune"`
}

func (s *Server) handleCapabilitiesV2(w http.ResponseWriter, _ *http.Request, _ params) {
	s.writeData(w, http.StatusOK, generation2Capabilities{
		MetadataAPIVersion:    MetadataAPIVersionV2,
		MetadataSchemaVersion: MetadataSchemaVersionV2,
		ServerVersion:         s.opts.ServerVersion,
		Compatibility: generation2Compatibility{
			ServerVersion:         s.opts.ServerVersion,
			ReleaseChannel:        releaseChannel(s.opts.ServerVersion),
			ControlPlaneAPI:       ControlPlaneAPI{Major: 1, BasePath: BasePath},
			MetadataSchemas:       []MetadataSchema{{Version: MetadataAPIVersionV2}},
			Features:              generation2Flags{MetadataResources: true, ManifestExport: true, ManifestApply: true, ManifestDryRun: true, ManifestPrune: true},
			AdminAPIMajor:         "v1",
			MetadataAPIVersion:    MetadataAPIVersionV2,
			MetadataSchemaVersion: MetadataSchemaVersionV2,
		},
	}, "")
}

func (s *Server) handleVersionV2(w http.ResponseWriter, _ *http.Request, _ params) {
	s.writeData(w, http.StatusOK, VersionInfo{
		Version:            s.opts.ServerVersion,
		MetadataAPIVersion: MetadataAPIVersionV2,
		ServerTime:         s.now().UTC(),
	}, "")
}

// generation2Routes serves what a Generation 2 server shares with
// Generation 1: health, /version and /capabilities (in the Generation 2
// shape). Every manifest, drift, versions, approval and metadata/resources
// route is unmapped, so it answers 404 with an empty body before
// authentication, as an unmapped ASP.NET route does. The Generation 2
// surface emulated so far (gen2Routes: capability manifest, inventory,
// services, secure connections, publishing, the layer facets, OGC styles,
// release packages and prevalidate) is added on top.
func (s *Server) generation2Routes() *router {
	rt := &router{}
	rt.handle(http.MethodGet, "/healthz/live", true, s.handleLive)
	rt.handle(http.MethodGet, "/healthz/ready", true, s.handleReady)
	rt.handle(http.MethodGet, BasePath+"/version", false, s.handleVersionV2)
	rt.handle(http.MethodGet, BasePath+"/capabilities", false, s.handleCapabilitiesV2)
	s.gen2Routes(rt)
	s.servingRoutes(rt)
	return rt
}
