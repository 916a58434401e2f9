package emulator

import (
	"net/http"
	"strings"
	"time"
)

// MetadataAPIVersion is the metadata API version a Generation 1 server
// reports; a list of these in capabilities marks Generation 1.
const MetadataAPIVersion = "v1"

// VersionInfo is the data of GET /version.
type VersionInfo struct {
	Version            string    `json:"version"`
	MetadataAPIVersion string    `json:"metadataApiVersion"`
	ServerTime         time.Time `json:"serverTime"`
}

// Capabilities is the data of GET /capabilities.
type Capabilities struct {
	MetadataAPIVersions     []string      `json:"metadataApiVersions"`
	ResourceKinds           []string      `json:"resourceKinds"`
	ManifestSupported       bool          `json:"manifestSupported"`
	ManifestDryRunSupported bool          `json:"manifestDryRunSupported"`
	ManifestPruneSupported  bool          `json:"manifestPruneSupported"`
	Compatibility           Compatibility `json:"compatibility"`
}

// Compatibility is the handshake block clients gate on: major first, then
// serverVersion, then features.
type Compatibility struct {
	ServerVersion   string           `json:"serverVersion"`
	ReleaseChannel  string           `json:"releaseChannel"`
	ControlPlaneAPI ControlPlaneAPI  `json:"controlPlaneApi"`
	MetadataSchemas []MetadataSchema `json:"metadataSchemas"`
	Features        Features         `json:"features"`
}

// ControlPlaneAPI identifies the control plane's major version and path.
type ControlPlaneAPI struct {
	Major      int    `json:"major"`
	BasePath   string `json:"basePath"`
	Deprecated bool   `json:"deprecated"`
}

// MetadataSchema is one supported resource apiVersion.
type MetadataSchema struct {
	Version    string `json:"version"`
	Deprecated bool   `json:"deprecated"`
}

// Features are the capability flags; the manifest write features are false
// on the community edition.
type Features struct {
	MetadataResources bool `json:"metadataResources"`
	ManifestExport    bool `json:"manifestExport"`
	ManifestApply     bool `json:"manifestApply"`
	ManifestDryRun    bool `json:"manifestDryRun"`
	ManifestPrune     bool `json:"manifestPrune"`
	ManifestApproval  bool `json:"manifestApproval"`
}

// capabilities describes this server.
func (s *Server) capabilities() Capabilities {
	enterprise := s.opts.Edition == EditionEnterprise
	return Capabilities{
		MetadataAPIVersions:     []string{MetadataAPIVersion},
		ResourceKinds:           ResourceKinds(),
		ManifestSupported:       enterprise,
		ManifestDryRunSupported: enterprise,
		ManifestPruneSupported:  enterprise,
		Compatibility: Compatibility{
			ServerVersion:   s.opts.ServerVersion,
			ReleaseChannel:  releaseChannel(s.opts.ServerVersion),
			ControlPlaneAPI: ControlPlaneAPI{Major: 1, BasePath: BasePath},
			MetadataSchemas: []MetadataSchema{{Version: APIVersion}},
			Features: Features{
				MetadataResources: true,
				ManifestExport:    true,
				ManifestApply:     enterprise,
				ManifestDryRun:    enterprise,
				ManifestPrune:     enterprise,
				ManifestApproval:  enterprise,
			},
		},
	}
}

// releaseChannel derives the channel from the version string, as Honua
// does: a pre-release suffix names it, and a plain version is stable.
func releaseChannel(version string) string {
	for _, ch := range []string{"nightly", "dev", "alpha", "preview", "beta", "rc", "lts"} {
		if strings.Contains(strings.ToLower(version), "-"+ch) {
			return ch
		}
	}
	return "stable"
}

func (s *Server) handleVersion(w http.ResponseWriter, _ *http.Request, _ params) {
	s.writeData(w, http.StatusOK, VersionInfo{
		Version:            s.opts.ServerVersion,
		MetadataAPIVersion: MetadataAPIVersion,
		ServerTime:         s.now().UTC(),
	}, "")
}

func (s *Server) handleCapabilities(w http.ResponseWriter, _ *http.Request, _ params) {
	s.writeData(w, http.StatusOK, s.capabilities(), "")
}

// healthStatus is the body of the health endpoints.
type healthStatus struct {
	Status string `json:"status"`
}

func (s *Server) handleLive(w http.ResponseWriter, _ *http.Request, _ params) {
	s.writeJSON(w, http.StatusOK, contentTypeJSON, healthStatus{Status: "Healthy"})
}

func (s *Server) handleReady(w http.ResponseWriter, _ *http.Request, _ params) {
	s.writeJSON(w, http.StatusOK, contentTypeJSON, healthStatus{Status: "Healthy"})
}
