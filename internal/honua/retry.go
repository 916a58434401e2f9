package honua

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// retryableStatus reports statuses an idempotent call is retried on. Honua
// never uses them for business errors (Appendix A.6); 500 is not retried.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableTransport reports transport failures that may pass: a refused,
// reset or aborted connection, a connection closed without an answer, and
// timeouts of one attempt. DNS and TLS failures are not retried.
func retryableTransport(err error) bool {
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	return isTimeout(err)
}

// isTimeout reports an attempt that ran out of time.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// backoff is the delay before retry n (n = 1 after the first attempt):
// full jitter over BaseDelay·2^(n-1), capped at MaxDelay.
func (c *Client) backoff(n int) time.Duration {
	return c.jitter(expDelay(c.retry.BaseDelay, c.retry.MaxDelay, n))
}

// expDelay is base·2^(n-1) capped at max, without overflowing.
func expDelay(base, maxDelay time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n; i++ {
		if d >= maxDelay/2 {
			return maxDelay
		}
		d *= 2
	}
	return min(d, maxDelay)
}

// retryDelay is the delay before retrying after a retryable status: the
// server's Retry-After on 429 and 503 (capped at four times MaxDelay),
// otherwise the jittered backoff.
func (c *Client) retryDelay(n int, ans *answer) time.Duration {
	if ans.status == http.StatusTooManyRequests || ans.status == http.StatusServiceUnavailable {
		if d, ok := parseRetryAfter(ans.header.Get("Retry-After"), c.now()); ok {
			return min(d, 4*c.retry.MaxDelay)
		}
	}
	return c.backoff(n)
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date. A
// date in the past is a zero delay.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
