package action_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/action"
	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/prcomment"
)

const honuaKey = "action-test-honua-key-1234"

// world is a repository on a git remote, a fake GitHub and one emulator
// per environment.
type world struct {
	t       *testing.T
	remote  *gittest.Remote
	gh      *fakegithub.Server
	servers map[string]*emulator.Running
	work    string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, remote: gittest.NewRemote(t), servers: map[string]*emulator.Running{}}
	for _, env := range []string{"development", "staging", "production"} {
		s, err := emulator.Start(context.Background(), emulator.Options{APIKey: honuaKey})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		w.servers[env] = s
	}
	files := cmdtest.ExampleFiles(t)
	var cfg strings.Builder
	cfg.WriteString("environments:\n")
	for _, env := range []string{"development", "staging", "production"} {
		cfg.WriteString("  " + env + ":\n    targets:\n      - {name: " + env + ", url: \"" + w.servers[env].URL + "\", credential: {env: HONUA_API_KEY}}\n")
	}
	files["honua-gitops.yaml"] = cfg.String()
	w.remote.Seed(t, files)
	w.gh = fakegithub.Start(t, fakegithub.Options{Owner: "acme", Repo: "city-gis", Token: w.remote.Token})
	w.work = w.remote.Checkout(t)
	return w
}

type runResult struct {
	err     error
	stdout  string
	outputs string
	summary string
}

// run runs the Action in-process for an event.
func (w *world) run(eventName string, event map[string]any, inputs map[string]string) runResult {
	w.t.Helper()
	dir := w.t.TempDir()
	ev, _ := json.Marshal(event)
	evPath := filepath.Join(dir, "event.json")
	require.NoError(w.t, os.WriteFile(evPath, ev, 0o644))
	out, sum := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	for _, f := range []string{out, sum} {
		require.NoError(w.t, os.WriteFile(f, nil, 0o644))
	}
	head := strings.TrimSpace(gittest.Git(w.t, w.work, "rev-parse", "HEAD"))
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": eventName, "GITHUB_EVENT_PATH": evPath,
		"GITHUB_REPOSITORY": "acme/city-gis", "GITHUB_API_URL": w.gh.APIURL(), "GITHUB_GRAPHQL_URL": w.gh.GraphQLURL(),
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "1", "GITHUB_WORKSPACE": w.work, "GITHUB_SHA": head,
		"GITHUB_ACTOR": "ana", "GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": sum,
		"INPUT_GITHUB-TOKEN": w.remote.Token, "INPUT_HONUA-API-KEY": honuaKey, "DEV_GIS_DB_PASSWORD": "dev-db-password-5678",
	}
	if eventName == "push" {
		env["GITHUB_REF"] = "refs/heads/main"
	}
	for k, v := range inputs {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	var stdout bytes.Buffer
	err := action.Run(context.Background(), action.Deps{Getenv: func(k string) string { return env[k] }, Stdout: &stdout,
		Now: func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) }, Version: "test"})
	o, _ := os.ReadFile(out)
	s, _ := os.ReadFile(sum)
	return runResult{err: err, stdout: stdout.String(), outputs: string(o), summary: string(s)}
}

