package honua

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Body size limits. A 10,000-resource export is tens of megabytes; error
// bodies are short problem documents.
const (
	maxAnswerBytes = 512 << 20
	maxErrorBytes  = 64 << 10
	maxDrainBytes  = 1 << 20
)

// request is one call: everything needed to send it again on a retry.
type request struct {
	method string
	// path is the escaped path from the server root, e.g.
	// /api/v1/admin/capabilities.
	path  string
	query url.Values
	// body is the JSON body, nil for none.
	body    []byte
	ifMatch string
	// public requests (health) carry no credential and are tried once.
	public bool
	// resource marks a single resource's route, where 404 means "not
	// found" rather than "wrong URL".
	resource bool
	// once sends the request a single time even when its method is
	// idempotent: a Generation 2 facet write is re-decided by the driver
	// after reading the facet back, never repeated blindly.
	once bool
	// accept and contentType replace the JSON defaults (OGC styles).
	accept, contentType string
}

// endpoint is the request path as errors show it: escaped, with the base
// URL's path prefix, without host or query.
func (c *Client) endpoint(r request) string { return c.prefix + r.path }

// target is the URL as transport errors show it: no credentials, no query.
func (c *Client) target(r request) string { return c.base + r.path }

// answer is a complete HTTP answer.
type answer struct {
	status   int
	header   http.Header
	body     []byte
	attempts int
}

// do sends req, retrying when allowed, and returns a 2xx answer; any other
// status becomes an *APIError.
func (c *Client) do(ctx context.Context, req request) (*answer, error) {
	ans, err := c.roundTrip(ctx, req)
	if err != nil {
		return nil, err
	}
	if ans.status < 200 || ans.status > 299 {
		return nil, c.apiError(req, ans)
	}
	return ans, nil
}

// roundTrip sends req until it gets an answer worth returning: any status
// that is not retryable, or the last attempt's. It returns an error only
// when no answer came (transport failure, context ended).
func (c *Client) roundTrip(ctx context.Context, req request) (*answer, error) {
	maxAttempts := c.retry.MaxAttempts
	if req.public || req.once || !idempotent(req.method) {
		maxAttempts = 1
	}
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, c.contextError(req, err)
		}
		ans, err := c.attempt(ctx, req, n)
		var (
			delay time.Duration
			pe    *ProtocolError
		)
		switch {
		case errors.As(err, &pe):
			return nil, pe
		case err != nil && ctx.Err() != nil:
			return nil, c.contextError(req, ctx.Err())
		case err != nil:
			te := c.transportError(req, err)
			te.Attempts = n
			if n >= maxAttempts || !IsRetryable(te) {
				return nil, te
			}
			delay = c.backoff(n)
			c.log.DebugContext(ctx, "honua retry", "method", req.method, "path", c.endpoint(req),
				"attempt", n, "error", te.cause, "delay", delay)
		default:
			ans.attempts = n
			if n >= maxAttempts || !retryableStatus(ans.status) {
				return ans, nil
			}
			delay = c.retryDelay(n, ans)
			c.log.DebugContext(ctx, "honua retry", "method", req.method, "path", c.endpoint(req),
				"attempt", n, "status", ans.status, "delay", delay)
		}
		if err := c.sleep(ctx, delay); err != nil {
			return nil, c.contextError(req, err)
		}
	}
}

// attempt sends req once (attempt n), under its own timeout, and reads the whole
// answer (bounded) before returning, so the body is always drained and
// closed.
func (c *Client) attempt(ctx context.Context, req request, n int) (*answer, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	hr, err := c.newHTTPRequest(actx, req)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := c.http.Do(hr)
	if err != nil {
		c.log.DebugContext(ctx, "honua request", "method", req.method, "path", c.endpoint(req), "attempt", n,
			"error", c.scrub(causeOf(err)), "duration", time.Since(start).Round(time.Millisecond))
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	limit := int64(maxAnswerBytes)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		limit = maxErrorBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	if int64(len(body)) > limit {
		if limit == maxAnswerBytes {
			return nil, &ProtocolError{Method: req.method, Endpoint: c.endpoint(req), Status: resp.StatusCode,
				Reason: fmt.Sprintf("the answer is larger than %d MiB", maxAnswerBytes>>20)}
		}
		body = body[:limit]
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBytes))
	}
	c.log.DebugContext(ctx, "honua request", "method", req.method, "path", c.endpoint(req), "attempt", n,
		"status", resp.StatusCode, "duration", time.Since(start).Round(time.Millisecond))
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// newHTTPRequest builds the HTTP request: JSON in and out, the user agent,
// If-Match, and the credential unless the route is public.
func (c *Client) newHTTPRequest(ctx context.Context, req request) (*http.Request, error) {
	u := c.base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u, body)
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Accept", cmp.Or(req.accept, "application/json"))
	hr.Header.Set("User-Agent", c.ua)
	if req.body != nil {
		hr.Header.Set("Content-Type", cmp.Or(req.contentType, "application/json"))
	}
	if req.ifMatch != "" {
		hr.Header.Set("If-Match", req.ifMatch)
	}
	if !req.public && c.cred.value != "" {
		switch c.cred.auth {
		case AuthBearer:
			hr.Header.Set("Authorization", "Bearer "+c.cred.value)
		default:
			// Honua's documented spelling; header names are
			// case-insensitive, so this is only cosmetic.
			hr.Header["X-API-Key"] = []string{c.cred.value}
		}
	}
	return hr, nil
}

// transportError describes a call that got no answer.
func (c *Client) transportError(req request, err error) *TransportError {
	te := &TransportError{Method: req.method, URL: c.target(req), Err: err}
	var ue *url.Error
	if errors.As(err, &ue) {
		te.Err = ue.Err
	}
	if isTimeout(te.Err) {
		te.Timeout = true
		te.cause = fmt.Sprintf("no answer within %s", c.timeout)
		te.Hint = HintUnreachable + ", or raise the timeout for a slow server"
		return te
	}
	te.cause = c.scrub(te.Err.Error())
	te.Hint = transportHint(te.Err)
	return te
}

// contextError reports a call stopped by its caller's context.
func (c *Client) contextError(req request, err error) error {
	return fmt.Errorf("honua: %s %s: %w", req.method, c.endpoint(req), err)
}

// causeOf strips url.Error's "Get \"url\": " prefix.
func causeOf(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// idempotent reports methods the client may retry. PUT and DELETE carry
// If-Match, so a retry after a lost answer fails with 412 rather than
// writing twice.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}
