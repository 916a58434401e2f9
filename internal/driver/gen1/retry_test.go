package gen1_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/emulator"
)

// Issue 9 item 12: one retry layer. Reading live state through a server
// whose export always answers 503 makes at most the client's bounded
// attempts, not the client's attempts times the driver's.
func TestLiveReadIsRetriedByOneLayerOnly(t *testing.T) {
	run := startEmulator(t, emulator.Options{})
	upstream, err := url.Parse(run.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	var exports atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/manifest") {
			exports.Add(1)
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"error":"busy"}`, http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	d := open(t, srv.URL)
	_, err = d.Live(context.Background(), apply.Scope{})
	require.Error(t, err)
	assert.LessOrEqual(t, exports.Load(), int32(4), "the client's four attempts, no more")
	assert.GreaterOrEqual(t, exports.Load(), int32(2), "a 503 is retried")
}
