package honua

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if strings.HasSuffix(r.URL.Path, "/healthz/live") {
			_, _ = w.Write([]byte("Healthy")) // not an envelope, not even JSON
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"Unhealthy"}`))
	})
	c, sl := newTestClient(t, s.URL+"/prefix")
	require.NoError(t, c.Live(t.Context()))
	assert.Equal(t, "/prefix/healthz/live", s.last(t).Path, "health lives at the server root, not under /api/v1/admin")

	err := c.Ready(t.Context())
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 503, ae.Status)
	assert.Equal(t, 2, s.count(), "health checks are tried once")
	assert.Empty(t, sl.all())
}

func TestWaitReady(t *testing.T) {
	t.Parallel()
	t.Run("becomes ready", func(t *testing.T) {
		t.Parallel()
		s := newStub(t, func(w http.ResponseWriter, _ *http.Request, n int) {
			if n < 3 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		c, sl := newTestClient(t, s.URL)
		require.NoError(t, c.WaitReady(t.Context(), time.Minute, 250*time.Millisecond))
		assert.Equal(t, 3, s.count())
		assert.Equal(t, []time.Duration{250 * time.Millisecond, 250 * time.Millisecond}, sl.all())
	})
	t.Run("times out", func(t *testing.T) {
		t.Parallel()
		s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusServiceUnavailable) })
		c, err := New(Config{BaseURL: s.URL}) // real sleeping
		require.NoError(t, err)
		err = c.WaitReady(t.Context(), 150*time.Millisecond, 20*time.Millisecond)
		require.True(t, IsNotReady(err))
		var ae *APIError
		require.ErrorAs(t, err, &ae, "the last failure is wrapped")
		assert.Equal(t, 503, ae.Status)
		assert.True(t, IsRetryable(err))
		assert.Contains(t, err.Error(), "honua: "+s.URL+" not ready after ")
		assert.Contains(t, err.Error(), "last check: honua: GET /healthz/ready: 503 Service Unavailable")
	})
	t.Run("caller cancels", func(t *testing.T) {
		t.Parallel()
		s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusServiceUnavailable) })
		ctx, cancel := context.WithCancel(t.Context())
		c, err := New(Config{BaseURL: s.URL, Sleep: func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }})
		require.NoError(t, err)
		err = c.WaitReady(ctx, 0, 0)
		require.ErrorIs(t, err, context.Canceled)
		assert.False(t, IsNotReady(err))
	})
}
