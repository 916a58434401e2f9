package honua

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Hints attached to API errors, one line each.
const (
	HintUnauthorized       = "check the API key or token (wrong or expired credential)"
	HintPaymentRequired    = "this feature needs Honua's Enterprise edition"
	HintForbidden          = "the credential lacks permission, or the feature needs the Enterprise edition"
	HintNotFound           = "check the server URL (is it a Honua server, and the admin API enabled?)"
	HintPrecondition       = "the resource changed on the server"
	HintConflict           = "the resource already exists, or it changed while it was being written"
	HintMethodNotAllowed   = "the server does not serve this method on this path; check the server URL"
	HintTooLarge           = "the request is larger than the server accepts"
	HintRateLimited        = "the server is rate limiting requests; try again later"
	HintServerError        = "the server failed; check its logs"
	HintUnavailable        = "the server, or a proxy in front of it, is unavailable; try again later"
	HintUnreachable        = "check the URL and that the server is running"
	HintTLS                = "check the server's TLS certificate, or pass its CA bundle (CAFile)"
	HintDNS                = "check the host name in the server URL"
	hintRedirectFormat     = "the server redirected to %s; set the server URL to the final address (redirects are not followed)"
	hintRedirectNoLocation = "the server answered with a redirect; set the server URL to the final address (redirects are not followed)"
)

// APIError is an HTTP answer outside 2xx from the server.
type APIError struct {
	// Method is the HTTP method.
	Method string
	// Endpoint is the request path (escaped, no host, no query), e.g.
	// /api/v1/admin/metadata/resources/Layer/default/roads.
	Endpoint string
	// Status is the HTTP status code.
	Status int
	// Title, Detail and Message are the server's text, from a problem
	// document or an envelope with success false; Message also carries
	// error.message when nothing else was given. Any occurrence of the
	// credential is masked.
	Title, Detail, Message string
	// Hint is a one-line suggestion for the reader; "" when none fits.
	Hint string
	// RetryAfter is the server's Retry-After on a 429 or 503, else 0.
	RetryAfter time.Duration
	// Attempts is how many attempts were made (more than 1 after retries).
	Attempts int
}

// Error reads like
// "honua: PUT /api/v1/admin/metadata/resources/Layer/default/roads: 412 Precondition Failed: <detail> (hint)".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "honua: %s %s: %s", e.Method, e.Endpoint, statusLine(e.Status))
	if t := e.Text(); t != "" {
		b.WriteString(": ")
		b.WriteString(t)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, " (%s)", e.Hint)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " [after %d attempts]", e.Attempts)
	}
	return b.String()
}

// Text is the server's explanation, read in the order detail, message,
// title (error.message is folded into Message when the others are empty).
func (e *APIError) Text() string {
	for _, s := range []string{e.Detail, e.Message, e.Title} {
		if s != "" {
			return s
		}
	}
	return ""
}

// statusLine renders "412 Precondition Failed".
func statusLine(status int) string {
	if t := http.StatusText(status); t != "" {
		return fmt.Sprintf("%d %s", status, t)
	}
	return fmt.Sprint(status)
}

// isFeatureRoute reports whether a path is one of the manifest routes
// (export, apply, drift, versions, approvals), the Enterprise surface whose
// 403 means "not in this edition" rather than "not allowed".
func isFeatureRoute(endpoint string) bool {
	i := strings.Index(endpoint, adminPath+"/manifest")
	if i < 0 {
		return false
	}
	rest := endpoint[i+len(adminPath+"/manifest"):]
	return rest == "" || strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, "?")
}

// TransportError is a call that got no HTTP answer: the server could not
// be reached, the connection broke, or the attempt timed out.
type TransportError struct {
	// Method is the HTTP method.
	Method string
	// URL is the request URL without credentials or query.
	URL string
	// Err is the underlying error.
	Err error
	// Timeout is true when the attempt ran out of time.
	Timeout bool
	// Attempts is how many attempts were made.
	Attempts int
	// Hint is a one-line suggestion.
	Hint string

	cause string // Err's text with the credential masked
}

// Error reads like "honua: GET http://host/api/v1/admin/capabilities: server
// unreachable: dial tcp …: connection refused (check the URL and that the
// server is running)".
func (e *TransportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "honua: %s %s: server unreachable: %s", e.Method, e.URL, e.cause)
	if e.Hint != "" {
		fmt.Fprintf(&b, " (%s)", e.Hint)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " [after %d attempts]", e.Attempts)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// ProtocolError is a 2xx answer the client cannot use: not JSON, not an
// envelope, success false, data missing or of the wrong shape.
type ProtocolError struct {
	Method   string
	Endpoint string
	Status   int
	// Reason says what is wrong, e.g. "data is not a JSON array".
	Reason string
}

// Error reads like "honua: GET /api/v1/admin/metadata/resources: unexpected
// answer (200 OK): data is not a JSON array".
func (e *ProtocolError) Error() string {
	return fmt.Sprintf("honua: %s %s: unexpected answer (%s): %s", e.Method, e.Endpoint, statusLine(e.Status), e.Reason)
}

