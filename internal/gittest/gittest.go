// Package gittest provides git fixtures for tests in other packages: a bare
// repository served over smart HTTP by git http-backend with token auth (as
// GitHub serves a repository to an Action), checkouts made the way
// actions/checkout makes them, and helpers around the git CLI.
//
// Everything is scoped to the testing.TB passed in; the package holds no
// global state.
package gittest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Identity used for every commit made through Git.
const (
	UserName  = "gittest"
	UserEmail = "gittest@example.invalid"
	// TokenUser is the user name GitHub expects with an installation token.
	TokenUser = "x-access-token"
)

// httpBackend is where Debian and Ubuntu install git http-backend.
const httpBackend = "/usr/lib/git-core/git-http-backend"

// Remote is a bare repository served over HTTP that requires basic auth
// "x-access-token:<Token>".
type Remote struct {
	// URL is the repository URL without credentials:
	// http://127.0.0.1:P/repo.git.
	URL string
	// Token is the password the server accepts.
	Token string
	// Dir is the bare repository's path.
	Dir string

	mu     sync.Mutex
	before func(*http.Request)
}

// NewRemote starts a server for a new empty bare repository whose HEAD is
// main; it stops when the test ends. It skips the test when git or git
// http-backend is not installed.
func NewRemote(t testing.TB) *Remote {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("gittest: the git CLI is not installed")
	}
	backend := httpBackend
	if _, err := os.Stat(backend); err != nil {
		if backend, err = exec.LookPath("git-http-backend"); err != nil {
			t.Skipf("gittest: git http-backend is not installed (looked at %s and in PATH)", httpBackend)
		}
	}
	root := t.TempDir()
	r := &Remote{Dir: filepath.Join(root, "repo.git"), Token: newToken(t)}
	Git(t, root, "init", "--quiet", "--bare", "--initial-branch=main", r.Dir)
	Git(t, r.Dir, "config", "http.receivepack", "true")

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		user, pass, ok := req.BasicAuth()
		if !ok || user != TokenUser || pass != r.Token {
			w.Header().Set("WWW-Authenticate", `Basic realm="gittest"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		r.mu.Lock()
		before := r.before
		r.mu.Unlock()
		if before != nil {
			before(req)
		}
		h := &cgi.Handler{
			Path:   backend,
			Stderr: logWriter{t},
			Env: []string{
				"GIT_PROJECT_ROOT=" + root,
				"GIT_HTTP_EXPORT_ALL=1",
				"REMOTE_USER=" + user, // receive-pack refuses anonymous pushes
				"GIT_CONFIG_NOSYSTEM=1",
				"GIT_CONFIG_GLOBAL=" + os.DevNull,
			},
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/repo.git"
	return r
}

// Auth is the go-git auth the server accepts.
func (r *Remote) Auth() transport.AuthMethod {
	return &githttp.BasicAuth{Username: TokenUser, Password: r.Token}
}

// AuthURL is URL with the credentials in it, for the git CLI.
func (r *Remote) AuthURL() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		panic(err) // URL comes from httptest
	}
	u.User = url.UserPassword(TokenUser, r.Token)
	return u.String()
}

// BeforeServe installs fn to run before each authenticated request is
// served (nil removes it); tests use it to change the repository between a
// client's requests.
func (r *Remote) BeforeServe(fn func(*http.Request)) {
	r.mu.Lock()
	r.before = fn
	r.mu.Unlock()
}

// Seed pushes an initial commit with files (slash-separated path to
// content) to main and returns its hash.
func (r *Remote) Seed(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	Git(t, dir, "init", "--quiet", "--initial-branch=main")
	WriteFiles(t, dir, files)
	Git(t, dir, "add", "--all")
	Git(t, dir, "commit", "--quiet", "--allow-empty", "--message", "seed")
	Git(t, dir, "push", "--quiet", r.AuthURL(), "HEAD:refs/heads/main")
	return Git(t, dir, "rev-parse", "HEAD")
}

// Checkout makes a working copy the way actions/checkout does: a depth-1
// fetch of main and a detached HEAD. origin's URL has no credentials, so
// go-git needs explicit auth, as in CI. It returns the directory.
func (r *Remote) Checkout(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	Git(t, dir, "init", "--quiet", "--initial-branch=main")
	Git(t, dir, "remote", "add", "origin", r.URL)
	Git(t, dir, "fetch", "--quiet", "--no-tags", "--depth=1", r.AuthURL(), "main")
	Git(t, dir, "checkout", "--quiet", "--detach", "FETCH_HEAD")
	return dir
}

// BranchTip is the commit branch points at in the bare repository; "" when
// the branch does not exist.
func (r *Remote) BranchTip(t testing.TB, branch string) string {
	t.Helper()
	cmd := command(r.Dir, "--git-dir="+r.Dir, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch+"^{commit}")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return ""
		}
		t.Fatalf("gittest: rev-parse %s in %s: %v", branch, r.Dir, err)
	}
	return strings.TrimSpace(string(out))
}

// Git runs the git CLI in dir with a fixed identity and without the system
// or global config, fails the test with git's output on error, and returns
// the trimmed standard output.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := command(dir, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gittest: git %s (in %s): %v\n%s%s", strings.Join(redactArgs(args), " "), dir, err, stdout.String(), stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// FsckClean runs `git fsck --strict` on a repository (bare or not) and
// fails the test on any error or warning.
func FsckClean(t testing.TB, dir string) {
	t.Helper()
	gitDir := dir
	if fi, err := os.Stat(filepath.Join(dir, ".git")); err == nil && fi.IsDir() {
		gitDir = filepath.Join(dir, ".git")
	}
	cmd := command(dir, "--git-dir="+gitDir, "fsck", "--strict", "--no-dangling", "--no-progress")
	out, err := cmd.CombinedOutput()
	var bad []string
	for _, line := range strings.Split(string(out), "\n") {
		l := strings.ToLower(line)
		if strings.HasPrefix(l, "error") || strings.HasPrefix(l, "warning") || strings.HasPrefix(l, "fatal") ||
			strings.Contains(l, "missing") || strings.Contains(l, "broken") {
			bad = append(bad, line)
		}
	}
	if err != nil || len(bad) > 0 {
		t.Fatalf("gittest: git fsck --strict %s: %v\n%s", dir, err, out)
	}
}

// WriteFiles writes files (slash-separated path to content) under dir.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatalf("gittest: %v", err)
		}
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatalf("gittest: %v", err)
		}
	}
}

func command(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME="+UserName,
		"GIT_AUTHOR_EMAIL="+UserEmail,
		"GIT_COMMITTER_NAME="+UserName,
		"GIT_COMMITTER_EMAIL="+UserEmail,
		"LC_ALL=C",
	)
	return cmd
}

// redactArgs hides credentials in URLs so they never reach test logs.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if u, err := url.Parse(a); err == nil && u.User != nil {
			u.User = url.User("***")
			out[i] = u.String()
		}
	}
	return out
}

// logWriter sends git http-backend's stderr (for example receive-pack's
// "cannot lock ref" when a push loses a race) to the test log.
type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Logf("git http-backend: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func newToken(t testing.TB) string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("gittest: %v", err)
	}
	return "ghs_" + hex.EncodeToString(b)
}
