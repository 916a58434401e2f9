package emulator

import (
	"bytes"
	"cmp"
	"context"
	"net/http"
	"strings"
	"time"
)

// injectFaults applies the per-request faults (latency, error rate,
// dropped connections). Timed before, they strike before the request is
// handled; timed after, the request is handled in full into a buffer and the
// fault then delays, replaces or drops its answer. Health checks are exempt.
func (s *Server) injectFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/healthz/") {
			next.ServeHTTP(w, r)
			return
		}
		if status := s.faults.servingStatus(); status != 0 && isServingPath(r.URL.Path) {
			s.servingFault(w, status)
			return
		}
		rf := s.faults.rollRequest()
		if !rf.any() {
			next.ServeHTTP(w, r)
			return
		}
		if rf.when == FaultBefore {
			if !sleep(r.Context(), rf.delay) || s.requestFault(w, rf) {
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		buf := &bufferedResponse{header: http.Header{}}
		next.ServeHTTP(buf, r)
		if !sleep(r.Context(), rf.delay) || s.requestFault(w, rf) {
			return
		}
		buf.replay(w)
	})
}

// isServingPath reports whether the path is a serving route: /ogc/… or
// /rest/services…, compared case-insensitively as routes are.
func isServingPath(p string) bool {
	p = strings.ToLower(p)
	return strings.HasPrefix(p, "/ogc/") || p == "/rest/services" || strings.HasPrefix(p, "/rest/services/")
}

// servingFault answers a serving route with the ServingStatus fault.
func (s *Server) servingFault(w http.ResponseWriter, status int) {
	s.log.Warn("injected fault: serving status", "status", status)
	w.Header().Set("X-Honua-Emulator-Fault", "serving-status")
	s.writeProblem(w, status, cmp.Or(http.StatusText(status), "Error"), "Injected fault: serving status.")
}

// SetServingStatus sets Faults.ServingStatus at run time (0 clears it),
// leaving the other faults, their random sequence and the write counter as
// they are. Tests use it to make a server that applied a change stop
// serving it: run.Server.SetServingStatus(http.StatusServiceUnavailable).
func (s *Server) SetServingStatus(status int) error {
	if err := (Faults{ServingStatus: status}).Validate(); err != nil {
		return err
	}
	s.faults.setServingStatus(status)
	return nil
}

// requestFault drops the connection or answers with the injected error
// status, and reports whether it did either.
func (s *Server) requestFault(w http.ResponseWriter, rf requestFaults) bool {
	switch {
	case rf.drop:
		s.log.Warn("injected fault: dropping connection", "when", rf.when)
		dropConnection(w)
		return true
	case rf.status != 0:
		s.log.Warn("injected fault: error status", "status", rf.status, "when", rf.when)
		w.Header().Set("X-Honua-Emulator-Fault", "error-rate")
		title := "Internal Server Error"
		if rf.status == http.StatusServiceUnavailable {
			title = "Service Unavailable"
		}
		s.writeProblem(w, rf.status, title, "Injected fault: error rate.")
		return true
	}
	return false
}

// dropConnection closes the client connection without an answer. When the
// connection cannot be hijacked (HTTP/2), it aborts the handler instead,
// which resets the stream.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// sleep waits for d or until ctx is done, and reports whether the full
// delay elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// bufferedResponse holds a complete answer so a fault timed after the
// handler can still replace or drop it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) replay(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}
