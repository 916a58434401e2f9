package emulator

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Messages of the resource endpoints.
const (
	msgExists         = "Resource already exists."
	msgConflict       = "Resource version conflict: the resource changed while it was being written."
	msgDeleted        = "Resource deleted."
	msgIfMatchMissing = "The If-Match header is required to modify a resource."
	msgIfMatchFailed  = "The If-Match header does not match the current ETag of the resource."
	msgPathMismatch   = "The resource in the body does not match the kind, namespace and name in the path."
)

// pathIdentity reads {kind}/{namespace}/{name} from the route.
func pathIdentity(p params) Identity {
	return Identity{Kind: p["kind"], Namespace: p["namespace"], Name: p["name"]}
}

// resourceLocation is the canonical URL path of a stored resource.
func resourceLocation(id Identity) string {
	return BasePath + "/metadata/resources/" + url.PathEscape(id.Kind) + "/" +
		url.PathEscape(id.Namespace) + "/" + url.PathEscape(id.Name)
}

// handleListResources answers GET /metadata/resources with a bare array,
// filtered exactly (case-sensitively) by kind and namespace.
func (s *Server) handleListResources(w http.ResponseWriter, r *http.Request, _ params) {
	q := r.URL.Query()
	s.writeData(w, http.StatusOK, s.store.list(q.Get("kind"), q.Get("namespace")), "")
}

// handleGetResource answers GET …/{kind}/{ns}/{name} with the resource and
// its ETag, or 404 with an empty body.
func (s *Server) handleGetResource(w http.ResponseWriter, _ *http.Request, p params) {
	res, ok := s.store.get(pathIdentity(p))
	if !ok {
		writeEmpty(w, http.StatusNotFound)
		return
	}
	w.Header().Set("ETag", ETag(res.Metadata.ResourceVersion))
	s.writeData(w, http.StatusOK, res, "")
}

// handleCreateResource answers POST /metadata/resources: 201 with an ETag,
// 400 when invalid, 409 when it exists. The lookup uses the namespace as
// sent while the store writes "" as "default", and the kind's case matters
// to the lookup but not to the store's uniqueness, so both traps surface
// here as 409.
func (s *Server) handleCreateResource(w http.ResponseWriter, r *http.Request, _ params) {
	var in inputResource
	if err := bindJSON(w, r, &in); err != nil {
		writeBindError(w, err)
		return
	}
	d, err := validateResource(&in)
	if err != nil {
		s.writeFailure(w, http.StatusBadRequest, err.Error())
		return
	}
	if _, exists := s.store.get(d.Identity()); exists {
		s.writeFailure(w, http.StatusConflict, msgExists)
		return
	}
	spec, err := storedSpec(d)
	if err != nil {
		s.writeFailure(w, http.StatusBadRequest, "spec must be a JSON object.")
		return
	}
	var created Resource
	target := Identity{Kind: d.Kind, Namespace: storedNamespace(d.Metadata.Namespace), Name: d.Metadata.Name}
	err = s.commit(r.Context(), target, func() error {
		var insertErr error
		created, insertErr = s.store.insert(d, spec, d.Metadata.Annotations)
		return insertErr
	})
	if !s.flush(w) {
		return
	}
	switch {
	case s.writeFault(w, err):
	case errors.Is(err, errExists):
		s.writeFailure(w, http.StatusConflict, msgExists)
	case err != nil:
		s.internalError(w, err)
	default:
		w.Header().Set("ETag", ETag(created.Metadata.ResourceVersion))
		w.Header().Set("Location", resourceLocation(created.Identity()))
		s.writeData(w, http.StatusCreated, created, "Resource created.")
	}
}