// IncompatibleError is a server this client cannot drive: a Generation 1
// control plane of another major version, or a capabilities document that
// names no known generation.
type IncompatibleError struct {
	// Endpoint is the capabilities path.
	Endpoint string
	// Generation is what was detected (GenerationUnknown when nothing was).
	Generation Generation
	// Found is the offending value as the server reported it ("" when
	// absent).
	Found string
	// Reason is the sentence shown to the reader.
	Reason string
}

// Error reads like "honua: GET /api/v1/admin/capabilities: incompatible
// server: control plane API major version 2 (this client speaks major
// version 1)".
func (e *IncompatibleError) Error() string {
	return fmt.Sprintf("honua: GET %s: incompatible server: %s", e.Endpoint, e.Reason)
}

// PendingApprovalError is a manifest apply the server queued for approval
// (HTTP 202): nothing was applied yet.
type PendingApprovalError struct {
	Endpoint string
	// PendingID identifies the pending change (…/manifest/pending/{id}).
	PendingID string
	// Status is the pending change's status, normally "pending".
	Status string
	// ExpiresAt is when the request expires, as the server wrote it.
	ExpiresAt string
}

// Error reads like "honua: POST /api/v1/admin/manifest/apply: the apply is
// pending approval as change 1f…; nothing was applied".
func (e *PendingApprovalError) Error() string {
	s := fmt.Sprintf("honua: POST %s: the apply is pending approval as change %s; nothing was applied", e.Endpoint, e.PendingID)
	if e.ExpiresAt != "" {
		s += " (the request expires at " + e.ExpiresAt + ")"
	}
	return s
}

// apiStatus returns the status of an APIError in err's chain, or 0.
func apiStatus(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// IsNotFound reports a 404: the resource (or version, or pending change)
// does not exist — or, on a non-resource route, the URL is not a Honua
// Generation 1 admin API.
func IsNotFound(err error) bool { return apiStatus(err) == http.StatusNotFound }

// IsConflict reports a 409: the resource already exists, or a version race.
func IsConflict(err error) bool { return apiStatus(err) == http.StatusConflict }

// IsPreconditionFailed reports a 412: the If-Match ETag is stale.
func IsPreconditionFailed(err error) bool { return apiStatus(err) == http.StatusPreconditionFailed }

// IsUnauthorized reports a 401: a missing, wrong or expired credential.
func IsUnauthorized(err error) bool { return apiStatus(err) == http.StatusUnauthorized }

// IsFeatureUnavailable reports that the edition does not offer the
// feature: a 402 anywhere, or a 403 on a manifest, drift, versions or
// approval route. The caller falls back to per-resource CRUD.
func IsFeatureUnavailable(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Status {
	case http.StatusPaymentRequired:
		return true
	case http.StatusForbidden:
		return isFeatureRoute(ae.Endpoint)
	}
	return false
}

// IsPendingApproval reports a manifest apply queued for approval.
func IsPendingApproval(err error) bool {
	var pe *PendingApprovalError
	return errors.As(err, &pe)
}

// IsIncompatible reports a server this client cannot drive.
func IsIncompatible(err error) bool {
	var ie *IncompatibleError
	return errors.As(err, &ie)
}

// IsRetryable reports an error worth trying again later: 429, 502, 503,
// 504, or a transport failure that may be transient (refused or reset
// connection, EOF, timeout). A cancelled context is not retryable.
func IsRetryable(err error) bool {
	if s := apiStatus(err); s != 0 {
		return retryableStatus(s)
	}
	var te *TransportError
	if errors.As(err, &te) {
		return te.Timeout || retryableTransport(te.Err)
	}
	return false
}

// transportHint picks the hint for a transport failure.
func transportHint(err error) string {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
		dns              *net.DNSError
	)
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify):
		return HintTLS
	case errors.As(err, &dns):
		return HintDNS
	}
	return HintUnreachable
}

// hintFor picks the hint of an HTTP status. resource is true for a single
// resource's route, where 404 just means "not found".
func hintFor(status int, resource bool) string {
	switch status {
	case http.StatusUnauthorized:
		return HintUnauthorized
	case http.StatusPaymentRequired:
		return HintPaymentRequired
	case http.StatusForbidden:
		return HintForbidden
	case http.StatusNotFound:
		if resource {
			return ""
		}
		return HintNotFound
	case http.StatusMethodNotAllowed:
		return HintMethodNotAllowed
	case http.StatusConflict:
		return HintConflict
	case http.StatusPreconditionFailed, http.StatusPreconditionRequired:
		return HintPrecondition
	case http.StatusRequestEntityTooLarge:
		return HintTooLarge
	case http.StatusTooManyRequests:
		return HintRateLimited
	case http.StatusInternalServerError:
		return HintServerError
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return HintUnavailable
	}
	return ""
}
