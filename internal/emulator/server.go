package emulator

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// BasePath is the Generation 1 control plane's base path.
const BasePath = "/api/v1/admin"

// Server emulates a Honua Generation 1 control plane. It is an
// http.Handler and is safe for concurrent use.
type Server struct {
	opts      Options
	log       *slog.Logger
	now       func() time.Time
	keyDigest [sha256.Size]byte
	store     *store
	gen2      *gen2Store // Generation 2 state; nil on Generation 1
	faults    *faultInjector
	persistMu sync.Mutex
	handler   http.Handler
}

// New builds a Server from opts, loading the state file when one is set.
func New(opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:      opts,
		log:       opts.Logger,
		now:       opts.Now,
		keyDigest: sha256.Sum256([]byte(opts.APIKey)),
		faults:    newFaultInjector(opts.Faults),
	}
	s.store = newStore(s.now)
	if opts.Generation == Generation2 {
		if s.gen2, err = newGen2Store(opts, s.now()); err != nil {
			return nil, err
		}
	} else if err := s.load(); err != nil {
		return nil, err
	}
	rt := s.routes()
	if opts.Generation == Generation2 {
		rt = s.generation2Routes()
	}
	s.handler = s.logRequests(s.injectFaults(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.dispatch(rt, w, r)
	})))
	return s, nil
}

// ServeHTTP serves the control plane.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Edition returns the edition the server presents.
func (s *Server) Edition() Edition {
	return s.opts.Edition
}

// SetFaults replaces the fault configuration at run time. It restarts the
// random sequence from the new seed and resets the write counter.
func (s *Server) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.faults.set(f)
	return nil
}

// routes registers every endpoint. Literal routes come before overlapping
// parameterised ones.
func (s *Server) routes() *router {
	rt := &router{}
	const (
		get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
		resources           = BasePath + "/metadata/resources"
		pending             = BasePath + "/manifest/pending"
	)
	rt.handle(get, "/healthz/live", true, s.handleLive)
	rt.handle(get, "/healthz/ready", true, s.handleReady)
	rt.handle(get, BasePath+"/version", false, s.handleVersion)
	rt.handle(get, BasePath+"/capabilities", false, s.handleCapabilities)
	rt.handle(get, BasePath+"/manifest", false, s.handleExport)
	rt.handle(post, BasePath+"/manifest/apply", false, s.handleApply)
	rt.handle(get, BasePath+"/manifest/drift", false, s.handleDrift)
	rt.handle(get, BasePath+"/manifest/versions", false, s.handleListVersions)
	rt.handle(get, BasePath+"/manifest/versions/{id}", false, s.handleGetVersion)
	rt.handle(get, pending, false, s.handleListPending)
	rt.handle(get, pending+"/", false, s.handleListPending)
	rt.handle(get, pending+"/history", false, s.handlePendingHistory)
	rt.handle(get, pending+"/{id}", false, s.handleGetPending)
	rt.handle(post, pending+"/{id}/approve", false, s.handleApprove)
	rt.handle(post, pending+"/{id}/reject", false, s.handleReject)
	rt.handle(get, resources, false, s.handleListResources)
	rt.handle(post, resources, false, s.handleCreateResource)
	rt.handle(get, resources+"/{kind}/{namespace}/{name}", false, s.handleGetResource)
	rt.handle(put, resources+"/{kind}/{namespace}/{name}", false, s.handleReplaceResource)
	rt.handle(del, resources+"/{kind}/{namespace}/{name}", false, s.handleDeleteResource)
	s.servingRoutes(rt)
	return rt
}

// dispatch routes a request: unknown paths get 404 and wrong methods 405,
// both with empty bodies and before authentication, as in ASP.NET.
func (s *Server) dispatch(rt *router, w http.ResponseWriter, r *http.Request) {
	rte, p, allowed := rt.match(r)
	if rte == nil {
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeEmpty(w, http.StatusMethodNotAllowed)
			return
		}
		writeEmpty(w, http.StatusNotFound)
		return
	}
	if !rte.public && !s.authenticated(r) {
		s.writeUnauthorized(w, r)
		return
	}
	rte.h(w, r, p)
}

// commit runs one write: the BeforeCommit hook, then the write faults, then
// op. A fault timed before the write returns without running op; one timed
// after it returns once op has succeeded.
func (s *Server) commit(ctx context.Context, id Identity, op func() error) error {
	if h := s.opts.Hooks.BeforeCommit; h != nil {
		h(ctx, id)
	}
	fault := s.faults.checkWrite(id)
	if fault != nil && fault.when == FaultBefore {
		return fault
	}
	if err := op(); err != nil {
		return err
	}
	if fault != nil {
		return fault
	}
	return nil
}

// writeFault answers a request whose write suffered an injected fault.
func (s *Server) writeFault(w http.ResponseWriter, err error) bool {
	var f *injectedFault
	if !errors.As(err, &f) {
		return false
	}
	s.log.Warn("injected write fault", "fault", f.kind, "when", f.when, "detail", f.detail)
	w.Header().Set("X-Honua-Emulator-Fault", f.kind)
	title := "Internal Server Error"
	if f.status == http.StatusServiceUnavailable {
		title = "Service Unavailable"
	}
	s.writeProblem(w, cmp.Or(f.status, http.StatusInternalServerError), title, "Injected fault: "+f.detail+".")
	return true
}

// statusRecorder remembers the status a handler wrote, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter {
	return r.ResponseWriter
}

// logRequests logs one line per request. Headers and bodies are never
// logged, so the API key cannot leak.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"duration", time.Since(start).Round(time.Microsecond))
		}()
		next.ServeHTTP(rec, r)
	})
}
