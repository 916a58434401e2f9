package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/gittest"
)

// The repository the workflow runs for, as GitHub would name it.
const (
	repoOwner   = "acme"
	repoName    = "city-gis"
	repoFull    = repoOwner + "/" + repoName
	stateBranch = "honua-gitops/state"
	// botLogin is the author of everything the workflow token posts.
	botLogin = fakegithub.DefaultLogin
)

// environments are the example repository's environments, in promotion
// order (the apply matrix's order).
var environments = []string{"development", "staging", "production"}

// paths are the locations every test needs, resolved once.
type paths struct {
	root     string // the honua-gitops repository
	bin      string // HONUA_BIN: the built honua-gitops binaries
	example  string // examples/honua-config
	workflow string // the workflow file users copy
	shim     string // testdata/e2e/shim
	upload   string // testdata/e2e/stand-ins/upload-artifact
	webhooks string // shared/testdata-external/github-webhooks
}

var (
	pathsOnce sync.Once
	pathsVal  paths
	pathsErr  error
)

// locate finds the repository, the built binaries and the shared webhook
// payloads. A missing binary fails the test (run make build); missing
// shared payloads skip it.
func locate(t *testing.T) paths {
	t.Helper()
	pathsOnce.Do(func() {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			pathsErr = err
			return
		}
		p := paths{
			root:     root,
			bin:      os.Getenv("HONUA_BIN"),
			example:  filepath.Join(root, "examples", "honua-config"),
			workflow: filepath.Join(root, "examples", "honua-config", ".github", "workflows", "honua-gitops.yml"),
			shim:     filepath.Join(root, "testdata", "e2e", "shim"),
			upload:   filepath.Join(root, "testdata", "e2e", "stand-ins", "upload-artifact"),
			webhooks: filepath.Join(filepath.Dir(root), "shared", "testdata-external", "github-webhooks"),
		}
		if p.bin == "" {
			p.bin = filepath.Join(root, "bin")
		}
		if p.bin, err = filepath.Abs(p.bin); err != nil {
			pathsErr = err
			return
		}
		pathsVal = p
	})
	if pathsErr != nil {
		t.Fatalf("locate the repository: %v", pathsErr)
	}
	p := pathsVal
	for _, f := range []string{"honua-gitops"} {
		if fi, err := os.Stat(filepath.Join(p.bin, f)); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			t.Fatalf("no executable %s in HONUA_BIN=%s: run `make build` first (or `make e2e`, which builds)", f, p.bin)
		}
	}
	if _, err := os.Stat(p.webhooks); err != nil {
		fixturesMissing(t, os.Getenv, p.webhooks, err)
	}
	for _, f := range []string{p.workflow, filepath.Join(p.shim, "action.yml"), filepath.Join(p.upload, "action.yml")} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("missing %s: %v", f, err)
		}
	}
	return p
}

// fixturesMissing reports that the shared webhook payloads are not at dir:
// under CI (the CI environment variable set, as on GitHub Actions) the
// test fails, so a CI run can never pass by skipping every scenario;
// elsewhere it skips.
func fixturesMissing(t testing.TB, getenv func(string) string, dir string, err error) {
	t.Helper()
	if getenv("CI") != "" {
		t.Fatalf("CI is set but the shared webhook payloads are not at %s: CI must place octokit/webhooks' "+
			"payload-examples/api.github.com there (shared/testdata-external/github-webhooks next to the clone; "+
			"see .github/workflows/ci.yml): %v", dir, err)
		return
	}
	t.Skipf("the shared webhook payloads are not at %s (CI provides shared/ next to the clone): %v", dir, err)
}

// world is one test's GitHub, git remote and Honua servers.
type world struct {
	t   *testing.T
	p   paths
	ctx context.Context

	remote *gittest.Remote
	gh     *fakegithub.Server
	proxy  *ghProxy          // in front of gh: GITHUB_API_URL points here
	emus   map[string]string // environment → its Honua server's URL
	gen    int               // the Honua generation every server presents (1 or 2)

	token      string // GITHUB_TOKEN: the fake GitHub's and the git remote's
	apiKey     string // HONUA_API_KEY: every emulator's admin key
	dbPassword string // DEV_GIS_DB_PASSWORD

	seed string // the first commit on main

	mu      sync.Mutex
	runs    []*run // every act run, for the secret scan
	extra   []scannedText
	prs     []int // pull request numbers
	nextRun int
}

// newWorld is a Generation 1 world (newWorldGen(t, 1)).
func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldGen(t, 1)
}

