package action_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// writeCounter is a proxy in front of a Honua server that counts the
// requests that could write (anything but GET and HEAD).
type writeCounter struct {
	URL    string
	writes atomic.Int64
}

func countWrites(t *testing.T, target string) *writeCounter {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	wc := &writeCounter{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			wc.writes.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	wc.URL = srv.URL
	return wc
}

// importWorld is a server that already runs the example's staging
// environment (applied from another clone) and a configuration repository
// whose staging environment holds no resources yet.
func importWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, remote: gittest.NewRemote(t), servers: map[string]*emulator.Running{}}
	s, err := emulator.Start(context.Background(), emulator.Options{APIKey: honuaKey})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	w.servers["staging"] = s
	other := cmdtest.CopyExample(t)
	gittest.Git(t, other, "init", "-q", "-b", "main")
	gittest.Git(t, other, "add", "-A")
	gittest.Git(t, other, "commit", "-qm", "config")
	a := cmdtest.Run(t, map[string]string{"HONUA_API_KEY": honuaKey}, "apply", "--env", "staging", "--dir", other, "--target", s.URL)
	require.Equal(t, app.ExitOK, a.Code, a.Stdout+a.Stderr)

	w.remote.Seed(t, map[string]string{
		"honua-gitops.yaml":              "environments:\n  staging:\n    path: environments/staging\n    targets:\n      - {name: staging, url: \"" + s.URL + "\", credential: {env: HONUA_API_KEY}}\n",
		"environments/common/.keep":      "",
		"environments/staging/.keep":     "",
		"environments/staging/README.md": "Imported by honua-gitops.\n",
	})
	w.gh = fakegithub.Start(t, fakegithub.Options{Owner: "acme", Repo: "city-gis", Token: w.remote.Token})
	w.work = w.remote.Checkout(t)
	return w
}

func dispatchEvent(command, env string) map[string]any {
	return map[string]any{"inputs": map[string]any{"command": command, "environment": env},
		"ref": "refs/heads/main", "repository": map[string]any{"full_name": "acme/city-gis", "default_branch": "main"}}
}

// showRemote reads rel on branch of the bare remote.
func showRemote(t *testing.T, w *world, branch, rel string) string {
	t.Helper()
	return gittest.Git(t, w.remote.Dir, "--git-dir="+w.remote.Dir, "show", "refs/heads/"+branch+":"+rel)
}

// mergeProposal merges the pull request's branch into main (a fast
// forward: the proposal sits on main's head) as GitHub's merge button would,
// and returns the merged commit.
func mergeProposal(t *testing.T, w *world, number int, branch string) string {
	t.Helper()
	// The dispatch left the checkout as the runner's was; the next job
	// checks out afresh.
	gittest.Git(t, w.work, "checkout", "-q", "--", ".")
	gittest.Git(t, w.work, "clean", "-qfd")
	gittest.Git(t, w.work, "fetch", "-q", w.remote.AuthURL(), "refs/heads/"+branch)
	gittest.Git(t, w.work, "merge", "-q", "--ff-only", "FETCH_HEAD")
	head := strings.TrimSpace(gittest.Git(t, w.work, "rev-parse", "HEAD"))
	gittest.Git(t, w.work, "push", "-q", w.remote.AuthURL(), "HEAD:refs/heads/main")
	w.gh.SetHead(number, head)
	w.gh.AssociateCommit(head, number)
	w.gh.MarkMerged(number, head)
	return head
}

func onlyPullRequest(t *testing.T, w *world) fakegithub.PullRequest {
	t.Helper()
	prs := w.gh.PullRequests()
	require.Len(t, prs, 1)
	return prs[0]
}

