package honua

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const testKey = "test-key-0123"

// seen is one request a stub received.
type seen struct {
	Method  string
	Path    string // decoded
	RawPath string // as sent (escaped)
	Query   string
	Header  http.Header
	Body    []byte
}

// stub is an httptest server that records requests and answers with a
// handler given the 1-based request number.
type stub struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newStub(t *testing.T, h func(w http.ResponseWriter, r *http.Request, n int)) *stub {
	t.Helper()
	s := &stub{}
	s.Server = httptest.NewServer(s.handler(h))
	t.Cleanup(s.Close)
	return s
}

func (s *stub) handler(h func(w http.ResponseWriter, r *http.Request, n int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(),
			Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		n := len(s.reqs)
		s.mu.Unlock()
		h(w, r, n)
	})
}

func (s *stub) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

func (s *stub) count() int { return len(s.requests()) }

func (s *stub) last(t *testing.T) seen {
	t.Helper()
	r := s.requests()
	require.NotEmpty(t, r, "no request reached the stub")
	return r[len(r)-1]
}

// sleeps records the backoff delays a client asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newTestClient builds a client for url with the test key, no real
// sleeping, and the jitter pinned to its maximum so delays are exact.
func newTestClient(t *testing.T, url string, mods ...func(*Config)) (*Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	cfg := Config{BaseURL: url, Credential: testKey, Sleep: sl.sleep}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	c.jitter = func(max time.Duration) time.Duration { return max }
	return c, sl
}

// writeData answers with a success envelope.
func writeData(w http.ResponseWriter, status int, data any) {
	writeJSON(w, status, "application/json; charset=utf-8", map[string]any{
		"success": true, "data": data, "message": nil, "timestamp": "2026-03-01T00:00:00Z",
	})
}

// writeFailure answers with an envelope whose success is false.
func writeFailure(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, "application/json; charset=utf-8", map[string]any{
		"success": false, "data": nil, "message": message, "timestamp": "2026-03-01T00:00:00Z",
	})
}

// writeProblem answers with a problem document.
func writeProblem(w http.ResponseWriter, status int, title, detail string) {
	writeJSON(w, status, "application/problem+json; charset=utf-8", map[string]any{"title": title, "status": status, "detail": detail})
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// gen1Capabilities is the capabilities data of a Generation 1 enterprise
// server, as the contract shows it.
func gen1Capabilities() map[string]any {
	return map[string]any{
		"metadataApiVersions":     []string{"v1"},
		"resourceKinds":           []string{"Service", "Layer", "Relationship", "Style", "Connection", "MapTemplate", "Theme"},
		"manifestSupported":       true,
		"manifestDryRunSupported": true,
		"manifestPruneSupported":  true,
		"compatibility": map[string]any{
			"serverVersion":   "2026.3.0",
			"releaseChannel":  "stable",
			"controlPlaneApi": map[string]any{"major": 1, "basePath": "/api/v1/admin", "deprecated": false},
			"metadataSchemas": []any{map[string]any{"version": "honua.io/v1alpha1", "deprecated": false}},
			"features": map[string]any{
				"metadataResources": true, "manifestExport": true, "manifestApply": true,
				"manifestDryRun": true, "manifestPrune": true, "manifestApproval": true,
			},
		},
	}
}

// storedLayer is a resource as a Generation 1 server returns it.
func storedLayer(name string) map[string]any {
	return map[string]any{
		"apiVersion": "honua.io/v1alpha1",
		"kind":       "Layer",
		"metadata": map[string]any{
			"id": "6f1c", "name": name, "namespace": "default",
			"labels":          map[string]any{"env": "dev"},
			"annotations":     map[string]any{"gitops.honua.io/managed-by": "honua-gitops", "honua.io/last-applied-manifest-hash": "abc", "team": "gis"},
			"resourceVersion": "7", "generation": 2, "createdAt": "2026-03-01T00:00:00Z", "updatedAt": "2026-03-01T00:00:00Z",
		},
		"spec":   map[string]any{"tableName": name, "schemaName": "public", "geometryType": "LineString", "srid": 4326.0},
		"status": map[string]any{"phase": "Ready", "observedGeneration": 2},
	}
}

// bg is the context of calls in table tests.
func bg() context.Context { return context.Background() }