// commit edits a file in the work tree and commits it.
func (w *world) commit(rel, old, new string) string {
	p := filepath.Join(w.work, rel)
	data, err := os.ReadFile(p)
	require.NoError(w.t, err)
	require.Contains(w.t, string(data), old)
	require.NoError(w.t, os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
	gittest.Git(w.t, w.work, "commit", "-qam", "edit "+rel)
	return strings.TrimSpace(gittest.Git(w.t, w.work, "rev-parse", "HEAD"))
}

func prEvent(number int, head string) map[string]any {
	return map[string]any{
		"action":       "synchronize",
		"pull_request": map[string]any{"number": number, "head": map[string]any{"sha": head, "repo": map[string]any{"full_name": "acme/city-gis"}}, "base": map[string]any{"ref": "main"}},
		"repository":   map[string]any{"full_name": "acme/city-gis", "default_branch": "main"},
	}
}

func visible(cs []fakegithub.Comment) []fakegithub.Comment {
	var out []fakegithub.Comment
	for _, c := range cs {
		if !c.Minimized {
			out = append(out, c)
		}
	}
	return out
}

func TestPlanApplyLifecycle(t *testing.T) {
	w := newWorld(t)
	head1 := w.commit("environments/staging/services.yaml", "maxRecordCount: 5000", "maxRecordCount: 6000")
	w.gh.AddPullRequest(fakegithub.PullRequest{Number: 7, HeadSHA: head1, HeadRef: "bigger-pages", Files: []string{"environments/staging/services.yaml"}})

	r := w.run("pull_request", prEvent(7, head1), nil)
	require.NoError(t, r.err, r.stdout)
	comments := visible(w.gh.Comments(7))
	require.Len(t, comments, 1)
	m, ok := prcomment.ParseMarker(comments[0].Body)
	require.True(t, ok)
	assert.Equal(t, []string{"staging"}, keys(m.Envs), "only the environment the PR touches is planned")
	assert.Contains(t, r.outputs, "has-changes")
	assert.Contains(t, r.summary, "staging")

	head2 := w.commit("environments/staging/services.yaml", "maxRecordCount: 6000", "maxRecordCount: 7000")
	w.gh.SetHead(7, head2) // a push to the pull request's branch
	r = w.run("pull_request", prEvent(7, head2), nil)
	require.NoError(t, r.err, r.stdout)
	after := visible(w.gh.Comments(7))
	require.Len(t, after, 1, "edited, not duplicated")
	assert.Equal(t, comments[0].ID, after[0].ID)
	assert.Contains(t, after[0].Body, "Supersedes the plan for")
	m2, _ := prcomment.ParseMarker(after[0].Body)

	// Merge: main moves to head2; the push applies staging.
	gittest.Git(t, w.work, "push", "-q", w.remote.AuthURL(), "HEAD:refs/heads/main")
	w.gh.AddPullRequest(fakegithub.PullRequest{Number: 8, HeadSHA: "unrelated"})
	w.gh.AssociateCommit(head2, 7)
	setMerged(t, w, 7, head2)
	r = w.run("push", map[string]any{"ref": "refs/heads/main", "after": head2, "repository": map[string]any{"default_branch": "main"}},
		map[string]string{"environments": "staging"})
	require.NoError(t, r.err, r.stdout)
	assert.Contains(t, r.outputs, "applied")
	c, err := honua.New(honua.Config{BaseURL: w.servers["staging"].URL, Credential: honuaKey})
	require.NoError(t, err)
	objs, err := c.ListResources(context.Background(), "", "")
	require.NoError(t, err)
	assert.Len(t, objs, 19)
	deps := w.gh.Deployments()
	require.Len(t, deps, 1)
	var states []string
	for _, s := range deps[0].Statuses {
		states = append(states, s.State)
	}
	assert.Equal(t, []string{"in_progress", "success"}, states)
	final := visible(w.gh.Comments(7))
	require.Len(t, final, 1)
	m3, _ := prcomment.ParseMarker(final[0].Body)
	assert.Equal(t, prcomment.Applied, m3.Envs["staging"].Status)
	assert.Equal(t, m2.Envs["staging"].Hash, m3.Envs["staging"].Hash)
	assert.NotEmpty(t, m3.Envs["staging"].DeploymentID)
	for _, text := range []string{withoutMaskCommands(r.stdout), r.outputs, r.summary, final[0].Body} {
		assert.NotContains(t, text, honuaKey)
		assert.NotContains(t, text, w.remote.Token)
	}
}

func TestApplyRefusesAPlanThatChangedSinceReview(t *testing.T) {
	w := newWorld(t)
	head := w.commit("environments/staging/services.yaml", "maxRecordCount: 5000", "maxRecordCount: 6000")
	w.gh.AddPullRequest(fakegithub.PullRequest{Number: 3, HeadSHA: head, Files: []string{"environments/staging/services.yaml"}})
	require.NoError(t, w.run("pull_request", prEvent(3, head), nil).err)
	// Another change lands on main without review before the merge run.
	merged := w.commit("environments/staging/services.yaml", "maxRecordCount: 6000", "maxRecordCount: 9000")
	w.gh.AssociateCommit(merged, 3)
	setMerged(t, w, 3, merged)
	r := w.run("push", map[string]any{"ref": "refs/heads/main", "after": merged, "repository": map[string]any{"default_branch": "main"}},
		map[string]string{"environments": "staging"})
	require.Error(t, r.err)
	assert.Equal(t, app.ExitRefused, app.CodeFor(r.err))
	assert.Contains(t, r.err.Error(), "plan changed since review")
	assert.Contains(t, r.summary, "The plan that would apply now")
	m, _ := prcomment.ParseMarker(visible(w.gh.Comments(3))[0].Body)
	assert.Equal(t, prcomment.Refused, m.Envs["staging"].Status)
}

func setMerged(t *testing.T, w *world, number int, sha string) {
	t.Helper()
	w.gh.MarkMerged(number, sha)
}

// withoutMaskCommands drops ::add-mask:: lines, which must carry the value
// (the runner consumes them and never prints them).
func withoutMaskCommands(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// Two jobs planning the same pull request at once (GitHub cancels pending
// runs, not running ones) leave exactly one visible comment, and the next
// push edits it.
func TestRacingJobsLeaveOneComment(t *testing.T) {
	w := newWorld(t)
	head := w.commit("environments/staging/services.yaml", "maxRecordCount: 5000", "maxRecordCount: 6000")
	w.gh.AddPullRequest(fakegithub.PullRequest{Number: 9, HeadSHA: head, Files: []string{"environments/staging/services.yaml"}})
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- w.run("pull_request", prEvent(9, head), nil).err }()
	}
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	assert.Len(t, visible(w.gh.Comments(9)), 1, "one visible comment after the race")
	kept := visible(w.gh.Comments(9))[0].ID

	next := w.commit("environments/staging/services.yaml", "maxRecordCount: 6000", "maxRecordCount: 6500")
	w.gh.SetHead(9, next)
	require.NoError(t, w.run("pull_request", prEvent(9, next), nil).err)
	after := visible(w.gh.Comments(9))
	require.Len(t, after, 1)
	assert.Equal(t, kept, after[0].ID, "the kept comment is edited from then on")
}

