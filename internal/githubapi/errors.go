package githubapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v66/github"
)

// Error is a failed GitHub call.
type Error struct {
	// Op is the call that failed, e.g. "edit comment 123".
	Op string
	// StatusCode is the HTTP status GitHub answered; 0 when there was no
	// answer (network error) or for GraphQL errors, which come with 200.
	StatusCode int
	// Message is GitHub's message with its details, the token masked.
	Message string
	// Type is the GraphQL error type (FORBIDDEN, NOT_FOUND, ...), if any.
	Type string
	// RateLimited is set when GitHub refused for a rate limit.
	RateLimited bool

	err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("github: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "%d ", e.StatusCode)
	}
	b.WriteString(e.Message)
	if hint := e.hint(); hint != "" {
		b.WriteString(" (" + hint + ")")
	}
	return b.String()
}

func (e *Error) hint() string {
	switch {
	case e.RateLimited:
		return "rate limited by GitHub; retry later"
	case e.StatusCode == http.StatusUnauthorized:
		return "check that the token is valid and not expired"
	case e.forbidden() && strings.Contains(e.Message, "not accessible by integration"):
		return "the token lacks permission for this; pull requests from forks get a read-only GITHUB_TOKEN"
	}
	return ""
}

// Unwrap returns the underlying error, usually a go-github error. Its text
// is not scrubbed of the token; use Error for messages.
func (e *Error) Unwrap() error { return e.err }

func (e *Error) forbidden() bool {
	return !e.RateLimited && (e.StatusCode == http.StatusForbidden || e.Type == "FORBIDDEN")
}

// wrap turns an error from go-github (or the GraphQL call) into *Error for
// op, masking the token.
func (c *Client) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Op: op, err: err}
	var (
		er  *github.ErrorResponse
		rl  *github.RateLimitError
		arl *github.AbuseRateLimitError
		ge  *Error
	)
	switch {
	case errors.As(err, &er):
		e.StatusCode, e.Message = statusOf(er.Response), describe(er)
	case errors.As(err, &rl):
		e.StatusCode, e.Message, e.RateLimited = statusOf(rl.Response), rl.Message, true
	case errors.As(err, &arl):
		e.StatusCode, e.Message, e.RateLimited = statusOf(arl.Response), arl.Message, true
	case errors.As(err, &ge):
		e.StatusCode, e.Message, e.Type, e.RateLimited = ge.StatusCode, ge.Message, ge.Type, ge.RateLimited
	default:
		e.Message = err.Error()
	}
	if e.StatusCode == http.StatusTooManyRequests ||
		(e.StatusCode == http.StatusForbidden && strings.Contains(strings.ToLower(e.Message), "rate limit")) {
		e.RateLimited = true
	}
	if c.token != "" {
		e.Message = strings.ReplaceAll(e.Message, c.token, "***")
	}
	return e
}

func statusOf(r *http.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

// describe renders GitHub's message and its details:
// "Validation Failed: Body is too long (maximum is 65536 characters)".
func describe(er *github.ErrorResponse) string {
	msg := er.Message
	if msg == "" && er.Response != nil {
		msg = http.StatusText(er.Response.StatusCode)
	}
	var details []string
	for _, d := range er.Errors {
		switch {
		case d.Message != "":
			details = append(details, d.Message)
		case d.Field != "":
			details = append(details, strings.TrimPrefix(d.Resource+"."+d.Field+" "+d.Code, "."))
		case d.Code != "":
			details = append(details, d.Code)
		}
	}
	if len(details) > 0 {
		msg += ": " + strings.Join(details, "; ")
	}
	return msg
}

// IsForbidden reports whether err is GitHub refusing the token (403, or a
// GraphQL FORBIDDEN), as it does for every write with the read-only token of
// a pull request from a fork. Rate limits are not reported as forbidden.
func IsForbidden(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.forbidden()
	}
	var er *github.ErrorResponse
	return errors.As(err, &er) && statusOf(er.Response) == http.StatusForbidden
}

// IsNotFound reports whether err is a 404 (or a GraphQL NOT_FOUND).
func IsNotFound(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode == http.StatusNotFound || e.Type == "NOT_FOUND"
	}
	var er *github.ErrorResponse
	return errors.As(err, &er) && statusOf(er.Response) == http.StatusNotFound
}

// IsTooLong reports whether err is GitHub's 422 for a body over its limit
// (65536 characters for comments and issues).
func IsTooLong(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusUnprocessableEntity &&
		strings.Contains(strings.ToLower(e.Message), "too long")
}

// IsRateLimited reports whether err is GitHub's primary or secondary rate
// limit, still in force after the retries.
func IsRateLimited(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.RateLimited
}
