package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// gen2Protocols are the protocol names a Generation 2 server accepts,
// case-sensitively, in MetadataV2 ServiceProtocols.All order.
var gen2Protocols = []string{"FeatureServer", "MapServer", "ImageServer", "GPServer", "OgcFeatures",
	"OGC-API-Maps", "OGC-API-Coverages", "OGC-API-Tiles", "Wfs20", "Wms", "Wmts", "Wcs", "OData", "Grpc",
	"Stac", "Terrain", "Elevation"}

func validProtocol(p string) bool { return slices.Contains(gen2Protocols, p) }

// errGen2Gone is returned by a write whose target vanished between its
// checks and its commit.
var errGen2Gone = errors.New("gen2 target vanished")

type g2ServiceSummary struct {
	ServiceName      string   `json:"serviceName"`
	Description      string   `json:"description"`
	LayerCount       int      `json:"layerCount"`
	EnabledProtocols []string `json:"enabledProtocols"`
}

type g2MapServer struct {
	MaxImageWidth       int    `json:"maxImageWidth"`
	MaxImageHeight      int    `json:"maxImageHeight"`
	DefaultImageWidth   int    `json:"defaultImageWidth"`
	DefaultImageHeight  int    `json:"defaultImageHeight"`
	DefaultDpi          int    `json:"defaultDpi"`
	DefaultFormat       string `json:"defaultFormat"`
	MaxFeaturesPerLayer int    `json:"maxFeaturesPerLayer"`
}

type g2ServiceSettings struct {
	ServiceName        string           `json:"serviceName"`
	EnabledProtocols   []string         `json:"enabledProtocols"`
	AvailableProtocols []string         `json:"availableProtocols"`
	AccessPolicy       Gen2AccessPolicy `json:"accessPolicy"`
	TimeInfo           *struct{}        `json:"timeInfo"`
	MapServer          g2MapServer      `json:"mapServer"`
}

// effectiveProtocols: a service with no protocols in the graph reports
// every protocol, as ServiceSettingsEndpoints does.
func effectiveProtocols(p []string) []string {
	if len(p) == 0 {
		return append([]string{}, gen2Protocols...)
	}
	return append([]string{}, p...)
}

func settingsOf(name string, sv *g2Service) g2ServiceSettings {
	return g2ServiceSettings{
		ServiceName:        name,
		EnabledProtocols:   effectiveProtocols(sv.EnabledProtocols),
		AvailableProtocols: append([]string{}, gen2Protocols...),
		AccessPolicy: Gen2AccessPolicy{AllowAnonymous: sv.AccessPolicy.AllowAnonymous, AllowAnonymousWrite: sv.AccessPolicy.AllowAnonymousWrite,
			AllowedRoles: nonNil(sv.AccessPolicy.AllowedRoles), AllowedWriteRoles: nonNil(sv.AccessPolicy.AllowedWriteRoles)},
		MapServer: g2MapServer{MaxImageWidth: 4096, MaxImageHeight: 4096, DefaultImageWidth: 400, DefaultImageHeight: 400,
			DefaultDpi: 96, DefaultFormat: "png", MaxFeaturesPerLayer: 10000},
	}
}

func (s *Server) handleGen2ListServices(w http.ResponseWriter, _ *http.Request, _ params) {
	g := s.gen2
	g.mu.Lock()
	out := make([]g2ServiceSummary, 0, len(g.d.Services))
	for _, sv := range g.d.Services {
		out = append(out, g2ServiceSummary{ServiceName: sv.Name, Description: sv.Description,
			LayerCount: g.layerCount(sv.Name), EnabledProtocols: effectiveProtocols(sv.EnabledProtocols)})
	}
	g.mu.Unlock()
	s.writeDataV2(w, http.StatusOK, out, "")
}

func (s *Server) handleGen2ServiceSettings(w http.ResponseWriter, _ *http.Request, p params) {
	g := s.gen2
	g.mu.Lock()
	sv := g.service(p["name"])
	var out g2ServiceSettings
	if sv != nil {
		out = settingsOf(p["name"], sv)
	}
	g.mu.Unlock()
	if sv == nil {
		s.writeFailure(w, http.StatusNotFound, "Service '"+p["name"]+"' not found.")
		return
	}
	s.writeDataV2(w, http.StatusOK, out, "")
}

// decodeGen2 decodes a JSON body; a malformed body is a binding error,
// 400 with an empty body, as ASP.NET minimal APIs answer it.
func decodeGen2(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		writeEmpty(w, http.StatusBadRequest)
		return false
	}
	return true
}

// gen2GraphWrite runs one graph write through the fault machinery, bumps
// the revision (every save is a new revision, even an identical one) and
// persists. mutate runs under the store lock; it returns errGen2Gone when
// its target vanished. It reports whether the caller may answer success.
func (s *Server) gen2GraphWrite(w http.ResponseWriter, r *http.Request, id Identity, facet, target string, mutate func(g *gen2Store) error) bool {
	err := s.commit(r.Context(), id, func() error {
		g := s.gen2
		g.mu.Lock()
		defer g.mu.Unlock()
		if err := mutate(g); err != nil {
			return err
		}
		g.bumpRevision(s.now(), r.Method, r.URL.Path, facet, target)
		return nil
	})
	return s.gen2Finish(w, err)
}

