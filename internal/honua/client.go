// Package honua is the client of Honua's Generation 1 control plane: the
// declarative /api/v1/admin surface of 2026.3-era servers, described in
// shared/reference/honua-control-plane.md (§1 and Appendices A and B).
//
// It detects the server's generation (Capabilities), exports and applies
// manifests (Enterprise), reads and writes single resources with ETag /
// If-Match (every edition), and reads drift, versions and health. A
// Generation 2 ("Metadata v2") server is recognised but not driven here.
//
// Calls unwrap Honua's {success, data, message, timestamp} envelope and
// return typed errors: *APIError for HTTP errors (with helpers IsNotFound,
// IsConflict, IsPreconditionFailed, IsUnauthorized, IsFeatureUnavailable,
// IsRetryable), *TransportError when the server cannot be reached,
// *ProtocolError for answers the client cannot use, *IncompatibleError and
// *PendingApprovalError. Idempotent calls (GET, PUT, DELETE — writes carry
// If-Match) are retried with capped, jittered backoff on 429, 502, 503, 504
// and transient transport failures; POST never is.
//
// The credential is never logged and never appears in an error: errors name
// the method and path (or a URL without credentials), and any echo of the
// credential in a server's answer is masked.
package honua

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// adminPath is the Generation 1 control plane's base path.
const adminPath = "/api/v1/admin"

// Client calls one Honua server. It is safe for concurrent use.
type Client struct {
	// base is scheme://host[/prefix] without a trailing slash; it never
	// carries credentials.
	base string
	// prefix is the escaped path of base ("" or e.g. "/honua").
	prefix string
	http   *http.Client
	// cred holds the credential behind a pointer, so that printing a
	// Client with %v shows an address, never the value.
	cred    *credential
	timeout time.Duration
	retry   RetryPolicy
	ua      string
	log     *slog.Logger
	sleep   func(context.Context, time.Duration) error
	// jitter returns a random duration in [0, max]; a test seam.
	jitter func(max time.Duration) time.Duration
	// now is the clock Retry-After dates are read against.
	now func() time.Time
}

// credential is the secret and how it is sent.
type credential struct {
	value string
	auth  AuthType
}

// New builds a client. It validates BaseURL (http or https, no user info)
// and loads CAFile (the error names the file); it makes no request.
func New(cfg Config) (*Client, error) {
	cfg, base, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	hc, err := buildHTTPClient(cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:    base.String(),
		prefix:  base.EscapedPath(),
		http:    hc,
		cred:    &credential{value: cfg.Credential, auth: cfg.Auth},
		timeout: cfg.Timeout,
		retry:   cfg.Retry,
		ua:      cfg.UserAgent,
		log:     cfg.Logger,
		sleep:   cfg.Sleep,
		jitter:  fullJitter,
		now:     time.Now,
	}
	return c, nil
}

// BaseURL returns the server root the client calls (without credentials).
func (c *Client) BaseURL() string { return c.base }

// fullJitter draws uniformly from [0, max].
func fullJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max) + 1))
}

// scrub masks the credential in text that came from elsewhere (a server's
// answer, an error from the network stack) before it reaches an error or a
// log line. Credentials shorter than 4 bytes are not searched for: they
// would mangle ordinary words, and no real Honua key is that short.
func (c *Client) scrub(s string) string {
	if c.cred == nil || len(c.cred.value) < 4 {
		return s
	}
	return strings.ReplaceAll(s, c.cred.value, "***")
}

// adminEndpoint joins admin-API path segments, escaping each, under
// /api/v1/admin.
func adminEndpoint(segments ...string) string {
	var b strings.Builder
	b.WriteString(adminPath)
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
