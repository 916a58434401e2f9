// Package fakegithub is a stateful fake of the parts of the GitHub REST and
// GraphQL APIs that honua-gitops uses: issue and pull request comments,
// pull requests with reviews and files, deployments with statuses, issues,
// commit comparisons over a commit graph the test describes, workflow runs,
// collaborators' permissions and team memberships the test registers, and the
// minimizeComment mutation.
//
// It is a real HTTP server (httptest), so an action running as a separate
// process can reach it through GITHUB_API_URL=APIURL() and
// GITHUB_GRAPHQL_URL=GraphQLURL(). REST lives under /api/v3 as on GitHub
// Enterprise Server, which is where go-github's WithEnterpriseURLs points a
// bare host. JSON field names, status codes and error bodies follow GitHub's
// so go-github decodes them unchanged.
//
// Tests seed state (AddPullRequest, AddComment, ...) and inspect it
// (Comments, Deployments, Issues, PullRequests, Requests); every method is
// safe for concurrent use.
package fakegithub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultLogin is the user behind the token unless Options.Login says
// otherwise: what GITHUB_TOKEN authenticates as.
const DefaultLogin = "github-actions[bot]"

const (
	apiPrefix   = "/api/v3"
	graphqlPath = "/api/graphql"
	docsURL     = "https://docs.github.com/rest"
)

// Options configures a fake server.
type Options struct {
	// Owner and Repo name the one repository served; requests for any other
	// repository get 404. Defaults: "honua-io" and "config".
	Owner, Repo string
	// Token is the credential required as "Authorization: Bearer <Token>" or
	// "token <Token>": without credentials the answer is 401 "Requires
	// authentication", with others 401 "Bad credentials". Empty accepts any
	// credential.
	Token string
	// Login is the token's user, the author of everything created through
	// the API. Default DefaultLogin. A login ending in "[bot]" behaves like
	// an installation token (GITHUB_TOKEN, or a GitHub App's such as
	// "honua-deployer[bot]"): GET /user answers 403, and only GraphQL's
	// viewer tells who it is.
	Login string
	// HideGraphQLViewer makes GraphQL's viewer answer FORBIDDEN too, so
	// nothing but what the token creates tells who it is.
	HideGraphQLViewer bool
	// ReadOnly makes every write answer 403 "Resource not accessible by
	// integration", as GitHub does for the token of a pull request from a
	// fork.
	ReadOnly bool
}

// RecordedRequest is one request the server received.
type RecordedRequest struct {
	Method string
	Path   string // full path, including /api/v3
	Query  string // raw query
	Body   string
	Status int // status code answered
}

// Failure is an injected failure: the next Times requests matching Method
// and Path are answered with Status, Header and Body instead of being
// served.
type Failure struct {
	// Method is an HTTP method or "*" for any.
	Method string
	// Path is a path.Match pattern matched against the request path both
	// with and without the /api/v3 prefix, e.g. "/repos/*/*/issues/*/comments";
	// "*" or "" matches every path.
	Path string
	// Status is the status code to answer.
	Status int
	// Times is how many requests fail; 0 means 1.
	Times int
	// Header is added to the response, e.g. Retry-After.
	Header http.Header
	// Body is the response body; empty gives a GitHub-like JSON body for
	// Status (429 and 403 get a secondary rate limit message).
	Body string
}

// Server is a running fake. Its zero value is not usable; call Start.
type Server struct {
	// URL is the server's root, http://127.0.0.1:P.
	URL string

	opts Options
	srv  *httptest.Server

	mu       sync.Mutex
	st       store
	requests []RecordedRequest
	failures []*Failure
}

// Start starts a fake GitHub that is closed when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Owner == "" {
		opts.Owner = "honua-io"
	}
	if opts.Repo == "" {
		opts.Repo = "config"
	}
	if opts.Login == "" {
		opts.Login = DefaultLogin
	}
	s := &Server{opts: opts}
	s.st.init()
	s.srv = httptest.NewServer(s.handler())
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// APIURL is the REST base URL, for GITHUB_API_URL: URL + "/api/v3".
func (s *Server) APIURL() string { return s.URL + apiPrefix }

// GraphQLURL is the GraphQL endpoint, for GITHUB_GRAPHQL_URL.
func (s *Server) GraphQLURL() string { return s.URL + graphqlPath }

// Owner returns the owner of the served repository.
func (s *Server) Owner() string { return s.opts.Owner }

// Repo returns the name of the served repository.
func (s *Server) Repo() string { return s.opts.Repo }

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.requests...)
}

// FailNext makes the next times requests matching method and pathPattern
// (see Failure) answer status with a GitHub-like body.
func (s *Server) FailNext(method, pathPattern string, status, times int) {
	s.Inject(Failure{Method: method, Path: pathPattern, Status: status, Times: times})
}

