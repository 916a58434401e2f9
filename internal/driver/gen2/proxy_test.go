package gen2_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/driver"
)

// proxy sits between the driver and the emulator: it counts every request
// (the emulator keeps no request log) and can drop the connection of one
// write, before the emulator sees it or after it answered in full.
type proxy struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []string
	writes   int
	// dropNth drops the connection of the Nth write (non-GET) counted
	// from arm; 0 never drops.
	dropNth, armedAt int
	dropAfter        bool
	// before runs once, just before the next write is forwarded.
	before func()
}

func newProxy(t testing.TB, upstream string) *proxy {
	t.Helper()
	u, err := url.Parse(upstream)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &proxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.requests = append(p.requests, r.Method+" "+r.URL.Path)
		drop, after := false, false
		var before func()
		if r.Method != http.MethodGet {
			before, p.before = p.before, nil
			p.writes++
			if p.dropNth > 0 && p.writes-p.armedAt == p.dropNth {
				drop, after = true, p.dropAfter
				p.dropNth = 0
			}
		}
		p.mu.Unlock()
		if before != nil {
			before()
		}
		if !drop {
			rp.ServeHTTP(w, r)
			return
		}
		if after {
			rp.ServeHTTP(httptest.NewRecorder(), r)
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		_ = conn.Close()
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// arm drops the connection of the next write, before or after the
// emulator handles it.
func (p *proxy) arm(after bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropNth, p.armedAt, p.dropAfter = 1, p.writes, after
}

// beforeNextWrite runs f once, just before the next write is forwarded
// (a concurrent writer racing the driver).
func (p *proxy) beforeNextWrite(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.before = f
}

// counts returns how many requests and writes (non-GET) passed.
func (p *proxy) counts() (requests, writes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.requests), p.writes
}

// writesSince lists the writes (method and path) after the first n
// requests.
func (p *proxy) writesSince(n int) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, r := range p.requests[n:] {
		if len(r) < 4 || r[:4] != "GET " {
			out = append(out, r)
		}
	}
	return out
}

func (p *proxy) driver(t testing.TB) apply.Driver {
	t.Helper()
	c, err := driver.Open(context.Background(), driver.Target{Name: "gen2", URL: p.srv.URL, Credential: key}, nil)
	require.NoError(t, err)
	return c.Driver
}
