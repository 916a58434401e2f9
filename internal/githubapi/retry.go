package githubapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryTransport retries idempotent requests after 5xx answers, rate limits
// and network errors. It sits below go-github, so go-github only sees the
// final answer.
type retryTransport struct {
	base    http.RoundTripper
	retries int
	backoff time.Duration
	maxWait time.Duration
	logf    func(format string, args ...any)
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPatch, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.retries == 0 || !idempotent(req.Method) {
		return t.base.RoundTrip(req)
	}
	// A body is replayed through GetBody, which http.NewRequest sets for
	// the in-memory bodies go-github sends.
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(req.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		resp, err := t.base.RoundTrip(r)
		if attempt >= t.retries || !replayable {
			return resp, err
		}
		wait, why, ok := t.retryAfter(req.Context(), resp, err, attempt)
		if !ok {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
		}
		if t.logf != nil {
			t.logf("github: %s %s: %s; retrying in %s (retry %d of %d)", req.Method, req.URL.Path, why, wait, attempt+1, t.retries)
		}
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// retryAfter decides whether an answer is worth retrying and how long to
// wait first.
func (t *retryTransport) retryAfter(ctx context.Context, resp *http.Response, err error, attempt int) (time.Duration, string, bool) {
	backoff := t.backoff << attempt
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return 0, "", false
		}
		return min(backoff, t.maxWait), "network error", true
	}
	code := resp.StatusCode
	switch {
	case code >= 500 && code != http.StatusNotImplemented:
		if wait, ok := headerWait(resp.Header); ok {
			return wait, resp.Status, wait <= t.maxWait
		}
		return min(backoff, t.maxWait), resp.Status, true
	case code == http.StatusTooManyRequests || (code == http.StatusForbidden && rateLimited(resp)):
		if wait, ok := headerWait(resp.Header); ok {
			return wait, "rate limited", wait <= t.maxWait
		}
		return t.maxWait, "rate limited", true
	}
	return 0, "", false
}

// rateLimited tells a 403 rate limit from a 403 permission error, keeping
// the body readable for the caller.
func rateLimited(resp *http.Response) bool {
	if resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-RateLimit-Remaining") == "0" {
		return true
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return bytes.Contains(bytes.ToLower(body), []byte("rate limit"))
}

// headerWait reads Retry-After (seconds or an HTTP date), or the reset time
// of an exhausted primary rate limit.
func headerWait(h http.Header) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.Atoi(v); err == nil {
			return time.Duration(max(secs, 0)) * time.Second, true
		}
		if at, err := http.ParseTime(v); err == nil {
			return max(time.Until(at), 0), true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Until(time.Unix(reset, 0)), 0) + time.Second, true
		}
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