// Dispatching import proposes what the server holds in a pull request and
// records nothing; dispatching it again refreshes the same pull request;
// merging it records an import deployment that wrote nothing.
func TestDispatchImportProposesAndTheMergeRecords(t *testing.T) {
	w := importWorld(t)
	wc := countWrites(t, w.servers["staging"].URL)
	inputs := map[string]string{"honua-url": wc.URL}

	r := w.run("workflow_dispatch", dispatchEvent("import", "staging"), inputs)
	require.NoError(t, r.err, r.stdout)
	pr := onlyPullRequest(t, w)
	assert.Equal(t, "honua-gitops/import-staging", pr.HeadRef)
	assert.Equal(t, "main", pr.BaseRef)
	assert.Equal(t, "honua-gitops: import staging from "+wc.URL, pr.Title)
	assert.Contains(t, pr.Body, "`environments/staging/layers.yaml` | 6 |")
	assert.Contains(t, pr.Body, "records an `import` deployment")
	assert.Contains(t, pr.Body, "Secrets to set")
	assert.Contains(t, r.outputs, "proposed")
	assert.Contains(t, r.outputs, "pull-request-url")

	layers := showRemote(t, w, "honua-gitops/import-staging", "environments/staging/layers.yaml")
	assert.Contains(t, layers, "kind: Layer")
	assert.Contains(t, showRemote(t, w, "honua-gitops/import-staging", "environments/staging/README.md"), "Imported by", "the proposal sits on main's files")
	_, err := os.Stat(filepath.Join(w.work, "environments", "staging", "layers.yaml"))
	assert.True(t, os.IsNotExist(err), "the checkout is left alone")
	assert.Empty(t, w.remote.BranchTip(t, config.DefaultStateBranch), "nothing recorded before the merge")
	tip := w.remote.BranchTip(t, "honua-gitops/import-staging")

	r = w.run("workflow_dispatch", dispatchEvent("import", "staging"), inputs)
	require.NoError(t, r.err, r.stdout)
	again := onlyPullRequest(t, w)
	assert.Equal(t, pr.Number, again.Number, "the open pull request is updated, not duplicated")
	assert.Equal(t, tip, w.remote.BranchTip(t, "honua-gitops/import-staging"), "the same files are not pushed again")

	// The plan of the pull request tells its reviewers what the merge does.
	gittest.Git(t, w.work, "fetch", "-q", w.remote.AuthURL(), "refs/heads/honua-gitops/import-staging")
	gittest.Git(t, w.work, "checkout", "-q", "--detach", "FETCH_HEAD")
	ev := prEvent(pr.Number, tip)
	ev["pull_request"].(map[string]any)["head"].(map[string]any)["ref"] = "honua-gitops/import-staging"
	p := w.run("pull_request", ev, map[string]string{"environments": "staging", "honua-url": wc.URL})
	require.NoError(t, p.err, p.stdout)
	comments := visible(w.gh.Comments(pr.Number))
	require.Len(t, comments, 1)
	assert.Contains(t, comments[0].Body, "proposes an import. Merging it records the resources")

	head := mergeProposal(t, w, pr.Number, "honua-gitops/import-staging")
	r = w.run("push", pushEvent(head), map[string]string{"environments": "staging", "honua-url": wc.URL})
	require.NoError(t, r.err, r.stdout)
	recent := showRemote(t, w, config.DefaultStateBranch, "staging/recent.json")
	assert.Contains(t, recent, `"import"`)
	assert.Contains(t, r.summary, "import of #")
	assert.Contains(t, r.outputs, "no-changes", "everything was adopted; nothing left to apply")
	assert.Zero(t, wc.writes.Load(), "import, its update and the merge wrote nothing to the server")

	// The next change's plan starts from what was adopted.
	after := w.run("pull_request", prEvent(99, head), map[string]string{"environments": "staging", "honua-url": wc.URL})
	require.NoError(t, after.err, after.stdout)
	assert.Contains(t, after.summary, "No changes")
	assert.Zero(t, wc.writes.Load())

	for _, text := range []string{withoutMaskCommands(r.stdout), r.outputs, r.summary, again.Body} {
		assert.NotContains(t, text, honuaKey)
		assert.NotContains(t, text, w.remote.Token)
	}
}