// preconditions runs the checks PUT and DELETE share, in Honua's order:
// 404, then 428 without If-Match, then 412 on a mismatch. It returns the
// current resource when all pass.
func (s *Server) preconditions(w http.ResponseWriter, r *http.Request, id Identity) (Resource, bool) {
	current, ok := s.store.get(id)
	if !ok {
		writeEmpty(w, http.StatusNotFound)
		return Resource{}, false
	}
	ifMatch := r.Header.Values("If-Match")
	if len(ifMatch) == 0 || strings.TrimSpace(strings.Join(ifMatch, "")) == "" {
		s.writeProblem(w, http.StatusPreconditionRequired, "Error", msgIfMatchMissing)
		return Resource{}, false
	}
	if !ifMatchSatisfied(strings.Join(ifMatch, ","), ETag(current.Metadata.ResourceVersion)) {
		s.writeProblem(w, http.StatusPreconditionFailed, "Error", msgIfMatchFailed)
		return Resource{}, false
	}
	return current, true
}

// handleReplaceResource answers PUT …/{kind}/{ns}/{name}. Checks run in
// order 404, 428, 412, 400, 409. Labels and annotations are replaced
// wholesale, so a PUT without the last-applied annotation clears it.
func (s *Server) handleReplaceResource(w http.ResponseWriter, r *http.Request, p params) {
	var in inputResource
	if err := bindJSON(w, r, &in); err != nil {
		writeBindError(w, err)
		return
	}
	id := pathIdentity(p)
	current, ok := s.preconditions(w, r, id)
	if !ok {
		return
	}
	d, err := validateResource(&in)
	if err != nil {
		s.writeFailure(w, http.StatusBadRequest, err.Error())
		return
	}
	if !strings.EqualFold(d.Kind, id.Kind) || d.Metadata.Name != id.Name ||
		(d.Metadata.Namespace != id.Namespace && storedNamespace(d.Metadata.Namespace) != id.Namespace) {
		s.writeFailure(w, http.StatusBadRequest, msgPathMismatch)
		return
	}
	spec, err := storedSpec(d)
	if err != nil {
		s.writeFailure(w, http.StatusBadRequest, "spec must be a JSON object.")
		return
	}
	var updated Resource
	err = s.commit(r.Context(), id, func() error {
		var replaceErr error
		updated, replaceErr = s.store.replace(id, current.Metadata.ResourceVersion, d, spec, d.Metadata.Annotations)
		return replaceErr
	})
	if !s.flush(w) {
		return
	}
	switch {
	case s.writeFault(w, err):
	case errors.Is(err, errConflict), errors.Is(err, errNotFound):
		s.writeFailure(w, http.StatusConflict, msgConflict)
	case err != nil:
		s.internalError(w, err)
	default:
		w.Header().Set("ETag", ETag(updated.Metadata.ResourceVersion))
		s.writeData(w, http.StatusOK, updated, "Resource updated.")
	}
}

// handleDeleteResource answers DELETE …/{kind}/{ns}/{name} with
// 200 {success:true, data:null, message:"Resource deleted."}, after the
// 404, 428, 412 and 409 checks.
func (s *Server) handleDeleteResource(w http.ResponseWriter, r *http.Request, p params) {
	id := pathIdentity(p)
	current, ok := s.preconditions(w, r, id)
	if !ok {
		return
	}
	err := s.commit(r.Context(), id, func() error {
		return s.store.remove(id, current.Metadata.ResourceVersion)
	})
	if !s.flush(w) {
		return
	}
	switch {
	case s.writeFault(w, err):
	case errors.Is(err, errConflict), errors.Is(err, errNotFound):
		s.writeFailure(w, http.StatusConflict, msgConflict)
	case err != nil:
		s.internalError(w, err)
	default:
		s.writeData(w, http.StatusOK, nil, msgDeleted)
	}
}

// internalError answers an unexpected failure.
func (s *Server) internalError(w http.ResponseWriter, err error) {
	s.log.Error("internal error", "error", err)
	s.writeProblem(w, http.StatusInternalServerError, "Internal Server Error", "An unexpected error occurred.")
}