// Inject queues a failure; failures are consumed in the order queued.
func (s *Server) Inject(f Failure) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &f)
}

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	s.routeIssues(mux)
	s.routePulls(mux)
	s.routeDeployments(mux)
	s.routeCompare(mux)
	s.routeRuns(mux)
	s.routeCollaborators(mux)
	s.routeTeams(mux)
	mux.HandleFunc("GET "+apiPrefix+"/user", s.getUser)
	mux.HandleFunc("POST "+graphqlPath, s.graphql)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { notFound(w) })

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			s.mu.Lock()
			s.requests = append(s.requests, RecordedRequest{
				Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
				Body: string(body), Status: rec.status,
			})
			s.mu.Unlock()
		}()

		if msg := s.unauthorized(r); msg != "" {
			writeJSON(rec, http.StatusUnauthorized, map[string]string{"message": msg, "documentation_url": docsURL})
			return
		}
		if f := s.takeFailure(r); f != nil {
			writeFailure(rec, f)
			return
		}
		if s.opts.ReadOnly && strings.HasPrefix(r.URL.Path, apiPrefix+"/") && r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(rec, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		rec.Header().Set("X-GitHub-Media-Type", "github.v3; format=json")
		mux.ServeHTTP(rec, r)
	})
}

// unauthorized returns GitHub's 401 message for a request without valid
// credentials, or "" when they are valid.
func (s *Server) unauthorized(r *http.Request) string {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case !ok || cred == "" || (!strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "token")):
		if r.URL.Path == graphqlPath {
			return "This endpoint requires you to be authenticated."
		}
		return "Requires authentication"
	case s.opts.Token != "" && cred != s.opts.Token:
		return "Bad credentials"
	}
	return ""
}

func (s *Server) takeFailure(r *http.Request) *Failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	rest := strings.TrimPrefix(r.URL.Path, apiPrefix)
	for i, f := range s.failures {
		if f.Method != "*" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		full, _ := path.Match(f.Path, r.URL.Path)
		short, _ := path.Match(f.Path, rest)
		if f.Path != "*" && f.Path != "" && !full && !short {
			continue
		}
		f.Times--
		if f.Times == 0 {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
		}
		return f
	}
	return nil
}

func writeFailure(w http.ResponseWriter, f *Failure) {
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
		return
	}
	switch {
	case f.Status == http.StatusTooManyRequests || f.Status == http.StatusForbidden:
		writeJSON(w, f.Status, map[string]string{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"documentation_url": docsURL + "/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	case f.Status >= 500:
		writeJSON(w, f.Status, map[string]string{"message": "Server Error"})
	default:
		writeError(w, f.Status, http.StatusText(f.Status))
	}
}

func (s *Server) getUser(w http.ResponseWriter, _ *http.Request) {
	if strings.HasSuffix(s.opts.Login, "[bot]") {
		writeError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	writeJSON(w, http.StatusOK, s.user(s.opts.Login))
}

// user renders a GitHub simple-user object.
func (s *Server) user(login string) map[string]any {
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	return map[string]any{
		"login": login, "id": userID(login), "type": typ,
		"html_url": "https://github.com/" + strings.TrimSuffix(login, "[bot]"),
	}
}

// userID is a stable made-up id for a login.
func userID(login string) int64 {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(login)))
	return int64(h.Sum32())
}

// repoOK reports whether the {owner}/{repo} of the request is the served
// repository, answering 404 when it is not.
func (s *Server) repoOK(w http.ResponseWriter, r *http.Request) bool {
	if strings.EqualFold(r.PathValue("owner"), s.opts.Owner) && strings.EqualFold(r.PathValue("repo"), s.opts.Repo) {
		return true
	}
	notFound(w)
	return false
}

func (s *Server) repoAPI() string {
	return s.URL + apiPrefix + "/repos/" + s.opts.Owner + "/" + s.opts.Repo
}

func (s *Server) repoHTML() string {
	return "https://github.com/" + s.opts.Owner + "/" + s.opts.Repo
}

// paginate answers GitHub-style page/per_page pagination: it returns the
// page of items asked for and sets the Link header go-github follows.
func paginate[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T) []T {
	q := r.URL.Query()
	perPage, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || perPage <= 0 {
		perPage = 30
	}
	perPage = min(perPage, 100)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page <= 0 {
		page = 1
	}
	last := max(1, (len(items)+perPage-1)/perPage)

	link := func(p int, rel string) string {
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		return fmt.Sprintf("<%s%s?%s>; rel=%q", s.URL, r.URL.Path, q.Encode(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(min(page-1, last), "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}

	start := (page - 1) * perPage
	if start >= len(items) {
		return []T{}
	}
	return items[start:min(start+perPage, len(items))]
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"message": message, "documentation_url": docsURL, "status": strconv.Itoa(status)})
}

func notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "Not Found")
}

// fieldError is one entry of a 422's "errors" array.
type fieldError struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"` // GitHub leaves it out of "custom" errors
	Message  string `json:"message,omitempty"`
}

func validationFailed(w http.ResponseWriter, errs ...fieldError) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "errors": errs,
		"documentation_url": docsURL, "status": "422",
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func timestamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func pathInt(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		notFound(w)
		return 0, false
	}
	return n, true
}
