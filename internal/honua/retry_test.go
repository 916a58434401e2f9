package honua

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/resource"
)

var (
	callDeleteLayer call = func(c *Client) error {
		return c.DeleteResource(bg(), resource.Identity{Kind: "Layer", Namespace: "default", Name: "roads"}, `"e"`)
	}
	callExport call = func(c *Client) error { _, err := c.ExportManifest(bg(), ""); return err }
)

func TestIdempotentCallsAreRetried(t *testing.T) {
	t.Parallel()
	calls := map[string]call{"GET": callGetLayer, "PUT": callPutLayer, "DELETE": callDeleteLayer, "GET export": callExport}
	for name, cl := range calls {
		for _, status := range []int{429, 502, 503, 504} {
			t.Run(name+" "+strconv.Itoa(status), func(t *testing.T) {
				t.Parallel()
				s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(status) })
				c, sl := newTestClient(t, s.URL)
				err := cl(c)
				var ae *APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, status, ae.Status)
				assert.Equal(t, 4, s.count(), "MaxAttempts defaults to 4")
				assert.Equal(t, 4, ae.Attempts)
				assert.Contains(t, err.Error(), "[after 4 attempts]")
				assert.Equal(t, []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}, sl.all(),
					"exponential backoff from BaseDelay (jitter pinned to its maximum)")
			})
		}
	}
}

func TestNonRetryableStatusesAreNotRetried(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 409, 412, 428, 500, 501} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(status) })
			c, sl := newTestClient(t, s.URL)
			require.Error(t, callPutLayer(c))
			assert.Equal(t, 1, s.count())
			assert.Empty(t, sl.all())
		})
	}
}

func TestRetrySucceedsAfterTransientFailures(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeData(w, http.StatusOK, gen1Capabilities())
	})
	c, sl := newTestClient(t, s.URL)
	caps, err := c.Capabilities(t.Context())
	require.NoError(t, err)
	assert.Equal(t, Generation1, caps.Generation)
	assert.Equal(t, 3, s.count())
	assert.Len(t, sl.all(), 2)
}

func TestPostIsNeverRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		call call
	}{{"create", callCreateLayer}, {"apply", callApply}} {
		for _, status := range []int{429, 502, 503, 504} {
			t.Run(tc.name+" "+strconv.Itoa(status), func(t *testing.T) {
				t.Parallel()
				s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(status)
				})
				c, sl := newTestClient(t, s.URL)
				err := tc.call(c)
				require.Error(t, err)
				assert.Equal(t, 1, s.count())
				assert.Empty(t, sl.all())
				assert.True(t, IsRetryable(err), "the caller may decide to retry")
			})
		}
		t.Run(tc.name+" dropped connection", func(t *testing.T) {
			t.Parallel()
			s := newStub(t, hangUp)
			c, sl := newTestClient(t, s.URL)
			err := tc.call(c)
			var te *TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, 1, s.count())
			assert.Empty(t, sl.all())
		})
	}
}

// hangUp closes the connection without answering.
func hangUp(w http.ResponseWriter, _ *http.Request, _ int) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	fixed := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		status     int
		retryAfter string
		want       time.Duration
	}{
		{"429 seconds", 429, "3", 3 * time.Second},
		{"503 seconds", 503, "2", 2 * time.Second},
		{"503 HTTP date", 503, fixed.Add(9 * time.Second).Format(http.TimeFormat), 9 * time.Second},
		{"date in the past", 429, fixed.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"capped at 4 x MaxDelay", 429, "3600", 20 * time.Second},
		{"garbage falls back to backoff", 429, "soon", 200 * time.Millisecond},
		{"ignored on 502", 502, "3", 200 * time.Millisecond},
		{"ignored on 504", 504, "3", 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStub(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(tt.status)
					return
				}
				writeData(w, http.StatusOK, gen1Capabilities())
			})
			c, sl := newTestClient(t, s.URL)
			c.now = func() time.Time { return fixed }
			_, err := c.Capabilities(t.Context())
			require.NoError(t, err)
			assert.Equal(t, []time.Duration{tt.want}, sl.all())
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	base, maxDelay := 200*time.Millisecond, 5*time.Second
	for n, want := range map[int]time.Duration{
		1: 200 * time.Millisecond, 2: 400 * time.Millisecond, 3: 800 * time.Millisecond, 4: 1600 * time.Millisecond,
		5: 3200 * time.Millisecond, 6: 5 * time.Second, 60: 5 * time.Second, 1000: 5 * time.Second,
	} {
		assert.Equal(t, want, expDelay(base, maxDelay, n), "retry %d", n)
	}
	for range 1000 {
		d := fullJitter(time.Second)
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.LessOrEqual(t, d, time.Second)
	}
	assert.Zero(t, fullJitter(0))

	c, err := New(Config{BaseURL: "http://h"})
	require.NoError(t, err)
	for n := 1; n < 10; n++ {
		d := c.backoff(n)
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.LessOrEqual(t, d, expDelay(DefaultBaseDelay, DefaultMaxDelay, n))
	}
}