// Accepting drift after an edit on the server proposes the changed file
// with the drift table; the merge records an accept-drift deployment and
// drift is clean afterwards.
func TestDispatchAcceptDriftProposesTheServersValues(t *testing.T) {
	w := newWorld(t)
	mergeAndApply(t, w, 7, "maxRecordCount: 5000", "maxRecordCount: 6000")

	c, err := honua.New(honua.Config{BaseURL: w.servers["staging"].URL, Credential: honuaKey})
	require.NoError(t, err)
	obj, err := c.GetResource(context.Background(), resource.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"})
	require.NoError(t, err)
	edited := *obj.Resource
	edited.Spec = resource.Clone(obj.Resource.Spec).(map[string]any)
	edited.Spec["title"] = "Parcels: county data"
	edited.Metadata.Annotations = obj.Annotations
	_, err = c.UpdateResource(context.Background(), &edited, obj.ETag)
	require.NoError(t, err)

	r := w.run("workflow_dispatch", dispatchEvent("accept-drift", "staging"), nil)
	require.NoError(t, r.err, r.stdout)
	var pr fakegithub.PullRequest
	for _, p := range w.gh.PullRequests() {
		if p.HeadRef == "honua-gitops/accept-drift-staging" {
			pr = p
		}
	}
	require.NotZero(t, pr.Number, "a pull request from honua-gitops/accept-drift-staging")
	assert.Contains(t, pr.Body, "| `Layer/planning/parcels` | spec-drift |")
	assert.Contains(t, pr.Body, "records an `accept-drift` deployment")
	assert.Contains(t, r.outputs, "proposed")
	changed := strings.Fields(gittest.Git(t, w.remote.Dir, "--git-dir="+w.remote.Dir, "diff", "--name-only", "refs/heads/main", "refs/heads/honua-gitops/accept-drift-staging"))
	require.Len(t, changed, 1, "one file holds the accepted value")
	assert.Contains(t, showRemote(t, w, "honua-gitops/accept-drift-staging", changed[0]), "Parcels: county data")
	assert.Contains(t, pr.Body, changed[0])

	head := mergeProposal(t, w, pr.Number, "honua-gitops/accept-drift-staging")
	m := w.run("push", pushEvent(head), map[string]string{"environments": "staging"})
	require.NoError(t, m.err, m.stdout)
	assert.Contains(t, showRemote(t, w, config.DefaultStateBranch, "staging/recent.json"), `"accept-drift"`)

	d := w.run("workflow_dispatch", dispatchEvent("drift", "staging"), map[string]string{"environments": "staging"})
	require.NoError(t, d.err, d.stdout)
	assert.Contains(t, d.outputs, "no-drift")
}

// No drift, no pull request.
func TestDispatchAcceptDriftWithoutDriftProposesNothing(t *testing.T) {
	w := newWorld(t)
	mergeAndApply(t, w, 7, "maxRecordCount: 5000", "maxRecordCount: 6000")
	r := w.run("workflow_dispatch", dispatchEvent("accept-drift", "staging"), nil)
	require.NoError(t, r.err, r.stdout)
	assert.Contains(t, r.outputs, "no-changes")
	assert.Empty(t, w.gh.PullRequests()[1:], "only the change's own pull request")
}

// A value the reviewer edits on the import branch is not what the server
// holds: the merge adopts everything else and applies that one edit, which
// is part of the reviewed plan.
func TestMergedImportAppliesWhatReviewChanged(t *testing.T) {
	w := importWorld(t)
	require.NoError(t, w.run("workflow_dispatch", dispatchEvent("import", "staging"), nil).err)
	pr := onlyPullRequest(t, w)

	// The reviewer pushes an edit to the branch; the plan reviews it.
	gittest.Git(t, w.work, "fetch", "-q", w.remote.AuthURL(), "refs/heads/"+pr.HeadRef)
	gittest.Git(t, w.work, "checkout", "-q", "--detach", "FETCH_HEAD")
	head := w.commit("environments/staging/layers.yaml", "title: Parcels\n", "title: Parcels (reviewed)\n")
	gittest.Git(t, w.work, "push", "-q", w.remote.AuthURL(), "HEAD:refs/heads/"+pr.HeadRef)
	w.gh.SetHead(pr.Number, head)
	ev := prEvent(pr.Number, head)
	ev["pull_request"].(map[string]any)["head"].(map[string]any)["ref"] = pr.HeadRef
	p := w.run("pull_request", ev, map[string]string{"environments": "staging"})
	require.NoError(t, p.err, p.stdout)

	merged := mergeProposal(t, w, pr.Number, pr.HeadRef)
	r := w.run("push", pushEvent(merged), map[string]string{"environments": "staging"})
	require.NoError(t, r.err, r.stdout+r.summary)
	assert.Contains(t, r.outputs, "applied")
	assert.Contains(t, r.summary, "Layer/planning/parcels")
	c, err := honua.New(honua.Config{BaseURL: w.servers["staging"].URL, Credential: honuaKey})
	require.NoError(t, err)
	obj, err := c.GetResource(context.Background(), resource.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"})
	require.NoError(t, err)
	assert.Equal(t, "Parcels (reviewed)", obj.Resource.Spec["title"])
	recent := showRemote(t, w, config.DefaultStateBranch, "staging/recent.json")
	assert.Contains(t, recent, `"import"`)
	assert.Contains(t, recent, `"apply"`)
}
