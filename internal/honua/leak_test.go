package honua

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leakyKey is distinctive so that any echo of it is found.
const leakyKey = "hk_LEAK-CANARY-9f8e7d6c5b4a"

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestCredentialNeverLeaks triggers every kind of error — 401, 4xx and 5xx
// answers that echo the key back, retried 503s, a redirect pointing at the
// key, a malformed 2xx, a refused connection, a dropped connection and a
// timeout — with both auth types, and scans every error rendering and the
// debug log for the key.
func TestCredentialNeverLeaks(t *testing.T) {
	t.Parallel()
	echo := func(status int) func(w http.ResponseWriter, r *http.Request, _ int) {
		return func(w http.ResponseWriter, r *http.Request, _ int) {
			got := r.Header.Get("X-API-Key") + r.Header.Get("Authorization")
			w.Header().Set("WWW-Authenticate", `ApiKey realm="Honua Admin", header="X-API-Key"`)
			w.Header().Set("Retry-After", "1")
			writeJSON(w, status, "application/problem+json", map[string]any{
				"title": "key " + got, "detail": "The API key " + got + " is invalid.", "message": got, "error": map[string]any{"message": got},
			})
		}
	}
	scenarios := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request, n int)
		url     string // instead of a stub
		call    call
		timeout time.Duration
	}{
		{name: "401 echoing the key", handler: echo(401), call: callCapabilities},
		{name: "403 echoing the key", handler: echo(403), call: callApply},
		{name: "409 envelope echoing the key", call: callCreateLayer, handler: func(w http.ResponseWriter, r *http.Request, _ int) {
			writeFailure(w, 409, "exists for "+r.Header.Get("X-API-Key")+r.Header.Get("Authorization"))
		}},
		{name: "500 echoing the key", handler: echo(500), call: callPutLayer},
		{name: "503 retried, echoing the key", handler: echo(503), call: callGetLayer},
		{name: "success false echoing the key", call: callList, handler: func(w http.ResponseWriter, r *http.Request, _ int) {
			writeFailure(w, 200, "bad "+r.Header.Get("X-API-Key")+r.Header.Get("Authorization"))
		}},
		{name: "plain-text 502 echoing the key", call: callDrift, handler: func(w http.ResponseWriter, r *http.Request, _ int) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(502)
			_, _ = w.Write([]byte("proxy saw " + r.Header.Get("X-API-Key") + r.Header.Get("Authorization")))
		}},
		{name: "redirect to the key", call: callCapabilities, handler: func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.Header().Set("Location", "https://"+leakyKey+":"+leakyKey+"@evil.example.com/"+url.PathEscape(leakyKey)+"?k="+leakyKey)
			w.WriteHeader(http.StatusTemporaryRedirect)
		}},
		{name: "dropped connection", handler: hangUp, call: callVersions},
		{name: "timeout", call: callExport, timeout: 20 * time.Millisecond, handler: func(_ http.ResponseWriter, r *http.Request, _ int) {
			<-r.Context().Done()
		}},
		{name: "connection refused", url: "refused", call: callCapabilities},
	}
	for _, auth := range []AuthType{AuthAPIKey, AuthBearer} {
		for _, sc := range scenarios {
			t.Run(string(auth)+" "+sc.name, func(t *testing.T) {
				t.Parallel()
				target := sc.url
				var s *stub
				switch target {
				case "":
					s = newStub(t, sc.handler)
					target = s.URL
				case "refused":
					target = closedURL(t)
				}
				logs := &syncBuffer{}
				c, _ := newTestClient(t, target, func(c *Config) {
					c.Credential = leakyKey
					c.Auth = auth
					c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
					if sc.timeout > 0 {
						c.Timeout = sc.timeout
					}
				})
				err := sc.call(c)
				require.Error(t, err)
				if s != nil && sc.name != "dropped connection" {
					h := s.last(t).Header
					require.Contains(t, h.Get("X-API-Key")+h.Get("Authorization"), leakyKey, "the server did receive the key")
				}
				renderings := []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), logs.String()}
				for _, r := range renderings {
					assert.NotContains(t, r, leakyKey)
					assert.NotContains(t, r, url.PathEscape(leakyKey))
				}
				assert.NotEmpty(t, logs.String(), "debug logs were written")
				assert.True(t, strings.HasPrefix(err.Error(), "honua: "), err.Error())
			})
		}
	}
}
