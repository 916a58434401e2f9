package honua

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		auth       AuthType
		wantKey    string
		wantBearer string
	}{
		{name: "default is api-key", auth: "", wantKey: testKey},
		{name: "api-key", auth: AuthAPIKey, wantKey: testKey},
		{name: "bearer", auth: AuthBearer, wantBearer: "Bearer " + testKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				if r.URL.Path == "/healthz/ready" {
					w.WriteHeader(http.StatusOK)
					return
				}
				writeData(w, http.StatusOK, gen1Capabilities())
			})
			c, _ := newTestClient(t, s.URL, func(c *Config) { c.Auth = tt.auth; c.UserAgent = "honua-gitops/test" })
			_, err := c.Capabilities(t.Context())
			require.NoError(t, err)
			h := s.last(t).Header
			assert.Equal(t, tt.wantKey, h.Get("X-API-Key"))
			assert.Equal(t, tt.wantBearer, h.Get("Authorization"))
			assert.Equal(t, "honua-gitops/test", h.Get("User-Agent"))
			assert.Equal(t, "application/json", h.Get("Accept"))
			assert.Empty(t, h.Get("Content-Type"), "no body, no content type")

			require.NoError(t, c.Ready(t.Context()))
			h = s.last(t).Header
			assert.Empty(t, h.Get("X-API-Key"), "health checks carry no credential")
			assert.Empty(t, h.Get("Authorization"))
		})
	}
}

func TestNoCredentialSendsNoAuthHeader(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeData(w, http.StatusOK, gen1Capabilities()) })
	c, _ := newTestClient(t, s.URL, func(c *Config) { c.Credential = "" })
	_, err := c.Capabilities(t.Context())
	require.NoError(t, err)
	_, hasKey := s.last(t).Header["X-Api-Key"]
	assert.False(t, hasKey)
	assert.Empty(t, s.last(t).Header.Get("Authorization"))
}
