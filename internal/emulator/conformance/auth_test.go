package conformance

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §1.1, Appendix B.7: X-API-Key compared with the admin key, or a Bearer
// token; 401 is problem+json {title,status,detail} without type, with
// WWW-Authenticate: ApiKey realm="Honua Admin", header="X-API-Key".
func TestAuth(t *testing.T) {
	t.Parallel()
	s := start(t)
	tests := []struct {
		name    string
		headers []hdr
		want    int
	}{
		{"no credentials", []hdr{noAuth}, http.StatusUnauthorized},
		{"wrong X-API-Key", []hdr{{"X-API-Key", "nope"}}, http.StatusUnauthorized},
		{"key with a suffix", []hdr{{"X-API-Key", apiKey + "x"}}, http.StatusUnauthorized},
		{"right X-API-Key", nil, http.StatusOK},
		{"right Bearer", []hdr{noAuth, {"Authorization", "Bearer " + apiKey}}, http.StatusOK},
		{"bearer scheme in lower case", []hdr{noAuth, {"Authorization", "bearer " + apiKey}}, http.StatusOK},
		{"wrong Bearer", []hdr{noAuth, {"Authorization", "Bearer nope"}}, http.StatusUnauthorized},
		{"Basic is not accepted", []hdr{noAuth, {"Authorization", "Basic YWRtaW46eA=="}}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(http.MethodGet, admin+"/version", nil, tt.headers...)
			require.Equal(t, tt.want, r.status)
			if tt.want != http.StatusUnauthorized {
				return
			}
			p := r.problem(t, http.StatusUnauthorized)
			assert.ElementsMatch(t, []string{"title", "status", "detail"}, keys(p), "no type in the 401 body")
			assert.Equal(t, `ApiKey realm="Honua Admin", header="X-API-Key"`, r.header.Get("WWW-Authenticate"))
		})
	}
}

// Appendix B.7: 404 and 405 are answered before authentication, with empty
// bodies.
func TestRoutingBeforeAuth(t *testing.T) {
	t.Parallel()
	s := start(t)
	tests := []struct {
		name, method, path string
		want               int
		allow              string
	}{
		{"unknown path", http.MethodGet, admin + "/nope", http.StatusNotFound, ""},
		{"unknown root", http.MethodGet, "/", http.StatusNotFound, ""},
		{"gen2 route", http.MethodGet, admin + "/metadata/layers/1/style", http.StatusNotFound, ""},
		{"wrong method", http.MethodDelete, admin + "/version", http.StatusMethodNotAllowed, "GET"},
		{"PATCH a resource", http.MethodPatch, resAPI + "/Layer/default/x", http.StatusMethodNotAllowed, "GET, PUT, DELETE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, auth := range [][]hdr{{noAuth}, nil} {
				r := s.do(tt.method, tt.path, nil, auth...)
				r.empty(t, tt.want)
				assert.Equal(t, tt.allow, r.header.Get("Allow"))
			}
		})
	}
	// A matched route that finds nothing is a 404 after authentication.
	s.do(http.MethodGet, resAPI+"/Layer/default/x", nil, noAuth).problem(t, http.StatusUnauthorized)
	s.do(http.MethodGet, resAPI+"/Layer/default/x", nil).empty(t, http.StatusNotFound)
}

// §1.1, Appendix A.7: Idempotency-Key is accepted and ignored.
func TestIdempotencyKeyIgnored(t *testing.T) {
	t.Parallel()
	s := start(t)
	key := hdr{"Idempotency-Key", "5f1e0d7c2b9a4c3d8e7f6a5b4c3d2e1f"}
	s.do(http.MethodPost, resAPI, layer("a"), key).data(t, http.StatusCreated)
	s.do(http.MethodPost, resAPI, layer("a"), key).failure(t, http.StatusConflict)
}