// gen2Finish persists after a write (also after a fault timed after it)
// and answers the fault, if any.
func (s *Server) gen2Finish(w http.ResponseWriter, err error) bool {
	var f *injectedFault
	if err == nil || (errors.As(err, &f) && f.when == FaultAfter) {
		if perr := s.persistGen2(); perr != nil {
			s.log.Error("persist state", "file", s.opts.StateFile, "error", perr)
			s.writeProblem(w, http.StatusInternalServerError, "Internal Server Error", "The emulator could not write its state file.")
			return false
		}
	}
	if err == nil {
		return true
	}
	if s.writeFault(w, err) {
		return false
	}
	s.writeProblem(w, http.StatusInternalServerError, "Internal Server Error", "The target changed during the write; read it back and retry.")
	return false
}

// persistGen2 rewrites the state file when one is configured.
func (s *Server) persistGen2() error {
	if s.opts.StateFile == "" {
		return nil
	}
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	s.gen2.mu.Lock()
	body, err := s.gen2.snapshotJSON()
	s.gen2.mu.Unlock()
	if err != nil {
		return err
	}
	return writeFileAtomic(s.opts.StateFile, body)
}

type g2ProtocolsRequest struct {
	EnabledProtocols []*string `json:"enabledProtocols"`
}

func (s *Server) handleGen2PutProtocols(w http.ResponseWriter, r *http.Request, p params) {
	var req g2ProtocolsRequest
	if !decodeGen2(w, r, &req) {
		return
	}
	if req.EnabledProtocols == nil {
		s.writeFailure(w, http.StatusBadRequest, "Enabled protocols payload is required.")
		return
	}
	var protos, invalid []string
	for _, pr := range req.EnabledProtocols {
		if pr == nil || strings.TrimSpace(*pr) == "" || slices.Contains(protos, *pr) {
			continue
		}
		protos = append(protos, *pr)
		if !validProtocol(*pr) {
			invalid = append(invalid, *pr)
		}
	}
	if len(protos) == 0 {
		s.writeFailure(w, http.StatusBadRequest, "At least one protocol must be enabled.")
		return
	}
	if len(invalid) > 0 {
		s.writeFailure(w, http.StatusBadRequest, "Invalid protocol(s): "+strings.Join(invalid, ", ")+". Valid values: "+strings.Join(gen2Protocols, ", "))
		return
	}
	s.gen2ServiceWrite(w, r, p["name"], "service.protocols", func(sv *g2Service) { sv.EnabledProtocols = protos })
}

type g2AccessPolicyRequest struct {
	AllowAnonymous      *bool    `json:"allowAnonymous"`
	AllowAnonymousWrite *bool    `json:"allowAnonymousWrite"`
	AllowedRoles        []string `json:"allowedRoles"`
	AllowedWriteRoles   []string `json:"allowedWriteRoles"`
}

func (s *Server) handleGen2PutAccessPolicy(w http.ResponseWriter, r *http.Request, p params) {
	var req g2AccessPolicyRequest
	if !decodeGen2(w, r, &req) {
		return
	}
	s.gen2ServiceWrite(w, r, p["name"], "service.access-policy", func(sv *g2Service) {
		ap := &sv.AccessPolicy
		if req.AllowAnonymous != nil {
			ap.AllowAnonymous = *req.AllowAnonymous
		}
		if req.AllowAnonymousWrite != nil {
			ap.AllowAnonymousWrite = *req.AllowAnonymousWrite
		}
		if req.AllowedRoles != nil {
			ap.AllowedRoles = append([]string{}, req.AllowedRoles...)
		}
		if req.AllowedWriteRoles != nil {
			ap.AllowedWriteRoles = append([]string{}, req.AllowedWriteRoles...)
		}
	})
}

// gen2ServiceWrite resolves the service (404 envelope when absent), writes
// it and answers the refreshed settings.
func (s *Server) gen2ServiceWrite(w http.ResponseWriter, r *http.Request, name, facet string, mutate func(*g2Service)) {
	s.gen2.mu.Lock()
	found := s.gen2.service(name) != nil
	s.gen2.mu.Unlock()
	if !found {
		s.writeFailure(w, http.StatusNotFound, "Service '"+name+"' not found.")
		return
	}
	id := Identity{Kind: "Service", Namespace: s.gen2Env(), Name: name}
	var out g2ServiceSettings
	ok := s.gen2GraphWrite(w, r, id, facet, name, func(g *gen2Store) error {
		sv := g.service(name)
		if sv == nil {
			return errGen2Gone
		}
		mutate(sv)
		out = settingsOf(name, sv)
		return nil
	})
	if ok {
		s.writeDataV2(w, http.StatusOK, out, "")
	}
}

func (s *Server) handleGen2NotRepresentable(title, detail string) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ params) {
		s.writeJSON(w, http.StatusNotImplemented, contentTypeProblem, problem{
			Type: "https://tools.ietf.org/html/rfc9110#section-15.6.2", Title: title, Status: http.StatusNotImplemented, Detail: detail})
	}
}

func (s *Server) gen2Env() string {
	s.gen2.mu.Lock()
	defer s.gen2.mu.Unlock()
	return s.gen2.d.Environment
}
