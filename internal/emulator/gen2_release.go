package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Release packages, their gitops-manifest, prevalidate and the
// environment-bindings query (honua-gen2-metadata-v2.md §2). None of these
// write the graph: no revision. Packages are kept in the state file.
// Release, binding and manifest responses are bare JSON; prevalidate is
// wrapped in the ApiResponse envelope. Errors are problem+json.

type g2TargetState struct {
	Environment             string `json:"environment"`
	CurrentMetadataRevision *int64 `json:"currentMetadataRevision,omitempty"`
	BindingState            string `json:"bindingState"`
	BindingSummary          string `json:"bindingSummary"`
}

type g2PackageEntry struct {
	SemanticID              string            `json:"semanticId"`
	ArtifactKind            string            `json:"artifactKind"`
	ResourceType            string            `json:"resourceType,omitempty"`
	DesiredMetadataRevision int64             `json:"desiredMetadataRevision"`
	DesiredContentVersionID *string           `json:"desiredContentVersionId,omitempty"`
	DesiredProvenance       []json.RawMessage `json:"desiredProvenance"`
	ChangeClass             string            `json:"changeClass"`
	TargetStates            []g2TargetState   `json:"targetStates"`
	DependentSemanticIDs    []string          `json:"dependentSemanticIds"`
	Status                  string            `json:"status"`
}