func TestForkPullRequestPlansIntoTheSummary(t *testing.T) {
	w := newWorld(t)
	ro := fakegithub.Start(t, fakegithub.Options{Owner: "acme", Repo: "city-gis", Token: w.remote.Token, ReadOnly: true})
	w.gh = ro
	head := w.commit("environments/staging/services.yaml", "maxRecordCount: 5000", "maxRecordCount: 6000")
	ro.AddPullRequest(fakegithub.PullRequest{Number: 4, HeadSHA: head, HeadRepoFullName: "someone/city-gis", Files: []string{"environments/staging/services.yaml"}})
	ev := prEvent(4, head)
	ev["pull_request"].(map[string]any)["head"].(map[string]any)["repo"] = map[string]any{"full_name": "someone/city-gis"}
	r := w.run("pull_request", ev, map[string]string{"honua-api-key": ""})
	require.NoError(t, r.err, "a fork's plan never fails the job")
	assert.Empty(t, ro.Comments(4))
	assert.Contains(t, r.summary, "Honua plan")
	assert.Contains(t, r.stdout, "the plan is in the job summary")
}

func TestInvalidConfigurationBecomesAnnotations(t *testing.T) {
	w := newWorld(t)
	require.NoError(t, os.WriteFile(filepath.Join(w.work, "environments/staging/broken.yaml"), []byte("apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: x}\nspec: {srid: \"4326\"}\n"), 0o644))
	gittest.Git(t, w.work, "add", "-A")
	gittest.Git(t, w.work, "commit", "-qm", "broken")
	head := strings.TrimSpace(gittest.Git(t, w.work, "rev-parse", "HEAD"))
	w.gh.AddPullRequest(fakegithub.PullRequest{Number: 5, HeadSHA: head, Files: []string{"environments/staging/broken.yaml"}})
	r := w.run("pull_request", prEvent(5, head), nil)
	assert.Equal(t, app.ExitInvalid, app.CodeFor(r.err))
	assert.Contains(t, r.stdout, "::error col=7,file=environments/staging/broken.yaml,line=4,title=honua-gitops%3A invalid configuration::Layer/default/x is missing required field spec.geometryType")
	m, ok := prcomment.ParseMarker(visible(w.gh.Comments(5))[0].Body)
	require.True(t, ok)
	assert.Equal(t, prcomment.Invalid, m.Envs["staging"].Status)
}

// Issue 9 item 9: jobs for two heads of one pull request: the comment
// ends with the newest head's plan whichever job runs last, and when both
// race.
func TestStickyCommentKeepsTheNewestHead(t *testing.T) {
	w := newWorld(t)
	older := w.commit("environments/staging/services.yaml", "maxRecordCount: 5000", "maxRecordCount: 6000")
	newer := w.commit("environments/staging/services.yaml", "maxRecordCount: 6000", "maxRecordCount: 6500")
	head := func(number int) string {
		v := visible(w.gh.Comments(number))
		require.Len(t, v, 1)
		m, ok := prcomment.ParseMarker(v[0].Body)
		require.True(t, ok)
		return m.HeadSHA
	}

	// The newer head's job first, the older one's last.
	w.gh.AddPullRequest(fakegithub.PullRequest{Number: 11, HeadSHA: newer, Files: []string{"environments/staging/services.yaml"}})
	require.NoError(t, w.run("pull_request", prEvent(11, newer), nil).err)
	require.NoError(t, w.run("pull_request", prEvent(11, older), nil).err)
	assert.Equal(t, newer, head(11), "a job for an older head does not overwrite the newer plan")

	// Both at once, a few times.
	for i := range 3 {
		number := 20 + i
		w.gh.AddPullRequest(fakegithub.PullRequest{Number: number, HeadSHA: newer, Files: []string{"environments/staging/services.yaml"}})
		errs := make(chan error, 2)
		for _, h := range []string{older, newer} {
			go func() { errs <- w.run("pull_request", prEvent(number, h), nil).err }()
		}
		require.NoError(t, <-errs)
		require.NoError(t, <-errs)
		assert.Equal(t, newer, head(number), "race %d", i)
	}
}
