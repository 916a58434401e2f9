package honua

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// AuthType says how the credential is sent.
type AuthType string

// Authentication schemes Honua's admin API accepts.
const (
	// AuthAPIKey sends the credential as the X-API-Key header (Honua's
	// HONUA_ADMIN_PASSWORD or a configured key).
	AuthAPIKey AuthType = "api-key"
	// AuthBearer sends it as "Authorization: Bearer <token>" (OIDC JWT).
	AuthBearer AuthType = "bearer"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 200 * time.Millisecond
	DefaultMaxDelay    = 5 * time.Second
	DefaultUserAgent   = "honua-gitops"
)

// RetryPolicy bounds the retries of idempotent calls (GET, PUT, DELETE).
// Zero fields take the defaults: 4 attempts, 200ms base delay, 5s cap.
// MaxAttempts 1 disables retries.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt too.
	MaxAttempts int
	// BaseDelay is the backoff before the first retry, doubled for each
	// further one (full jitter: a random delay in [0, BaseDelay·2^n]).
	BaseDelay time.Duration
	// MaxDelay caps the backoff; a server's Retry-After is capped at
	// four times MaxDelay.
	MaxDelay time.Duration
}

// Config configures a Client. Only BaseURL is required.
type Config struct {
	// BaseURL is the server root, e.g. http://127.0.0.1:8080 or
	// https://gis.example.com/honua; the client appends /api/v1/admin and
	// /healthz/... It must be http or https and carry no user info, query
	// or fragment.
	BaseURL string
	// Credential is the API key or bearer token. It is never logged and
	// never appears in an error.
	Credential string
	// Auth says how Credential is sent; the default is AuthAPIKey.
	Auth AuthType
	// CAFile is an optional PEM bundle added to the system roots. It
	// cannot be combined with HTTPClient.
	CAFile string
	// HTTPClient is used when set (its CheckRedirect, when nil, is set to
	// refuse redirects so the credential never follows one); when nil a
	// client is built with dial and TLS timeouts and CAFile.
	HTTPClient *http.Client
	// Timeout bounds each attempt, including reading the answer; the
	// default is 30s. The caller's context bounds the whole call.
	Timeout time.Duration
	// Retry is the retry policy of idempotent calls.
	Retry RetryPolicy
	// UserAgent defaults to DefaultUserAgent.
	UserAgent string
	// Logger receives debug logs of method, path, status and attempt —
	// never headers or bodies. Nil discards them.
	Logger *slog.Logger
	// Sleep waits between attempts and between readiness polls; it is a
	// test seam. The default waits on a timer and returns ctx.Err() when
	// ctx ends first.
	Sleep func(ctx context.Context, d time.Duration) error
}

// String renders the configuration with the credential masked, so that a
// Config printed with %v or %+v never shows it.
func (c Config) String() string {
	return fmt.Sprintf("honua.Config{BaseURL: %q, Credential: %s, Auth: %q, CAFile: %q, Timeout: %s, Retry: %+v, UserAgent: %q}",
		safeURL(c.BaseURL), maskedCredential(c.Credential), c.Auth, c.CAFile, c.Timeout, c.Retry, c.UserAgent)
}

// safeURL renders a configured URL without user info, query or fragment
// (New refuses those, but a Config may be printed before New sees it).
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	return redactedURL(u)
}

// GoString masks the credential under %#v too.
func (c Config) GoString() string { return c.String() }

// LogValue masks the credential when a Config is logged with slog.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("baseURL", safeURL(c.BaseURL)),
		slog.String("credential", maskedCredential(c.Credential)),
		slog.String("auth", string(c.Auth)),
		slog.String("caFile", c.CAFile),
		slog.Duration("timeout", c.Timeout),
	)
}

func maskedCredential(s string) string {
	if s == "" {
		return `""`
	}
	return "***"
}

// withDefaults validates cfg and fills its zero fields.
func (c Config) withDefaults() (Config, *url.URL, error) {
	base, err := parseBaseURL(c.BaseURL)
	if err != nil {
		return c, nil, err
	}
	switch c.Auth {
	case "":
		c.Auth = AuthAPIKey
	case AuthAPIKey, AuthBearer:
	default:
		return c, nil, fmt.Errorf("honua: auth type %q: want %q or %q", c.Auth, AuthAPIKey, AuthBearer)
	}
	if strings.IndexFunc(c.Credential, isControl) >= 0 {
		// Never echo the credential: say only what is wrong with it.
		return c, nil, errors.New("honua: the credential contains a control character (a stray newline?); it cannot be sent in a header")
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Retry.MaxAttempts <= 0 {
		c.Retry.MaxAttempts = DefaultMaxAttempts
	}
	if c.Retry.BaseDelay <= 0 {
		c.Retry.BaseDelay = DefaultBaseDelay
	}
	if c.Retry.MaxDelay <= 0 {
		c.Retry.MaxDelay = DefaultMaxDelay
	}
	if c.Retry.MaxDelay < c.Retry.BaseDelay {
		c.Retry.MaxDelay = c.Retry.BaseDelay
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Sleep == nil {
		c.Sleep = sleepContext
	}
	if c.HTTPClient != nil && c.CAFile != "" {
		return c, nil, errors.New("honua: CAFile cannot be combined with HTTPClient: add the CA bundle to that client's TLS configuration")
	}
	return c, base, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// parseBaseURL checks the server root and strips a trailing slash.
func parseBaseURL(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("honua: the server URL is empty: set it to the server root, e.g. https://honua.example.com")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Error repeats the URL, which may hold user info; say only
		// what is wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("honua: the server URL is not a valid URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("honua: the server URL %s: want an http:// or https:// URL", redactedURL(u))
	case u.Host == "":
		return nil, fmt.Errorf("honua: the server URL %s has no host", redactedURL(u))
	case u.User != nil:
		return nil, fmt.Errorf("honua: the server URL %s carries user info: pass the credential separately, never in the URL", redactedURL(u))
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("honua: the server URL %s has a query or fragment: give the server root only", redactedURL(u))
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// redactedURL renders u without user info, query or fragment.
func redactedURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery, c.Fragment, c.RawFragment, c.ForceQuery = "", "", "", false
	return c.String()
}

// buildHTTPClient returns the client requests go through: the caller's
// (with redirects refused unless it decides otherwise) or one built here.
func buildHTTPClient(cfg Config) (*http.Client, error) {
	if cfg.HTTPClient != nil {
		hc := *cfg.HTTPClient
		if hc.CheckRedirect == nil {
			hc.CheckRedirect = refuseRedirect
		}
		return &hc, nil
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pool, err := loadCABundle(cfg.CAFile)
		if err != nil {
			return nil, err
		}
		tlsCfg.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   10 * time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	// No Client.Timeout: each attempt carries its own context deadline.
	return &http.Client{Transport: tr, CheckRedirect: refuseRedirect}, nil
}

// refuseRedirect stops at the first redirect: net/http would forward the
// X-API-Key header to wherever the redirect points. The 3xx is then
// reported as an APIError naming the new location.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// loadCABundle returns the system roots plus the certificates of a PEM
// file. Errors name the file.
func loadCABundle(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("honua: read the CA bundle %s: %w", path, unwrapPathError(err))
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("honua: the CA bundle %s holds no PEM certificate", path)
	}
	return pool, nil
}

// unwrapPathError drops the path os.PathError repeats.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// sleepContext waits for d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