// newWorldGen starts three emulators presenting Honua generation gen, a
// git remote seeded with the example repository (its targets pointed at
// the emulators) and a fake GitHub sharing the remote's token. At the end
// of the test it scans everything the action wrote for secrets.
//
// Generation 1 emulators run in process (emulator.Start). Generation 2
// ones are the built binary, `honua-emulator --generation 2 --seed
// internal/emulator/seeds/riverton.gen2.json`: the Riverton server the
// example repository configures (its services and the tables its layers
// publish; the Connection is created by the first apply).
func newWorldGen(t *testing.T, gen int) *world {
	t.Helper()
	p := locate(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w := &world{
		t: t, p: p, ctx: ctx, gen: gen,
		emus:       map[string]string{},
		apiKey:     "honua-e2e-key-" + randomHex(t, 16),
		dbPassword: "Dev-DB-pw-" + randomHex(t, 12) + "-e2e",
		nextRun:    100,
	}
	for _, env := range environments {
		switch gen {
		case 1:
			run, err := emulator.Start(ctx, emulator.Options{APIKey: w.apiKey})
			if err != nil {
				t.Fatalf("start the %s emulator: %v", env, err)
			}
			t.Cleanup(func() { _ = run.Close() })
			w.emus[env] = run.URL
		case 2:
			w.emus[env] = w.startGen2Emulator(env)
		default:
			t.Fatalf("no Honua generation %d", gen)
		}
	}
	w.remote = gittest.NewRemote(t)
	w.token = w.remote.Token
	w.gh = fakegithub.Start(t, fakegithub.Options{Owner: repoOwner, Repo: repoName, Token: w.token})
	w.proxy = startProxy(t, w.gh)
	w.seed = w.remote.Seed(t, w.exampleFiles())
	w.gh.AddCommit(w.seed)
	t.Cleanup(w.scanSecrets)
	return w
}

// exampleFiles reads examples/honua-config, with honua-gitops.yaml
// rewritten so each environment has one target, its own emulator,
// authenticated with HONUA_API_KEY.
func (w *world) exampleFiles() map[string]string {
	t := w.t
	files := map[string]string{}
	err := filepath.WalkDir(w.p.example, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(w.p.example, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatalf("read the example repository: %v", err)
	}
	cfg, ok := files["honua-gitops.yaml"]
	if !ok {
		t.Fatalf("the example repository has no honua-gitops.yaml")
	}
	files["honua-gitops.yaml"] = w.retarget(cfg)
	return files
}

// retarget replaces every environment's targets with its emulator.
func (w *world) retarget(cfg string) string {
	t := w.t
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(cfg), &doc); err != nil {
		t.Fatalf("parse honua-gitops.yaml: %v", err)
	}
	envs := mapValue(doc.Content[0], "environments")
	if envs == nil {
		t.Fatalf("honua-gitops.yaml has no environments")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(envs.Content); i += 2 {
		name, env := envs.Content[i].Value, envs.Content[i+1]
		emuURL, ok := w.emus[name]
		if !ok {
			t.Fatalf("honua-gitops.yaml defines environment %q, which the test has no emulator for", name)
		}
		seen[name] = true
		var targets yaml.Node
		spec := []map[string]any{{
			"name":       name,
			"url":        emuURL,
			"credential": map[string]string{"env": "HONUA_API_KEY", "type": "api-key"},
		}}
		if err := targets.Encode(spec); err != nil {
			t.Fatal(err)
		}
		if v := mapValue(env, "targets"); v != nil {
			*v = targets
		} else {
			env.Content = append(env.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "targets"}, &targets)
		}
	}
	for _, e := range environments {
		if !seen[e] {
			t.Fatalf("honua-gitops.yaml does not define environment %q", e)
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// git runs the git CLI in dir.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return gittest.Git(t, dir, args...)
}

// bareGit runs the git CLI on the remote's bare repository.
func (w *world) bareGit(args ...string) string {
	w.t.Helper()
	return gittest.Git(w.t, w.remote.Dir, append([]string{"--git-dir=" + w.remote.Dir}, args...)...)
}

// pullRequest is a pull request: a branch on the remote and a working copy
// at its head.
type pullRequest struct {
	w      *world
	number int
	branch string
	dir    string // working copy at head
	base   string // base commit (main when opened)
	head   string
	heads  []string // every head, oldest first
}

// openPR makes a branch from main's tip with files changed (path to
// content; "" deletes), pushes it and seeds the fake GitHub with the pull
// request and its changed files.
func (w *world) openPR(number int, title string, files map[string]string) *pullRequest {
	t := w.t
	t.Helper()
	dir := w.remote.Checkout(t)
	pr := &pullRequest{w: w, number: number, branch: fmt.Sprintf("change-%d", number), dir: dir}
	pr.base = git(t, dir, "rev-parse", "HEAD")
	pr.commit(title, files)
	w.mu.Lock()
	w.prs = append(w.prs, number)
	w.mu.Unlock()
	w.gh.AddPullRequest(fakegithub.PullRequest{
		Number: number, Title: title, HeadSHA: pr.head, HeadRef: pr.branch, BaseRef: "main",
		Files: pr.changedFiles(),
	})
	return pr
}

// commit commits files on the branch and pushes it.
func (pr *pullRequest) commit(message string, files map[string]string) {
	t := pr.w.t
	t.Helper()
	for name, content := range files {
		p := filepath.Join(pr.dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		gittest.WriteFiles(t, pr.dir, map[string]string{name: content})
	}
	git(t, pr.dir, "add", "--all")
	git(t, pr.dir, "commit", "--quiet", "--message", message)
	pr.head = git(t, pr.dir, "rev-parse", "HEAD")
	pr.heads = append(pr.heads, pr.head)
	git(t, pr.dir, "push", "--quiet", "--force", pr.w.remote.AuthURL(), "HEAD:refs/heads/"+pr.branch)
	pr.w.tellGitHub(pr.dir)
}

// push adds a commit to the pull request (a synchronize event) and updates
// the fake GitHub.
func (pr *pullRequest) push(message string, files map[string]string) {
	pr.w.t.Helper()
	pr.commit(message, files)
	pr.w.gh.SetHead(pr.number, pr.head)
	pr.w.gh.SetPullRequestFiles(pr.number, pr.changedFiles())
}

func (pr *pullRequest) changedFiles() []string {
	out := git(pr.w.t, pr.dir, "diff", "--name-only", pr.base, "HEAD")
	return strings.Fields(out)
}

// merge fast-forwards main on the remote to the pull request's head (as a
// rebase merge leaves it), marks the pull request merged as that commit,
// and returns a fresh checkout of main for the push event.
func (pr *pullRequest) merge() (sha, dir string) {
	w := pr.w
	t := w.t
	t.Helper()
	before := w.remote.BranchTip(t, "main")
	if before != pr.base {
		t.Fatalf("main moved since #%d was opened (%s, base %s): rebase it first", pr.number, before, pr.base)
	}
	git(t, pr.dir, "push", "--quiet", w.remote.AuthURL(), "HEAD:refs/heads/main")
	w.gh.MarkMerged(pr.number, pr.head)
	w.gh.AssociateCommit(pr.head, pr.number)
	dir = w.remote.Checkout(t)
	if got := git(t, dir, "rev-parse", "HEAD"); got != pr.head {
		t.Fatalf("checkout of main is at %s, want %s", got, pr.head)
	}
	return pr.head, dir
}

// tellGitHub registers the commits of dir's HEAD with the fake GitHub, as
// a push to GitHub would, so its compare API can answer ancestry for the
// Action's depth-1 checkout.
func (w *world) tellGitHub(dir string) {
	// A depth-1 clone's boundary commits show no parents: they were
	// registered when they were pushed.
	shallow := map[string]bool{}
	if data, err := os.ReadFile(filepath.Join(dir, ".git", "shallow")); err == nil {
		for _, h := range strings.Fields(string(data)) {
			shallow[h] = true
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(git(w.t, dir, "rev-list", "--reverse", "--parents", "HEAD")), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && !shallow[f[0]] {
			w.gh.AddCommit(f[0], f[1:]...)
		}
	}
}

// ourComments are the pull request's comments posted with the workflow
// token that carry the honua-gitops marker.
func (w *world) ourComments(number int) []fakegithub.Comment {
	var out []fakegithub.Comment
	for _, c := range w.gh.Comments(number) {
		if c.Author == botLogin && strings.Contains(c.Body, "<!-- honua-gitops:pr ") {
			out = append(out, c)
		}
	}
	return out
}

func visible(cs []fakegithub.Comment) []fakegithub.Comment {
	return slices.DeleteFunc(slices.Clone(cs), func(c fakegithub.Comment) bool { return c.Minimized })
}

// honua calls an emulator's admin API and decodes the envelope's data into
// out (when not nil); it returns the response's ETag.
func (w *world) honua(env, method, path string, body any, header http.Header, out any) (int, string) {
	t := w.t
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(w.ctx, method, w.emus[env]+"/api/v1/admin"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", w.apiKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s on the %s emulator: %v", method, path, env, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s on the %s emulator: %s\n%s", method, path, env, resp.Status, data)
	}
	if out != nil {
		var env struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(data, &env); err != nil {
			t.Fatalf("decode %s %s: %v\n%s", method, path, err, data)
		}
		if err := json.Unmarshal(env.Data, out); err != nil {
			t.Fatalf("decode the data of %s %s: %v\n%s", method, path, err, data)
		}
	}
	return resp.StatusCode, resp.Header.Get("ETag")
}

// resource is a Honua resource as the admin API returns it.
type resource struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   map[string]any `json:"metadata"`
	Spec       map[string]any `json:"spec"`
	Status     any            `json:"status,omitempty"`
}

func (r resource) id() string {
	return fmt.Sprintf("%s/%v/%v", r.Kind, r.Metadata["namespace"], r.Metadata["name"])
}

// liveSpecs are an emulator's resources, id → spec.
func (w *world) liveSpecs(env string) map[string]map[string]any {
	var rs []resource
	w.honua(env, http.MethodGet, "/metadata/resources", nil, nil, &rs)
	out := map[string]map[string]any{}
	for _, r := range rs {
		out[r.id()] = r.Spec
	}
	return out
}

// getResource reads one resource and its ETag.
func (w *world) getResource(env, kind, ns, name string) (resource, string) {
	var r resource
	_, etag := w.honua(env, http.MethodGet, fmt.Sprintf("/metadata/resources/%s/%s/%s", kind, ns, name), nil, nil, &r)
	return r, etag
}

// adminEdit changes a resource as Honua's admin UI does: read it with its
// ETag, change it, PUT it back with If-Match.
func (w *world) adminEdit(env, kind, ns, name string, edit func(spec map[string]any)) {
	w.t.Helper()
	r, etag := w.getResource(env, kind, ns, name)
	if etag == "" {
		w.t.Fatalf("GET %s/%s/%s on %s: no ETag", kind, ns, name, env)
	}
	edit(r.Spec)
	r.Status = nil
	w.honua(env, http.MethodPut, fmt.Sprintf("/metadata/resources/%s/%s/%s", kind, ns, name), r,
		http.Header{"If-Match": {etag}}, nil)
}

// cli runs the honua-gitops CLI in dir with the workflow's credentials in
// its environment and returns its standard output and exit code.
func (w *world) cli(dir string, args ...string) (string, int) {
	t := w.t
	t.Helper()
	cmd := exec.CommandContext(w.ctx, filepath.Join(w.p.bin, "honua-gitops"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"HONUA_API_KEY="+w.apiKey,
		"HONUA_GITOPS_GIT_TOKEN="+w.token,
		"DEV_GIS_DB_PASSWORD="+w.dbPassword,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("honua-gitops %s: %v", strings.Join(args, " "), err)
	}
	w.addScanned(fmt.Sprintf("honua-gitops %s output", strings.Join(args, " ")), stdout.String()+stderr.String())
	if code != 0 && code != 3 {
		t.Logf("honua-gitops %s exited %d:\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	return stdout.String(), code
}

// ghProxy forwards to the fake GitHub and can hold requests at a barrier,
// so that concurrent runs deterministically interleave.
type ghProxy struct {
	URL string

	t  *testing.T
	mu sync.Mutex
	b  *barrier
}

// barrier holds the first n requests matching method and path until all n
// have arrived.
type barrier struct {
	method, path string
	n, arrived   int
	release      chan struct{}
}

func startProxy(t *testing.T, gh *fakegithub.Server) *ghProxy {
	target, err := url.Parse(gh.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &ghProxy{t: t}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		p.wait(req)
		rp.ServeHTTP(rw, req)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// APIURL and GraphQLURL are the proxy's GITHUB_API_URL and
// GITHUB_GRAPHQL_URL.
func (p *ghProxy) APIURL() string     { return p.URL + "/api/v3" }
func (p *ghProxy) GraphQLURL() string { return p.URL + "/api/graphql" }

// hold arms a barrier: the next n requests for method and path (the full
// path, /api/v3 included) wait for each other.
func (p *ghProxy) hold(method, path string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.b = &barrier{method: method, path: path, n: n, release: make(chan struct{})}
}

func (p *ghProxy) wait(req *http.Request) {
	p.mu.Lock()
	b := p.b
	if b == nil || req.Method != b.method || req.URL.Path != b.path {
		p.mu.Unlock()
		return
	}
	b.arrived++
	if b.arrived == b.n {
		close(b.release)
		p.b = nil
	}
	p.mu.Unlock()
	select {
	case <-b.release:
	case <-time.After(20 * time.Second):
		p.t.Errorf("barrier on %s %s: only %d of %d requests arrived", b.method, b.path, b.arrived, b.n)
	}
}
