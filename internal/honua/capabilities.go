package honua

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// Generation is the generation of Honua's control plane a server speaks.
type Generation int

// Generations.
const (
	// GenerationUnknown is a capabilities document naming no known
	// generation.
	GenerationUnknown Generation = iota
	// Generation1 is the declarative /api/v1/admin control plane (manifest
	// export/apply, resource CRUD with ETags, drift, versions).
	Generation1
	// Generation2 is Metadata v2: no manifest apply and no resource CRUD.
	Generation2
)

// String names the generation for summaries and PR comments.
func (g Generation) String() string {
	switch g {
	case Generation1:
		return "Generation 1 (declarative /api/v1/admin control plane)"
	case Generation2:
		return "Generation 2 (Metadata v2)"
	}
	return "unknown generation"
}

// Generation 1 compatibility this client requires.
const (
	// ControlPlaneMajor is the control plane major version this client
	// speaks.
	ControlPlaneMajor = 1
	// metadataV2Prefix marks a Generation 2 metadata API version.
	metadataV2Prefix = "metadata.honua.io/v2"
)

// Features are the control plane features the server offers.
type Features struct {
	MetadataResources bool // per-resource CRUD with ETags
	ManifestExport    bool // GET /manifest
	ManifestApply     bool // POST /manifest/apply
	ManifestDryRun    bool // apply with dryRun
	ManifestPrune     bool // apply with prune
	ManifestApproval  bool // approvalRequired and the pending routes
}

// Capabilities is what a server reports about itself.
type Capabilities struct {
	Generation Generation
	// MetadataAPIVersions is Generation 1's list (e.g. ["v1"]).
	MetadataAPIVersions []string
	// MetadataAPIVersion is Generation 2's version
	// ("metadata.honua.io/v2alpha1").
	MetadataAPIVersion string
	// ResourceKinds are the kinds a Generation 1 server accepts.
	ResourceKinds []string
	// ServerVersion and ReleaseChannel as reported. Informational only:
	// Generation 2 servers report 1.0.0, so never pick a generation by
	// version.
	ServerVersion, ReleaseChannel string
	// ControlPlaneMajor is compatibility.controlPlaneApi.major (0 when
	// absent).
	ControlPlaneMajor int
	// BasePath is compatibility.controlPlaneApi.basePath.
	BasePath string
	// Features is what the server offers. For Generation 2 it is always
	// all false: Generation 2 hard-codes the manifest flags to true while
	// those routes answer 404.
	Features Features
}

// wireCapabilities is the data of GET /capabilities in either generation.
// Pointers and raw values tell absent from false.
type wireCapabilities struct {
	MetadataAPIVersions     json.RawMessage    `json:"metadataApiVersions"`
	MetadataAPIVersion      *string            `json:"metadataApiVersion"`
	ServerVersion           string             `json:"serverVersion"`
	ResourceKinds           []string           `json:"resourceKinds"`
	ManifestSupported       *bool              `json:"manifestSupported"`
	ManifestDryRunSupported *bool              `json:"manifestDryRunSupported"`
	ManifestPruneSupported  *bool              `json:"manifestPruneSupported"`
	Compatibility           *wireCompatibility `json:"compatibility"`
}

type wireCompatibility struct {
	ServerVersion   string `json:"serverVersion"`
	ReleaseChannel  string `json:"releaseChannel"`
	ControlPlaneAPI *struct {
		Major    json.RawMessage `json:"major"`
		BasePath string          `json:"basePath"`
	} `json:"controlPlaneApi"`
	MetadataSchemas []struct {
		Version string `json:"version"`
	} `json:"metadataSchemas"`
	Features           *wireFeatures `json:"features"`
	MetadataAPIVersion string        `json:"metadataApiVersion"`
}

type wireFeatures struct {
	MetadataResources *bool `json:"metadataResources"`
	ManifestExport    *bool `json:"manifestExport"`
	ManifestApply     *bool `json:"manifestApply"`
	ManifestDryRun    *bool `json:"manifestDryRun"`
	ManifestPrune     *bool `json:"manifestPrune"`
	ManifestApproval  *bool `json:"manifestApproval"`
}

