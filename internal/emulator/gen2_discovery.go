package emulator

import (
	"net/http"
	"regexp"
	"strings"
	"time"
)

// gen2EnvIDPattern is what the capability manifest accepts as an
// environment or workspace id: ≤128 ASCII letters, digits, - _ . : @.
var gen2EnvIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.:@-]{1,128}$`)

type g2ManifestEnvironment struct {
	EnvironmentID string     `json:"environmentId,omitempty"`
	Requested     bool       `json:"requested"`
	Available     bool       `json:"available"`
	Revision      int64      `json:"revision,omitempty"`
	LoadedAt      *time.Time `json:"loadedAt,omitempty"`
	ReasonCode    string     `json:"reasonCode,omitempty"`
}

type g2ManifestCapability struct {
	ID         string `json:"id"`
	Category   string `json:"category"`
	Supported  bool   `json:"supported"`
	Available  bool   `json:"available"`
	ReasonCode string `json:"reasonCode,omitempty"`
}

type g2ManifestServer struct {
	ServerVersion         string `json:"serverVersion"`
	APIVersion            string `json:"apiVersion"`
	MetadataAPIVersion    string `json:"metadataApiVersion"`
	MetadataSchemaVersion string `json:"metadataSchemaVersion"`
	DeploymentEnvironment string `json:"deploymentEnvironment"`
}

type g2ManifestScope struct {
	TenantSource  string `json:"tenantSource"`
	Environment   string `json:"environment,omitempty"`
	WorkspaceID   string `json:"workspaceId,omitempty"`
	Authenticated bool   `json:"authenticated"`
}

type g2ManifestDocument struct {
	SchemaVersion string                 `json:"schemaVersion"`
	IssuedAt      time.Time              `json:"issuedAt"`
	Scope         g2ManifestScope        `json:"scope"`
	Server        g2ManifestServer       `json:"server"`
	Environment   g2ManifestEnvironment  `json:"environment"`
	Capabilities  []g2ManifestCapability `json:"capabilities"`
}

// gen2ManifestCapabilities are the emulated capability records: the five
// Gen2 package/GitOps ids (requiresEnvironment marks the ones that go
// unavailable with an unknown environment; catalog.publish ones need an
// authenticated caller).
var gen2ManifestCapabilities = []struct {
	id, category        string
	needsEnv, needsAuth bool
}{
	{"package.metadata-v2", "packages", false, false},
	{"package.release-package", "packages", true, true},
	{"package.gitops-manifest", "packages", true, true},
	{"gitops.release-manifest", "gitops", true, true},
	{"publication.metadata-release", "publication", true, true},
}

// handleGen2CapabilityManifest serves GET /api/v1/capabilities/manifest
// (authentication optional). Without ?environment= it reports the
// server's own environment ("default" on a stock server) with
// requested=false; with a known one, requested=true, its revision and
// loadedAt; with an unknown one, available=false and reasonCode
// environment-unavailable on the environment and on every
// environment-scoped capability. An invalid id is 400.
func (s *Server) handleGen2CapabilityManifest(w http.ResponseWriter, r *http.Request, _ params) {
	q := r.URL.Query()
	envParam, hasEnv := strings.TrimSpace(q.Get("environment")), q.Has("environment")
	ws, hasWS := strings.TrimSpace(q.Get("workspaceId")), q.Has("workspaceId")
	if (hasEnv && !gen2EnvIDPattern.MatchString(envParam)) || (hasWS && !gen2EnvIDPattern.MatchString(ws)) {
		s.writeProblem(w, http.StatusBadRequest, "Invalid capability manifest scope", "The environment or workspace identifier is invalid.")
		return
	}
	authed := s.authenticated(r)
	g := s.gen2
	g.mu.Lock()
	env := g2ManifestEnvironment{EnvironmentID: g.d.Environment, Requested: false, Available: true, Revision: g.d.Revision}
	if hasEnv {
		if envParam == g.d.Environment {
			loaded := g.d.GeneratedAt
			env = g2ManifestEnvironment{EnvironmentID: g.d.Environment, Requested: true, Available: true, Revision: g.d.Revision, LoadedAt: &loaded}
		} else {
			env = g2ManifestEnvironment{EnvironmentID: envParam, Requested: true, Available: false, ReasonCode: "environment-unavailable"}
		}
	}
	g.mu.Unlock()
	doc := g2ManifestDocument{
		SchemaVersion: "honua.capability_manifest.v1",
		IssuedAt:      s.now().UTC(),
		Scope:         g2ManifestScope{TenantSource: "default", Environment: envParam, WorkspaceID: ws, Authenticated: authed},
		Server: g2ManifestServer{ServerVersion: s.opts.ServerVersion, APIVersion: "v1", MetadataAPIVersion: MetadataAPIVersionV2,
			MetadataSchemaVersion: MetadataSchemaVersionV2, DeploymentEnvironment: "Production"},
		Environment: env,
	}
	for _, c := range gen2ManifestCapabilities {
		mc := g2ManifestCapability{ID: c.id, Category: c.category, Supported: true, Available: true}
		switch {
		case c.needsAuth && !authed:
			mc.Available, mc.ReasonCode = false, "insufficient-policy"
		case c.needsEnv && !env.Available:
			mc.Available, mc.ReasonCode = false, "environment-unavailable"
		}
		doc.Capabilities = append(doc.Capabilities, mc)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Expires", "0")
	ct := contentTypeJSON
	if strings.Contains(r.Header.Get("Accept"), "application/vnd.honua.capability-manifest+json") {
		ct = "application/vnd.honua.capability-manifest+json; charset=utf-8"
	}
	s.writeBareV2(w, http.StatusOK, ct, doc)
}

type g2InventoryEntry struct {
	SemanticID       string `json:"semanticId"`
	ArtifactKind     string `json:"artifactKind"`
	ResourceType     string `json:"resourceType,omitempty"`
	ServiceType      string `json:"serviceType,omitempty"`
	PublicationType  string `json:"publicationType,omitempty"`
	ParentSemanticID string `json:"parentSemanticId,omitempty"`
	Name             string `json:"name"`
	Title            string `json:"title,omitempty"`
	Status           string `json:"status,omitempty"`
}

type g2Inventory struct {
	Environment string             `json:"environment"`
	Revision    int64              `json:"revision"`
	ETag        string             `json:"etag"`
	GeneratedAt time.Time          `json:"generatedAt"`
	Entries     []g2InventoryEntry `json:"entries"`
}

var gen2ArtifactKinds = []string{"resource", "service", "publication", "field", "catalog", "policy", "role"}

// Semantic ids the emulator assigns: svc.<service>, res.<layer>,
// pub.<service>.<layer> (lower-cased names).
func g2ServiceSemanticID(name string) string { return "svc." + strings.ToLower(name) }
func g2ResourceSemanticID(l *g2Layer) string { return "res." + strings.ToLower(l.LayerName) }
func g2PublicationSemanticID(l *g2Layer) string {
	return "pub." + strings.ToLower(l.ServiceName) + "." + strings.ToLower(l.LayerName)
}

// entries lists the graph's semantic ids (the inventory). The caller holds
// mu.
func (g *gen2Store) entries() []g2InventoryEntry {
	var out []g2InventoryEntry
	for _, sv := range g.d.Services {
		out = append(out, g2InventoryEntry{SemanticID: g2ServiceSemanticID(sv.Name), ArtifactKind: "service", ServiceType: "esri-feature-service", Name: sv.Name})
	}
	for _, l := range g.d.Layers {
		out = append(out, g2InventoryEntry{SemanticID: g2ResourceSemanticID(l), ArtifactKind: "resource", ResourceType: "feature-dataset", Name: l.LayerName, Status: l.lifecycle()},
			g2InventoryEntry{SemanticID: g2PublicationSemanticID(l), ArtifactKind: "publication", PublicationType: "esri-feature-layer",
				ParentSemanticID: g2ResourceSemanticID(l), Name: l.LayerName, Status: l.lifecycle()})
	}
	return out
}

func (g *gen2Store) entry(semanticID string) *g2InventoryEntry {
	for _, e := range g.entries() {
		if e.SemanticID == semanticID {
			return &e
		}
	}
	return nil
}

// dependents are the entries whose parent is semanticID.
func (g *gen2Store) dependents(semanticID string) []string {
	out := []string{}
	for _, e := range g.entries() {
		if e.ParentSemanticID == semanticID {
			out = append(out, e.SemanticID)
		}
	}
	return out
}

// handleGen2Inventory serves GET /metadata/environments/{env}/inventory:
// bare JSON, revision and etag in the body, no ETag header.
func (s *Server) handleGen2Inventory(w http.ResponseWriter, r *http.Request, p params) {
	kind, rtype := r.URL.Query().Get("artifactKind"), r.URL.Query().Get("resourceType")
	if kind != "" && !containsFold(gen2ArtifactKinds, kind) {
		s.writeProblem(w, http.StatusBadRequest, "Invalid inventory filter", "artifactKind '"+kind+"' is not supported.")
		return
	}
	g := s.gen2
	g.mu.Lock()
	defer g.mu.Unlock()
	if p["env"] != g.d.Environment {
		s.writeProblem(w, http.StatusNotFound, "Environment not found", "Environment '"+p["env"]+"' does not have an active revision.")
		return
	}
	inv := g2Inventory{Environment: g.d.Environment, Revision: g.d.Revision, ETag: g.d.ETag, GeneratedAt: g.d.GeneratedAt, Entries: []g2InventoryEntry{}}
	add := func(e g2InventoryEntry) {
		if kind != "" && !strings.EqualFold(kind, e.ArtifactKind) {
			return
		}
		if rtype != "" && !strings.EqualFold(rtype, e.ResourceType) {
			return
		}
		inv.Entries = append(inv.Entries, e)
	}
	for _, e := range g.entries() {
		add(e)
	}
	s.writeBareV2(w, http.StatusOK, contentTypeJSON, inv)
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// Gen2Log is the body of the test-only GET /__emulator/gen2/log.
type Gen2Log struct {
	Environment string      `json:"environment"`
	Revision    int64       `json:"revision"`
	ETag        string      `json:"etag"`
	Writes      []Gen2Write `json:"writes"`
}

// Gen2Log returns the current revision and every graph write since the
// seed (connection writes are outside the graph and not listed).
func (s *Server) Gen2Log() Gen2Log {
	if s.gen2 == nil {
		return Gen2Log{}
	}
	g := s.gen2
	g.mu.Lock()
	defer g.mu.Unlock()
	return Gen2Log{Environment: g.d.Environment, Revision: g.d.Revision, ETag: g.d.ETag, Writes: append([]Gen2Write{}, g.d.Writes...)}
}

// handleGen2Log serves the test-only write log (not a Honua route; public,
// so tests need no key). Plain JSON, not JSONB-ordered.
func (s *Server) handleGen2Log(w http.ResponseWriter, _ *http.Request, _ params) {
	s.writeJSON(w, http.StatusOK, contentTypeJSON, s.Gen2Log())
}