func TestTransportFailuresAreRetriedForIdempotentCalls(t *testing.T) {
	t.Parallel()
	t.Run("connection closed without an answer", func(t *testing.T) {
		t.Parallel()
		s := newStub(t, hangUp)
		c, sl := newTestClient(t, s.URL)
		err := callGetLayer(c)
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, 4, s.count())
		assert.Equal(t, 4, te.Attempts)
		assert.Len(t, sl.all(), 3)
		assert.True(t, IsRetryable(err))
		assert.Contains(t, err.Error(), "honua: GET "+s.URL+"/api/v1/admin/metadata/resources/Layer/default/roads: server unreachable: ")
	})
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		url := closedURL(t)
		c, sl := newTestClient(t, url)
		_, err := c.Capabilities(t.Context())
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.Len(t, sl.all(), 3)
		assert.Regexp(t, `^honua: GET `+url+`/api/v1/admin/capabilities: server unreachable: dial tcp 127\.0\.0\.1:\d+: connect: connection refused \(check the URL and that the server is running\) \[after 4 attempts\]$`, err.Error())
	})
	t.Run("attempt timeout", func(t *testing.T) {
		t.Parallel()
		s := newStub(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n < 3 {
				<-r.Context().Done() // never answers in time
				return
			}
			writeData(w, http.StatusOK, gen1Capabilities())
		})
		c, sl := newTestClient(t, s.URL, func(c *Config) { c.Timeout = 50 * time.Millisecond })
		_, err := c.Capabilities(t.Context())
		require.NoError(t, err, "each attempt has its own timeout")
		assert.Equal(t, 3, s.count())
		assert.Len(t, sl.all(), 2)
	})
	t.Run("attempt timeout exhausted", func(t *testing.T) {
		t.Parallel()
		s := newStub(t, func(_ http.ResponseWriter, r *http.Request, _ int) { <-r.Context().Done() })
		c, _ := newTestClient(t, s.URL, func(c *Config) { c.Timeout = 20 * time.Millisecond; c.Retry.MaxAttempts = 2 })
		err := callDeleteLayer(c)
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.Timeout)
		assert.True(t, IsRetryable(err))
		assert.Equal(t, "honua: DELETE "+s.URL+"/api/v1/admin/metadata/resources/Layer/default/roads: server unreachable: no answer within 20ms "+
			"(check the URL and that the server is running, or raise the timeout for a slow server) [after 2 attempts]", err.Error())
	})
	t.Run("MaxAttempts 1 disables retries", func(t *testing.T) {
		t.Parallel()
		s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(503) })
		c, sl := newTestClient(t, s.URL, func(c *Config) { c.Retry.MaxAttempts = 1 })
		require.Error(t, callGetLayer(c))
		assert.Equal(t, 1, s.count())
		assert.Empty(t, sl.all())
	})
}

// closedURL returns the URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	return url
}

func TestContextCancellationStopsRetries(t *testing.T) {
	t.Parallel()
	t.Run("during backoff", func(t *testing.T) {
		t.Parallel()
		s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(503) })
		ctx, cancel := context.WithCancel(t.Context())
		c, err := New(Config{BaseURL: s.URL, Credential: testKey, Sleep: func(ctx context.Context, _ time.Duration) error {
			cancel()
			return ctx.Err()
		}})
		require.NoError(t, err)
		_, err = c.GetResource(ctx, resource.Identity{Kind: "Layer", Namespace: "default", Name: "roads"})
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, "honua: GET /api/v1/admin/metadata/resources/Layer/default/roads: context canceled", err.Error())
		assert.Equal(t, 1, s.count())
		assert.False(t, IsRetryable(err))
	})
	t.Run("during a request", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		s := newStub(t, func(_ http.ResponseWriter, r *http.Request, _ int) {
			cancel()
			<-r.Context().Done()
		})
		c, sl := newTestClient(t, s.URL)
		_, err := c.ListResources(ctx, "", "")
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, s.count())
		assert.Empty(t, sl.all())
	})
	t.Run("default sleep honours the context", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		start := time.Now()
		require.ErrorIs(t, sleepContext(ctx, time.Hour), context.Canceled)
		assert.Less(t, time.Since(start), time.Second)
		require.NoError(t, sleepContext(t.Context(), time.Millisecond))
	})
	t.Run("already cancelled", func(t *testing.T) {
		t.Parallel()
		s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(200) })
		c, _ := newTestClient(t, s.URL)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := c.Version(ctx)
		require.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, s.count())
	})
}
