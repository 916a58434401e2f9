package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Paging bounds of GET /manifest/versions.
const (
	defaultVersionLimit = 50
	maxVersionLimit     = 100
)

// apiKeyActor is the actor Honua records for API-key callers.
const apiKeyActor = "admin"

// VersionSummary is one stored manifest version as listed.
type VersionSummary struct {
	VersionID     string    `json:"versionId"`
	ManifestHash  string    `json:"manifestHash"`
	Summary       string    `json:"summary"`
	Actor         string    `json:"actor"`
	AppliedAt     time.Time `json:"appliedAt"`
	ResourceCount int       `json:"resourceCount"`
}

// ManifestVersion is a stored manifest version with the manifest that was
// applied. Re-applying Manifest.Resources is Honua's rollback.
type ManifestVersion struct {
	VersionSummary
	Manifest *ManifestDocument `json:"manifest"`
}

// ManifestDocument is a manifest as a version stores it: the declared
// resources of the apply, as the client sent them.
type ManifestDocument struct {
	APIVersion string             `json:"apiVersion"`
	Resources  []DeclaredResource `json:"resources"`
}

// VersionList is the data of GET /manifest/versions.
type VersionList struct {
	Versions []VersionSummary `json:"versions"`
}

// summaryText renders a summary the way a version records it.
func summaryText(sum ApplySummary) string {
	return fmt.Sprintf("Created: %d, Updated: %d, Deleted: %d, Skipped: %d", sum.Created, sum.Updated, sum.Deleted, sum.Skipped)
}

// recordVersion stores the version of a real apply.
func (s *Server) recordVersion(resources []DeclaredResource, result ApplyResult) ManifestVersion {
	v := ManifestVersion{
		VersionSummary: VersionSummary{
			VersionID:     newID(),
			ManifestHash:  declaredManifestHash(resources),
			Summary:       summaryText(result.Summary),
			Actor:         apiKeyActor,
			AppliedAt:     s.now().UTC(),
			ResourceCount: len(resources),
		},
		Manifest: &ManifestDocument{APIVersion: APIVersion, Resources: resources},
	}
	s.store.addVersion(v)
	return v
}

// declaredManifestHash hashes declared resources; they carry no
// resourceVersion, so that part of each line is empty.
func declaredManifestHash(resources []DeclaredResource) string {
	entries := make([]hashedEntry, len(resources))
	for i := range resources {
		entries[i] = hashedEntry{id: resources[i].Identity(), spec: resources[i].Spec}
	}
	return manifestHash(entries)
}

// queryInt binds an optional integer query parameter; ok is false when the
// value does not parse, a binding error.
func queryInt(r *http.Request, name string, def int) (n int, ok bool) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return def, true
	}
	n, err := strconv.Atoi(raw)
	return n, err == nil
}

// handleListVersions answers GET /manifest/versions?limit&offset, newest
// first.
func (s *Server) handleListVersions(w http.ResponseWriter, r *http.Request, _ params) {
	limit, okLimit := queryInt(r, "limit", defaultVersionLimit)
	offset, okOffset := queryInt(r, "offset", 0)
	if !okLimit || !okOffset {
		writeEmpty(w, http.StatusBadRequest)
		return
	}
	if s.gated(w, gateVersions) {
		return
	}
	if limit < 1 || limit > maxVersionLimit {
		s.writeFailure(w, http.StatusBadRequest, fmt.Sprintf("limit must be between 1 and %d.", maxVersionLimit))
		return
	}
	if offset < 0 {
		s.writeFailure(w, http.StatusBadRequest, "offset must not be negative.")
		return
	}
	s.writeData(w, http.StatusOK, VersionList{Versions: s.store.versionPage(limit, offset)}, "")
}

// handleGetVersion answers GET /manifest/versions/{id} with the manifest.
func (s *Server) handleGetVersion(w http.ResponseWriter, _ *http.Request, p params) {
	id := p["id"]
	if !isGUID(id) {
		writeEmpty(w, http.StatusBadRequest)
		return
	}
	if s.gated(w, gateVersions) {
		return
	}
	v, ok := s.store.version(id)
	if !ok {
		writeEmpty(w, http.StatusNotFound)
		return
	}
	s.writeData(w, http.StatusOK, v, "")
}
