// Package githubapi is honua-gitops' narrow client for GitHub: the few REST
// calls the action makes (comments, pull requests, reviews, deployments,
// issues, commit comparisons) over go-github v66, plus the GraphQL
// minimizeComment mutation, which go-github does not cover.
//
// Every method pages through complete result sets, wraps failures in *Error
// with the operation that failed ("github: edit comment 123: 422 Validation
// Failed: ..."), never puts the token in an error, and retries idempotent
// requests (GET, PATCH, PUT, DELETE) on 5xx answers and rate limits. POSTs
// are never retried: a POST that timed out may have created a comment.
package githubapi

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"
)

const githubGraphQLURL = "https://api.github.com/graphql"

// Config configures a Client.
type Config struct {
	// Token authenticates every request as "Authorization: Bearer <Token>".
	// Empty sends no credentials.
	Token string
	// APIURL is GITHUB_API_URL: https://api.github.com (the default),
	// https://HOST/api/v3, or a bare https://HOST, which gets /api/v3/
	// appended as go-github's WithEnterpriseURLs does.
	APIURL string
	// GraphQLURL is GITHUB_GRAPHQL_URL. By default it is derived from
	// APIURL: https://api.github.com/graphql, or HOST/api/graphql. The
	// github.com URL with another API host is taken for an unset default
	// and derived too.
	GraphQLURL string
	// Owner and Repo name the repository every call is about.
	Owner, Repo string
	// HTTPClient supplies the transport, timeout, jar and redirect policy;
	// nil uses http.DefaultTransport with no timeout.
	HTTPClient *http.Client
	// UserAgent replaces go-github's User-Agent when set.
	UserAgent string

	// MaxRetries is how many times an idempotent request is retried after a
	// 5xx answer, a rate limit or a network error. 0 means 3; negative
	// disables retries.
	MaxRetries int
	// RetryBackoff is the wait before the first retry, doubled for each
	// further one. 0 means 1s.
	RetryBackoff time.Duration
	// MaxRetryWait bounds a single wait. A Retry-After (or rate limit
	// reset) further away than this is not waited for: the error is
	// returned. A rate limit that names no time waits MaxRetryWait, since
	// GitHub asks for at least a minute. 0 means 1m.
	MaxRetryWait time.Duration
	// Logf, when set, is told about each retry.
	Logf func(format string, args ...any)
	// Redact masks secret values in every request body (comments, issues,
	// deployment statuses, GraphQL): the one boundary all text sent to
	// GitHub passes. Nil sends bodies as they are.
	Redact func([]byte) []byte
	// Timeout bounds each call, retries included; 0 means DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds one GitHub call, retries and their waits included.
const DefaultTimeout = 3 * time.Minute

// Client is a GitHub client for one repository. It is safe for concurrent
// use.
type Client struct {
	gh          *github.Client
	owner, repo string
	graphqlURL  string
	token       string

	viewerMu    sync.Mutex
	viewer      string
	viewerAsked bool // GitHub was asked; viewer "" means it did not say
}

// New returns a Client for cfg.Owner/cfg.Repo.
func New(cfg Config) (*Client, error) {
	if cfg.Owner == "" || cfg.Repo == "" {
		return nil, fmt.Errorf("github: owner and repository are required")
	}
	apiURL := strings.TrimSpace(cmp.Or(cfg.APIURL, "https://api.github.com"))
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("github: invalid API URL %q: want http(s)://host[/api/v3]", redactURL(apiURL))
	}
	graphqlURL := strings.TrimSpace(cfg.GraphQLURL)
	if graphqlURL == "" || (graphqlURL == githubGraphQLURL && u.Host != "api.github.com") {
		// go-githubactions reports github.com's GraphQL URL when
		// GITHUB_GRAPHQL_URL is unset; with any other API host that
		// default is wrong and would send the token elsewhere.
		graphqlURL = defaultGraphQLURL(u)
	}

	base := cfg.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
	rt := &retryTransport{
		base:    cmp.Or[http.RoundTripper](base.Transport, http.DefaultTransport),
		retries: cfg.MaxRetries,
		backoff: cmp.Or(cfg.RetryBackoff, time.Second),
		maxWait: cmp.Or(cfg.MaxRetryWait, time.Minute),
		logf:    cfg.Logf,
	}
	switch {
	case rt.retries == 0:
		rt.retries = 3
	case rt.retries < 0:
		rt.retries = 0
	}
	var transport http.RoundTripper = rt
	if cfg.Redact != nil {
		transport = &redactTransport{base: rt, redact: cfg.Redact}
	}
	timeout := cmp.Or(cfg.Timeout, base.Timeout, DefaultTimeout)
	hc := &http.Client{Transport: transport, Timeout: timeout, Jar: base.Jar, CheckRedirect: base.CheckRedirect}

	gh := github.NewClient(hc)
	if cfg.Token != "" {
		gh = gh.WithAuthToken(cfg.Token)
	}
	if gh, err = gh.WithEnterpriseURLs(apiURL, apiURL); err != nil {
		return nil, fmt.Errorf("github: invalid API URL %q: %w", redactURL(apiURL), err)
	}
	if cfg.UserAgent != "" {
		gh.UserAgent = cfg.UserAgent
	}
	return &Client{gh: gh, owner: cfg.Owner, repo: cfg.Repo, graphqlURL: graphqlURL, token: cfg.Token}, nil
}

// defaultGraphQLURL derives GITHUB_GRAPHQL_URL from GITHUB_API_URL:
// api.github.com (and api.* hosts generally) serve /graphql, GitHub
// Enterprise Server serves /api/graphql.
func defaultGraphQLURL(api *url.URL) string {
	if strings.HasPrefix(api.Host, "api.") {
		return api.Scheme + "://" + api.Host + "/graphql"
	}
	return api.Scheme + "://" + api.Host + "/api/graphql"
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "<unparseable>"
}

// Owner returns the repository owner.
func (c *Client) Owner() string { return c.owner }

// Repo returns the repository name.
func (c *Client) Repo() string { return c.repo }

// BaseURL returns the REST base URL in use, ending in "/".
func (c *Client) BaseURL() string { return c.gh.BaseURL.String() }

// GraphQLURL returns the GraphQL endpoint in use.
func (c *Client) GraphQLURL() string { return c.graphqlURL }

// allPages calls fetch with page 1, 2, ... until GitHub reports no next
// page, collecting the converted items.
func allPages[T, U any](fetch func(opts github.ListOptions) ([]T, *github.Response, error), conv func(T) U) ([]U, error) {
	var out []U
	opts := github.ListOptions{PerPage: 100}
	for {
		items, resp, err := fetch(opts)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out = append(out, conv(it))
		}
		if resp == nil || resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

func timeOf(ts *github.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.Time
}
