package emulator

import (
	"net/http"
	"slices"
	"time"
)

// Manifest is the data of GET /manifest: every stored resource (optionally
// of one namespace), the resources whose last-applied annotation differs
// from their current spec hash, and a hash over the whole manifest.
type Manifest struct {
	APIVersion       string     `json:"apiVersion"`
	GeneratedAt      time.Time  `json:"generatedAt"`
	Resources        []Resource `json:"resources"`
	DriftedResources []Identity `json:"driftedResources"`
	ManifestHash     string     `json:"manifestHash"`
}

// applyRequest is the body of POST /manifest/apply.
type applyRequest struct {
	Resources        []*inputResource `json:"resources"`
	DryRun           bool             `json:"dryRun"`
	Prune            bool             `json:"prune"`
	ApprovalRequired bool             `json:"approvalRequired"`
	RequestedBy      *string          `json:"requestedBy"`
	RequestedReason  *string          `json:"requestedReason"`
}

// handleExport answers GET /manifest[?namespace=]. Export is available in
// every edition.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, _ params) {
	resources := s.store.list("", r.URL.Query().Get("namespace"))
	m := Manifest{
		APIVersion:       APIVersion,
		GeneratedAt:      s.now().UTC(),
		Resources:        resources,
		DriftedResources: []Identity{},
	}
	entries := make([]hashedEntry, len(resources))
	for i := range resources {
		res := &resources[i]
		entries[i] = hashedEntry{id: res.Identity(), resourceVersion: res.Metadata.ResourceVersion, spec: res.Spec}
		if last, ok := res.Metadata.Annotations[AnnotationLastAppliedHash]; ok && last != specHash(res.Spec) {
			m.DriftedResources = append(m.DriftedResources, res.Identity())
		}
	}
	m.ManifestHash = manifestHash(entries)
	s.writeData(w, http.StatusOK, m, "")
}

// validateAll validates every resource and returns the first error, so an
// invalid manifest changes nothing.
func validateAll(inputs []*inputResource) ([]DeclaredResource, error) {
	if len(inputs) == 0 {
		return nil, invalid("At least one resource is required.")
	}
	out := make([]DeclaredResource, 0, len(inputs))
	for i, in := range inputs {
		d, err := validateResource(in)
		if err != nil {
			return nil, invalid("resources[%d]: %s", i, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// handleApply answers POST /manifest/apply. Order: binding (400, empty
// body); approvalRequired on community (403, always, as Honua's code does);
// edition gate; validation (400, nothing applied); approval (202); apply.
// Write failures are skip entries inside 200; only an injected fault gives
// 500, after the writes before it have happened.
func (s *Server) handleApply(w http.ResponseWriter, r *http.Request, _ params) {
	var req applyRequest
	if err := bindJSON(w, r, &req); err != nil {
		writeBindError(w, err)
		return
	}
	if req.ApprovalRequired && s.opts.Edition != EditionEnterprise {
		s.writeGate(w, http.StatusForbidden, gateApprovals)
		return
	}
	if s.gated(w, gateApply) {
		return
	}
	resources, err := validateAll(req.Resources)
	if err != nil {
		s.writeFailure(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.ApprovalRequired {
		rec := s.requestApproval(resources, req)
		if !s.flush(w) {
			return
		}
		s.writeData(w, http.StatusAccepted, rec, "Manifest apply is pending approval.")
		return
	}
	result, err := s.applyManifest(r.Context(), resources, req.DryRun, req.Prune)
	if err == nil && !req.DryRun {
		s.recordVersion(resources, result)
	}
	if !s.flush(w) {
		return
	}
	switch {
	case s.writeFault(w, err):
	case err != nil && r.Context().Err() != nil:
		s.log.Warn("apply abandoned: the client went away", "entries", len(result.Entries), "resources", len(resources))
	case err != nil:
		s.internalError(w, err)
	default:
		s.writeData(w, http.StatusOK, result, summaryText(result.Summary))
	}
}

// sortResources orders resources by identity.
func sortResources(rs []Resource) {
	slices.SortFunc(rs, func(a, b Resource) int { return compareIdentity(a.Identity(), b.Identity()) })
}
