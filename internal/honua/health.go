package honua

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// DefaultReadyInterval is WaitReady's polling interval when none is given.
const DefaultReadyInterval = time.Second

// Live checks GET /healthz/live (outside /api/v1/admin). Health routes
// carry no credential, are tried once, and accept any body: they are
// ASP.NET health checks, not admin API envelopes.
func (c *Client) Live(ctx context.Context) error {
	return c.health(ctx, "/healthz/live")
}

// Ready checks GET /healthz/ready.
func (c *Client) Ready(ctx context.Context) error {
	return c.health(ctx, "/healthz/ready")
}

func (c *Client) health(ctx context.Context, path string) error {
	_, err := c.do(ctx, request{method: http.MethodGet, path: path, public: true})
	return err
}

// WaitReady polls Ready every interval (DefaultReadyInterval when ≤ 0)
// until it succeeds, timeout passes (no limit but ctx when ≤ 0) or ctx
// ends. On timeout the error wraps the last failure.
func (c *Client) WaitReady(ctx context.Context, timeout, interval time.Duration) error {
	if interval <= 0 {
		interval = DefaultReadyInterval
	}
	wctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	start := time.Now()
	var last error
	for attempt := 1; ; attempt++ {
		err := c.Ready(wctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("honua: wait for %s to be ready: %w", c.base, ctx.Err())
		}
		// A check cut short by the deadline says less than the one before.
		if wctx.Err() == nil || last == nil {
			last = err
		}
		c.log.DebugContext(ctx, "honua not ready", "attempt", attempt, "error", err.Error())
		if wctx.Err() != nil || c.sleep(wctx, interval) != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("honua: wait for %s to be ready: %w", c.base, ctx.Err())
			}
			return &NotReadyError{URL: c.base, Waited: time.Since(start).Round(time.Millisecond), Attempts: attempt, Last: last}
		}
	}
}

// NotReadyError is a server that did not become ready in time.
type NotReadyError struct {
	URL      string
	Waited   time.Duration
	Attempts int
	// Last is the last readiness failure.
	Last error
}

// Error reads like "honua: http://host not ready after 30s (12 checks):
// honua: GET /healthz/ready: 503 Service Unavailable …".
func (e *NotReadyError) Error() string {
	return fmt.Sprintf("honua: %s not ready after %s (%d checks); last check: %v", e.URL, e.Waited, e.Attempts, e.Last)
}

// Unwrap returns the last failure, so IsRetryable and friends see it.
func (e *NotReadyError) Unwrap() error { return e.Last }

// IsNotReady reports a WaitReady timeout.
func IsNotReady(err error) bool {
	var ne *NotReadyError
	return errors.As(err, &ne)
}