type g2PackageMetadata struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Title       *string           `json:"title,omitempty"`
	Description *string           `json:"description,omitempty"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Generation  int               `json:"generation"`
}

type g2Package struct {
	PackageID          string            `json:"packageId"`
	Metadata           g2PackageMetadata `json:"metadata"`
	SourceEnvironment  string            `json:"sourceEnvironment"`
	SourceRevision     int64             `json:"sourceRevision"`
	SourceEtag         string            `json:"sourceEtag"`
	TargetEnvironments []string          `json:"targetEnvironments"`
	Entries            []g2PackageEntry  `json:"entries"`
	Status             string            `json:"status"`
	CreatedBy          string            `json:"createdBy"`
	CreatedAt          time.Time         `json:"createdAt"`
	UpdatedAt          time.Time         `json:"updatedAt"`
	Extensions         map[string]any    `json:"extensions"`
}

type g2PackageRequest struct {
	PackageKey              *string           `json:"packageKey"`
	Namespace               *string           `json:"namespace"`
	Title                   *string           `json:"title"`
	Summary                 *string           `json:"summary"`
	SourceEnvironment       string            `json:"sourceEnvironment"`
	TargetEnvironments      []string          `json:"targetEnvironments"`
	SemanticIDs             []string          `json:"semanticIds"`
	DesiredRevision         *int64            `json:"desiredRevision"`
	DesiredContentVersionID *string           `json:"desiredContentVersionId"`
	ChangeClasses           map[string]string `json:"changeClasses"`
	Provenance              []json.RawMessage `json:"provenance"`
}

var (
	gen2ChangeClasses = []string{"metadata", "content", "binding", "policy", "delete"}
	gen2SlugStrip     = regexp.MustCompile(`[^a-z0-9]+`)
)

// validate checks a create request (or an inline prevalidate package);
// it returns the 400 detail.
func (req *g2PackageRequest) validate() string {
	switch {
	case strings.TrimSpace(req.SourceEnvironment) == "":
		return "sourceEnvironment is required."
	case req.TargetEnvironments == nil || len(req.TargetEnvironments) < 1 || len(req.TargetEnvironments) > 10:
		return "targetEnvironments must list 1 to 10 environments."
	case req.SemanticIDs == nil || len(req.SemanticIDs) < 1 || len(req.SemanticIDs) > 1000:
		return "semanticIds must list 1 to 1000 semantic ids."
	}
	for _, e := range req.TargetEnvironments {
		if strings.TrimSpace(e) == "" {
			return "targetEnvironments must not contain blank values."
		}
	}
	for _, id := range req.SemanticIDs {
		if strings.TrimSpace(id) == "" {
			return "semanticIds must not contain blank values."
		}
	}
	for id, c := range req.ChangeClasses {
		if !slices.Contains(gen2ChangeClasses, c) {
			return fmt.Sprintf("changeClasses[%s] '%s' is not one of metadata, content, binding, policy, delete.", id, c)
		}
	}
	return ""
}

// buildPackage resolves a request against the source graph. It returns
// a status and detail on failure. The caller holds mu.
func (g *gen2Store) buildPackage(req *g2PackageRequest, now time.Time) (*g2Package, int, string) {
	if req.SourceEnvironment != g.d.Environment {
		return nil, http.StatusNotFound, fmt.Sprintf("Environment '%s' does not have an active revision.", req.SourceEnvironment)
	}
	ns := "default"
	if req.Namespace != nil && strings.TrimSpace(*req.Namespace) != "" {
		ns = *req.Namespace
	}
	key := ""
	if req.PackageKey != nil {
		key = strings.TrimSpace(*req.PackageKey)
	}
	if key == "" {
		base := "release"
		if req.Title != nil {
			if slug := strings.Trim(gen2SlugStrip.ReplaceAllString(strings.ToLower(*req.Title), "-"), "-"); slug != "" {
				base = slug
			}
		}
		key = base + "-" + strings.ReplaceAll(newID(), "-", "")[:12]
	}
	rev := g.d.Revision
	if req.DesiredRevision != nil {
		rev = *req.DesiredRevision
	}
	p := &g2Package{PackageID: newID(), SourceEnvironment: g.d.Environment, SourceRevision: g.d.Revision, SourceEtag: g.d.ETag,
		TargetEnvironments: append([]string{}, req.TargetEnvironments...), Entries: []g2PackageEntry{}, Status: "draft",
		CreatedBy: "admin", CreatedAt: now.UTC(), UpdatedAt: now.UTC(), Extensions: map[string]any{},
		Metadata: g2PackageMetadata{Name: key, Namespace: ns, Title: req.Title, Description: req.Summary, Generation: 1,
			Labels:      map[string]string{"sourceEnvironment": g.d.Environment, "sourceRevision": strconv.FormatInt(g.d.Revision, 10)},
			Annotations: map[string]string{"metadata.honua.io/sourceEtag": g.d.ETag}}}
	p.Metadata.ID = p.PackageID
	for _, id := range req.SemanticIDs {
		e := g.entry(id)
		if e == nil {
			return nil, http.StatusNotFound, fmt.Sprintf("Semantic id '%s' was not found in environment '%s'.", id, g.d.Environment)
		}
		class := "metadata"
		if c, ok := req.ChangeClasses[id]; ok {
			class = c
		}
		prov := req.Provenance
		if prov == nil {
			prov = []json.RawMessage{}
		}
		pe := g2PackageEntry{SemanticID: id, ArtifactKind: e.ArtifactKind, ResourceType: e.ResourceType, DesiredMetadataRevision: rev,
			DesiredContentVersionID: req.DesiredContentVersionID, DesiredProvenance: prov, ChangeClass: class,
			DependentSemanticIDs: g.dependents(id), Status: "pending"}
		for _, t := range req.TargetEnvironments {
			pe.TargetStates = append(pe.TargetStates, g.targetState(t, id))
		}
		p.Entries = append(p.Entries, pe)
	}
	return p, 0, ""
}

// targetState is an entry's state in a target environment. The caller
// holds mu.
func (g *gen2Store) targetState(env, semanticID string) g2TargetState {
	if env != g.d.Environment {
		return g2TargetState{Environment: env, BindingState: "environment-unavailable",
			BindingSummary: fmt.Sprintf("Environment '%s' does not have an active revision.", env)}
	}
	rev := g.d.Revision
	if g.entry(semanticID) == nil {
		return g2TargetState{Environment: env, CurrentMetadataRevision: &rev, BindingState: "missing",
			BindingSummary: fmt.Sprintf("'%s' is not present in environment '%s'.", semanticID, env)}
	}
	return g2TargetState{Environment: env, CurrentMetadataRevision: &rev, BindingState: "bound",
		BindingSummary: fmt.Sprintf("'%s' is bound in environment '%s'.", semanticID, env)}
}

func (g *gen2Store) pkg(id string) *g2Package {
	for _, p := range g.d.Packages {
		if strings.EqualFold(p.PackageID, strings.Trim(id, "{}")) {
			return p
		}
	}
	return nil
}

func (s *Server) handleGen2CreatePackage(w http.ResponseWriter, r *http.Request, _ params) {
	var req g2PackageRequest
	if !decodeGen2(w, r, &req) {
		return
	}
	if msg := req.validate(); msg != "" {
		s.writeProblem(w, http.StatusBadRequest, "Invalid release package request", msg)
		return
	}
	var out *g2Package
	status, detail := 0, ""
	id := Identity{Kind: "ReleasePackage", Namespace: cmpOr(deref(req.Namespace), "default"), Name: deref(req.PackageKey)}
	err := s.commit(r.Context(), id, func() error {
		g := s.gen2
		g.mu.Lock()
		defer g.mu.Unlock()
		p, st, msg := g.buildPackage(&req, s.now())
		if p == nil {
			status, detail = st, msg
			return nil
		}
		for _, o := range g.d.Packages {
			if o.Metadata.Name == p.Metadata.Name && o.Metadata.Namespace == p.Metadata.Namespace {
				status, detail = http.StatusConflict, fmt.Sprintf("A release package with key '%s' already exists in namespace '%s'.", p.Metadata.Name, p.Metadata.Namespace)
				return nil
			}
		}
		g.d.Packages = append(g.d.Packages, p)
		out = p
		return nil
	})
	if status != 0 && err == nil {
		title := map[int]string{http.StatusNotFound: "Not Found", http.StatusConflict: "Conflict"}[status]
		s.writeProblem(w, status, title, detail)
		return
	}
	if !s.gen2Finish(w, err) {
		return
	}
	w.Header().Set("Location", BasePath+"/metadata/release-packages/"+out.PackageID)
	s.writeBareV2(w, http.StatusCreated, contentTypeJSON, out)
}

type g2PackageItem struct {
	PackageID          string    `json:"packageId"`
	PackageKey         string    `json:"packageKey"`
	Namespace          string    `json:"namespace"`
	Title              *string   `json:"title,omitempty"`
	Summary            *string   `json:"summary,omitempty"`
	SourceEnvironment  string    `json:"sourceEnvironment"`
	SourceRevision     int64     `json:"sourceRevision"`
	TargetEnvironments []string  `json:"targetEnvironments"`
	EntryCount         int       `json:"entryCount"`
	Status             string    `json:"status"`
	CreatedBy          string    `json:"createdBy"`
	CreatedAt          time.Time `json:"createdAt"`
	UpdatedAt          time.Time `json:"updatedAt"`
}

// handleGen2ListPackages lists packages newest first; limit 0–500
// (default 50), offset ≥ 0; count is the number matching before paging.
// sourceEnvironment, targetEnvironment and status filter, as the store does.
func (s *Server) handleGen2ListPackages(w http.ResponseWriter, r *http.Request, _ params) {
	q := r.URL.Query()
	limit, offset := 50, 0
	var err error
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 0 || limit > 500 {
			s.writeProblem(w, http.StatusBadRequest, "Bad Request", "limit must be between 0 and 500.")
			return
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			s.writeProblem(w, http.StatusBadRequest, "Bad Request", "offset must be 0 or more.")
			return
		}
	}
	g := s.gen2
	g.mu.Lock()
	var all []g2PackageItem
	for i := len(g.d.Packages) - 1; i >= 0; i-- {
		p := g.d.Packages[i]
		if v := q.Get("sourceEnvironment"); v != "" && v != p.SourceEnvironment {
			continue
		}
		if v := q.Get("targetEnvironment"); v != "" && !slices.Contains(p.TargetEnvironments, v) {
			continue
		}
		if v := q.Get("status"); v != "" && !strings.EqualFold(v, p.Status) {
			continue
		}
		all = append(all, g2PackageItem{PackageID: p.PackageID, PackageKey: p.Metadata.Name, Namespace: p.Metadata.Namespace,
			Title: p.Metadata.Title, Summary: p.Metadata.Description, SourceEnvironment: p.SourceEnvironment, SourceRevision: p.SourceRevision,
			TargetEnvironments: p.TargetEnvironments, EntryCount: len(p.Entries), Status: p.Status, CreatedBy: p.CreatedBy,
			CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt})
	}
	g.mu.Unlock()
	items := []g2PackageItem{}
	if offset < len(all) {
		items = append(items, all[offset:min(len(all), offset+limit)]...)
	}
	s.writeBareV2(w, http.StatusOK, contentTypeJSON, map[string]any{"generatedAt": s.now().UTC(), "items": items,
		"count": len(all), "limit": limit, "offset": offset})
}

func (s *Server) gen2PackageByID(w http.ResponseWriter, p params) *g2Package {
	id := p["id"]
	if !isGUID(id) {
		writeEmpty(w, http.StatusNotFound) // {id:guid} route constraint
		return nil
	}
	g := s.gen2
	g.mu.Lock()
	pk := g.pkg(id)
	g.mu.Unlock()
	if pk == nil {
		s.writeProblem(w, http.StatusNotFound, "Not Found", fmt.Sprintf("Release package '%s' was not found.", id))
	}
	return pk
}

func (s *Server) handleGen2GetPackage(w http.ResponseWriter, _ *http.Request, p params) {
	if pk := s.gen2PackageByID(w, p); pk != nil {
		s.writeBareV2(w, http.StatusOK, contentTypeJSON, pk)
	}
}

func (s *Server) handleGen2PackageManifest(w http.ResponseWriter, _ *http.Request, p params) {
	pk := s.gen2PackageByID(w, p)
	if pk == nil {
		return
	}
	targets := []map[string]string{}
	for _, t := range pk.TargetEnvironments {
		targets = append(targets, map[string]string{"environment": t})
	}
	s.writeBareV2(w, http.StatusOK, contentTypeJSON, map[string]any{
		"apiVersion": MetadataAPIVersionV2, "kind": "MetadataReleasePackage", "metadata": pk.Metadata,
		"spec": map[string]any{"packageId": pk.PackageID,
			"source":  map[string]any{"environment": pk.SourceEnvironment, "revision": pk.SourceRevision, "etag": pk.SourceEtag},
			"targets": targets, "entries": pk.Entries},
	})
}

type g2Finding struct {
	Code                 string         `json:"code"`
	Severity             string         `json:"severity"`
	Kind                 string         `json:"kind"`
	AffectedSemanticID   string         `json:"affectedSemanticId"`
	AffectedSemanticKind string         `json:"affectedSemanticKind"`
	Message              string         `json:"message"`
	Expected             map[string]any `json:"expected"`
	Actual               map[string]any `json:"actual"`
	RequiredAction       string         `json:"requiredAction"`
	CoverageState        string         `json:"coverageState"`
}

type g2Report struct {
	TargetEnvironment    string         `json:"targetEnvironment"`
	ReleasePackageID     *string        `json:"releasePackageId,omitempty"`
	PackageKey           *string        `json:"packageKey,omitempty"`
	SourceEnvironment    *string        `json:"sourceEnvironment,omitempty"`
	SourceRevision       *int64         `json:"sourceRevision,omitempty"`
	SourceEtag           *string        `json:"sourceEtag,omitempty"`
	TargetRevision       *int64         `json:"targetRevision,omitempty"`
	TargetEtag           *string        `json:"targetEtag,omitempty"`
	GeneratedAt          time.Time      `json:"generatedAt"`
	Status               string         `json:"status"`
	CanCreatePullRequest bool           `json:"canCreatePullRequest"`
	CanPromote           bool           `json:"canPromote"`
	UncoveredErrorCount  int            `json:"uncoveredErrorCount"`
	CoveredErrorCount    int            `json:"coveredErrorCount"`
	WarningCount         int            `json:"warningCount"`
	ScriptCount          int            `json:"scriptCount"`
	Findings             []g2Finding    `json:"findings"`
	AffectedDependents   []string       `json:"affectedDependents"`
	RollbackReadiness    map[string]any `json:"rollbackReadiness"`
}

// handleGen2Prevalidate compares a package (stored, or inline and never
// persisted) with the target's current graph. It writes nothing and
// answers 200 even when blocked.
func (s *Server) handleGen2Prevalidate(w http.ResponseWriter, r *http.Request, _ params) {
	var req struct {
		ReleasePackageID  *string           `json:"releasePackageId"`
		ReleasePackage    *g2PackageRequest `json:"releasePackage"`
		TargetEnvironment string            `json:"targetEnvironment"`
		DataScripts       []struct {
			ScriptID string `json:"scriptId"`
		} `json:"dataScripts"`
	}
	if !decodeGen2(w, r, &req) {
		return
	}
	bad := func(detail string) { s.writeProblem(w, http.StatusBadRequest, "Invalid prevalidation request", detail) }
	switch {
	case strings.TrimSpace(req.TargetEnvironment) == "":
		bad("targetEnvironment is required.")
		return
	case (req.ReleasePackageID == nil) == (req.ReleasePackage == nil):
		bad("Supply exactly one of releasePackageId or releasePackage.")
		return
	}
	if req.ReleasePackage != nil {
		if msg := req.ReleasePackage.validate(); msg != "" {
			bad(msg)
			return
		}
	}
	g := s.gen2
	g.mu.Lock()
	defer g.mu.Unlock()
	rep := g2Report{TargetEnvironment: req.TargetEnvironment, GeneratedAt: s.now().UTC(), Findings: []g2Finding{}, AffectedDependents: []string{}}
	var semanticIDs []string
	if req.ReleasePackageID != nil {
		pk := g.pkg(*req.ReleasePackageID)
		if pk == nil {
			bad(fmt.Sprintf("Release package '%s' was not found.", *req.ReleasePackageID))
			return
		}
		rep.ReleasePackageID, rep.PackageKey = &pk.PackageID, &pk.Metadata.Name
		rep.SourceEnvironment, rep.SourceRevision, rep.SourceEtag = &pk.SourceEnvironment, &pk.SourceRevision, &pk.SourceEtag
		for _, e := range pk.Entries {
			semanticIDs = append(semanticIDs, e.SemanticID)
		}
	} else {
		ip := req.ReleasePackage
		rep.PackageKey, rep.SourceEnvironment = ip.PackageKey, &ip.SourceEnvironment
		if ip.SourceEnvironment == g.d.Environment {
			rev, etag := g.d.Revision, g.d.ETag
			rep.SourceRevision, rep.SourceEtag = &rev, &etag
		}
		semanticIDs = ip.SemanticIDs
	}
	scriptIDs := []string{}
	for _, ds := range req.DataScripts {
		scriptIDs = append(scriptIDs, ds.ScriptID)
	}
	rep.ScriptCount = len(scriptIDs)
	rep.RollbackReadiness = map[string]any{"classification": "metadata-only", "reason": "The change touches metadata only; the prior revision can be restored.",
		"requiresSnapshot": false, "requiresManualAction": false, "scriptIds": scriptIDs}
	if req.TargetEnvironment != g.d.Environment {
		rep.Status = "unknown"
		for _, id := range semanticIDs {
			rep.Findings = append(rep.Findings, g2Finding{Code: "metadata.compat.state.unavailable", Severity: "error", Kind: "state",
				AffectedSemanticID: id, AffectedSemanticKind: kindOfSemanticID(id),
				Message:        fmt.Sprintf("Environment '%s' does not have an active revision.", req.TargetEnvironment),
				Expected:       map[string]any{"label": "environment", "value": req.TargetEnvironment, "details": map[string]any{}},
				Actual:         map[string]any{"label": "environment", "value": nil, "details": map[string]any{}},
				RequiredAction: "resolve-state", CoverageState: "unknown"})
		}
		s.writeDataV2(w, http.StatusOK, rep, "")
		return
	}
	rev, etag := g.d.Revision, g.d.ETag
	rep.TargetRevision, rep.TargetEtag = &rev, &etag
	for _, id := range semanticIDs {
		if g.entry(id) != nil {
			rep.AffectedDependents = append(rep.AffectedDependents, g.dependents(id)...)
			continue
		}
		rep.Findings = append(rep.Findings, g2Finding{Code: "metadata.compat.resource.missing", Severity: "error", Kind: kindOfSemanticID(id),
			AffectedSemanticID: id, AffectedSemanticKind: kindOfSemanticID(id),
			Message:        fmt.Sprintf("'%s' is not present in environment '%s'.", id, req.TargetEnvironment),
			Expected:       map[string]any{"label": "semanticId", "value": id, "details": map[string]any{}},
			Actual:         map[string]any{"label": "semanticId", "value": nil, "details": map[string]any{}},
			RequiredAction: "manual-review", CoverageState: "uncovered"})
		rep.UncoveredErrorCount++
	}
	rep.Status = "ready"
	if rep.UncoveredErrorCount > 0 {
		rep.Status = "blocked"
	}
	rep.CanCreatePullRequest, rep.CanPromote = rep.Status == "ready", rep.Status == "ready"
	s.writeDataV2(w, http.StatusOK, rep, "")
}

// kindOfSemanticID reads the artifact kind from the emulator's id prefix.
func kindOfSemanticID(id string) string {
	switch {
	case strings.HasPrefix(id, "svc."):
		return "service"
	case strings.HasPrefix(id, "pub."):
		return "publication"
	case strings.HasPrefix(id, "field."):
		return "field"
	}
	return "resource"
}

// handleGen2BindingsQuery answers POST /environment-bindings/query:
// {requestedAt, environments[{environment, available, revision?, etag?}],
// bindings[{environment, semanticId, bindingState, …}]}.
func (s *Server) handleGen2BindingsQuery(w http.ResponseWriter, r *http.Request, _ params) {
	var req struct {
		Environments []string `json:"environments"`
		SemanticIDs  []string `json:"semanticIds"`
	}
	if !decodeGen2(w, r, &req) {
		return
	}
	bad := func(detail string) { s.writeProblem(w, http.StatusBadRequest, "Invalid binding query", detail) }
	switch {
	case len(req.Environments) < 1 || len(req.Environments) > 10:
		bad("environments must list 1 to 10 environments.")
		return
	case len(req.SemanticIDs) < 1 || len(req.SemanticIDs) > 500:
		bad("semanticIds must list 1 to 500 semantic ids.")
		return
	}
	g := s.gen2
	g.mu.Lock()
	defer g.mu.Unlock()
	envs := []map[string]any{}
	bindings := []map[string]any{}
	for _, env := range req.Environments {
		if env != g.d.Environment {
			envs = append(envs, map[string]any{"environment": env, "available": false})
		} else {
			envs = append(envs, map[string]any{"environment": env, "available": true, "revision": g.d.Revision, "etag": g.d.ETag})
		}
		for _, id := range req.SemanticIDs {
			ts := g.targetState(env, id)
			b := map[string]any{"environment": env, "semanticId": id, "bindingState": ts.BindingState, "bindingSummary": ts.BindingSummary}
			if ts.CurrentMetadataRevision != nil {
				b["currentMetadataRevision"] = *ts.CurrentMetadataRevision
			}
			if ts.BindingState == "bound" {
				if c := g.connectionOf(id); c != nil {
					b["connectionId"] = c.ConnectionID
					if c.SecretRef != nil {
						b["secretRef"] = *c.SecretRef
					}
				}
			}
			bindings = append(bindings, b)
		}
	}
	s.writeBareV2(w, http.StatusOK, contentTypeJSON, map[string]any{"requestedAt": s.now().UTC(), "environments": envs, "bindings": bindings})
}

// connectionOf is the runtime connection behind a resource or publication
// semantic id. The caller holds mu.
func (g *gen2Store) connectionOf(semanticID string) *g2Connection {
	for _, l := range g.d.Layers {
		if g2ResourceSemanticID(l) == semanticID || g2PublicationSemanticID(l) == semanticID {
			return g.connection(l.ConnectionID)
		}
	}
	return nil
}