// Capabilities reads GET /api/v1/admin/capabilities and detects the
// generation: a metadataApiVersions array (or manifestSupported) marks
// Generation 1; a metadataApiVersion string (or a metadata schema version)
// starting with "metadata.honua.io/v2" marks Generation 2, which is not an
// error here (Features stay all false). A Generation 1 server whose
// compatibility.controlPlaneApi.major is not 1, or a document naming no
// known generation, is an *IncompatibleError.
func (c *Client) Capabilities(ctx context.Context) (*Capabilities, error) {
	req := request{method: http.MethodGet, path: adminEndpoint("capabilities")}
	ans, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	var w wireCapabilities
	if err := c.decodeData(req, ans, envelopeOrBare, &w); err != nil {
		return nil, err
	}
	caps := &Capabilities{ServerVersion: w.ServerVersion, ResourceKinds: w.ResourceKinds}
	if cp := w.Compatibility; cp != nil {
		if cp.ServerVersion != "" {
			caps.ServerVersion = cp.ServerVersion
		}
		caps.ReleaseChannel = cp.ReleaseChannel
		if cp.ControlPlaneAPI != nil {
			caps.BasePath = cp.ControlPlaneAPI.BasePath
		}
	}
	incompatible := func(found, format string, args ...any) error {
		return &IncompatibleError{Endpoint: c.endpoint(req), Generation: caps.Generation, Found: found, Reason: fmt.Sprintf(format, args...)}
	}
	caps.Generation = detectGeneration(&w)
	switch caps.Generation {
	case Generation2:
		caps.MetadataAPIVersion = v2Version(&w)
		caps.ResourceKinds = nil
		caps.ControlPlaneMajor, _ = majorOf(&w)
		return caps, nil
	case GenerationUnknown:
		return nil, incompatible("", "the capabilities document names no metadata API version "+
			"(neither a metadataApiVersions list nor a metadataApiVersion string); is the URL a Honua server?")
	}
	if err := json.Unmarshal(w.MetadataAPIVersions, &caps.MetadataAPIVersions); err != nil && !isNull(w.MetadataAPIVersions) {
		return nil, &ProtocolError{Method: req.method, Endpoint: c.endpoint(req), Status: ans.status,
			Reason: "metadataApiVersions is not a list of strings"}
	}
	major, found := majorOf(&w)
	caps.ControlPlaneMajor = major
	switch {
	case found == "":
		return nil, incompatible("", "the server does not report compatibility.controlPlaneApi.major (this client speaks major version %d)", ControlPlaneMajor)
	case major != ControlPlaneMajor:
		return nil, incompatible(found, "control plane API major version %s (this client speaks major version %d)", found, ControlPlaneMajor)
	case caps.BasePath != "" && strings.TrimRight(caps.BasePath, "/") != adminPath:
		return nil, incompatible(caps.BasePath, "control plane base path %q (this client calls %s)", caps.BasePath, adminPath)
	}
	caps.Features = gen1Features(&w)
	return caps, nil
}

// detectGeneration reads the generation markers. A Generation 2 marker
// wins over a lingering Generation 1 one: Generation 2 removed the routes
// Generation 1 clients call, so mistaking it for Generation 1 fails later
// with 404s, while the reverse cannot happen on any known server.
func detectGeneration(w *wireCapabilities) Generation {
	if v2Version(w) != "" {
		return Generation2
	}
	if isArray(w.MetadataAPIVersions) || w.ManifestSupported != nil {
		return Generation1
	}
	return GenerationUnknown
}

// v2Version returns the Generation 2 metadata API version the document
// names, at the top level, in compatibility, or as a metadata schema.
func v2Version(w *wireCapabilities) string {
	candidates := []string{}
	if w.MetadataAPIVersion != nil {
		candidates = append(candidates, *w.MetadataAPIVersion)
	}
	if cp := w.Compatibility; cp != nil {
		candidates = append(candidates, cp.MetadataAPIVersion)
		for _, s := range cp.MetadataSchemas {
			candidates = append(candidates, s.Version)
		}
	}
	for _, v := range candidates {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), metadataV2Prefix) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// majorOf reads compatibility.controlPlaneApi.major, a number (or a
// numeric string); found is its text, "" when absent.
func majorOf(w *wireCapabilities) (major int, found string) {
	if w.Compatibility == nil || w.Compatibility.ControlPlaneAPI == nil {
		return 0, ""
	}
	raw := bytes.TrimSpace(w.Compatibility.ControlPlaneAPI.Major)
	if len(raw) == 0 || isNull(raw) {
		return 0, ""
	}
	found = strings.Trim(string(raw), `"`)
	f, err := strconv.ParseFloat(found, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e6 {
		return -1, found
	}
	return int(f), found
}

// gen1Features merges the two places a Generation 1 server reports
// features: the top-level manifest*Supported flags and
// compatibility.features. A feature is on only if every place that
// mentions it says so. Per-resource CRUD and export exist in every Generation
// 1 edition, so they are on when not reported at all.
func gen1Features(w *wireCapabilities) Features {
	var f wireFeatures
	if w.Compatibility != nil && w.Compatibility.Features != nil {
		f = *w.Compatibility.Features
	}
	return Features{
		MetadataResources: allTrue(true, f.MetadataResources),
		ManifestExport:    allTrue(true, f.ManifestExport),
		ManifestApply:     allTrue(false, w.ManifestSupported, f.ManifestApply),
		ManifestDryRun:    allTrue(false, w.ManifestDryRunSupported, f.ManifestDryRun),
		ManifestPrune:     allTrue(false, w.ManifestPruneSupported, f.ManifestPrune),
		ManifestApproval:  allTrue(false, f.ManifestApproval),
	}
}

// allTrue is true when every reported flag is true; when none is
// reported it is unreported.
func allTrue(unreported bool, flags ...*bool) bool {
	seen := false
	for _, f := range flags {
		if f == nil {
			continue
		}
		if !*f {
			return false
		}
		seen = true
	}
	return seen || unreported
}

func isArray(raw json.RawMessage) bool {
	b := bytes.TrimSpace(raw)
	return len(b) > 0 && b[0] == '['
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// VersionInfo is the data of GET /api/v1/admin/version.
type VersionInfo struct {
	Version            string `json:"version"`
	MetadataAPIVersion string `json:"metadataApiVersion"`
	ServerTime         string `json:"serverTime"`
}

// Version reads GET /api/v1/admin/version.
func (c *Client) Version(ctx context.Context) (*VersionInfo, error) {
	req := request{method: http.MethodGet, path: adminEndpoint("version")}
	ans, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	var v VersionInfo
	if err := c.decodeData(req, ans, envelopeOrBare, &v); err != nil {
		return nil, err
	}
	return &v, nil
}
