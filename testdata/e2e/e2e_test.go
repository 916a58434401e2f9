// Package e2e drives the workflow users copy,
// examples/honua-config/.github/workflows/honua-gitops.yml, with nektos/act
// as a library in host mode (no Docker): honua-io/honua-gitops@v1 runs the
// built binary through testdata/e2e/shim, actions/upload-artifact@v4 is a
// stand-in that copies into the test's result directory, and act copies
// the checkout itself for actions/checkout@v4. Each test has its own world:
// a git remote served by git http-backend, a fake GitHub, and one Honua
// emulator per environment.
//
// Run with `make e2e` (it builds the binaries first).
package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/prcomment"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// The first pull request of every world: staging's permits service gets a
// bigger page size, and the theme's secondary colour (common, so every
// environment) changes. Nothing was applied yet, so it is also the first
// deployment of every environment.
const (
	firstPR         = 7
	stagingServices = "environments/staging/services.yaml"
	commonTheme     = "environments/common/theme.yaml"
)

func (w *world) firstChange() map[string]string {
	return map[string]string{
		stagingServices: w.editExample(stagingServices, "maxRecordCount: 5000", "maxRecordCount: 7500"),
		commonTheme:     w.editExample(commonTheme, `secondaryColor: "#f2a541"`, `secondaryColor: "#e07a1f"`),
	}
}

// editExample is an example file with one replacement.
func (w *world) editExample(rel, old, new string) string {
	w.t.Helper()
	files := w.exampleFiles()
	s, ok := files[rel]
	if !ok || !strings.Contains(s, old) {
		w.t.Fatalf("%s does not contain %q", rel, old)
	}
	return strings.Replace(s, old, new, 1)
}

// stickyComment is the pull request's one visible comment of ours, with
// its marker; the test fails unless there is exactly one.
func (w *world) stickyComment(number int) (fakegithub.Comment, *prcomment.Marker) {
	t := w.t
	t.Helper()
	ours := w.ourComments(number)
	vis := visible(ours)
	if len(vis) != 1 {
		t.Fatalf("#%d: want exactly one visible honua-gitops comment, have %d (of %d):\n%s", number, len(vis), len(ours), describeComments(ours))
	}
	m, ok := prcomment.ParseMarker(vis[0].Body)
	if !ok {
		t.Fatalf("#%d: comment %d has no well-formed marker:\n%s", number, vis[0].ID, vis[0].Body)
	}
	return vis[0], m
}

func describeComments(cs []fakegithub.Comment) string {
	var b strings.Builder
	for _, c := range cs {
		m, _ := prcomment.ParseMarker(c.Body)
		head := ""
		if m != nil {
			head = m.HeadSHA
		}
		fmt.Fprintf(&b, "  id=%d author=%s minimized=%v head=%s\n", c.ID, c.Author, c.Minimized, head)
	}
	return b.String()
}

// planHashes decodes the plan-hashes output (environment → hash) and
// checks plan-hash against it: the one hash, or empty for several.
func planHashes(t *testing.T, hashes, single string, envs []string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(hashes), &m); err != nil {
		t.Fatalf("plan-hashes output %q: %v", hashes, err)
	}
	want := ""
	if len(envs) == 1 {
		want = m[envs[0]]
	}
	if single != want {
		t.Errorf("plan-hash output %q, want %q (plan-hashes %s)", single, want, hashes)
	}
	return m
}

// parsePlans reads plan JSON: one plan, or a set of them.
func parsePlans(t *testing.T, data string) []*plan.Plan {
	t.Helper()
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(data), &probe); err != nil {
		t.Fatalf("not plan JSON: %v\n%s", err, tail(data, 20))
	}
	if _, ok := probe["plans"]; ok {
		var set plan.Set
		if err := json.Unmarshal([]byte(data), &set); err != nil {
			t.Fatalf("not a plan set: %v", err)
		}
		return set.Plans
	}
	var p plan.Plan
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		t.Fatalf("not a plan: %v", err)
	}
	return []*plan.Plan{&p}
}

// 1. A pull request is opened: one sticky comment with the plan, the job
// summary, the plan JSON artifact and the outputs.
func TestPullRequestOpened(t *testing.T) {
	w := newWorld(t)
	pr := w.openPR(firstPR, "Bigger permit pages in staging; new accent colour", w.firstChange())

	r := w.act("pull_request opened", "pull_request", pr.event("opened"), pr.dir)
	r.requireSuccess(t)

	// Outputs.
	if got := r.output(t, "has-changes"); got != "true" {
		t.Errorf("output has-changes = %q, want true", got)
	}
	if got := r.output(t, "result"); got != "planned" {
		t.Errorf("output result = %q, want planned", got)
	}
	if got := r.output(t, "plan-json"); got != ".honua-gitops/plan.json" {
		t.Errorf("output plan-json = %q, want .honua-gitops/plan.json", got)
	}
	hashes := planHashes(t, r.output(t, "plan-hashes"), r.output(t, "plan-hash"), environments)

	// Exactly one comment, by the token's user, with the marker and the plan.
	all := w.gh.Comments(pr.number)
	if len(all) != 1 {
		t.Fatalf("#%d has %d comments, want 1:\n%s", pr.number, len(all), describeComments(all))
	}
	c, m := w.stickyComment(pr.number)
	if c.Author != botLogin {
		t.Errorf("comment author %q, want %q", c.Author, botLogin)
	}
	if m.PR != pr.number || m.HeadSHA != pr.head {
		t.Errorf("marker pr=%d head=%s, want pr=%d head=%s", m.PR, m.HeadSHA, pr.number, pr.head)
	}
	for _, env := range environments {
		st, ok := m.Envs[env]
		switch {
		case !ok:
			t.Errorf("marker has no %s (envs %v)", env, sortedKeys(m.Envs))
		case st.Status != prcomment.Planned:
			t.Errorf("marker: %s is %q, want planned", env, st.Status)
		case st.Hash != hashes[env]:
			t.Errorf("marker: %s hash %s, output plan-hashes says %s", env, st.Hash, hashes[env])
		}
	}
	if url := r.output(t, "comment-url"); !strings.Contains(url, fmt.Sprintf("issuecomment-%d", c.ID)) {
		t.Errorf("output comment-url = %q, want the comment %d", url, c.ID)
	}
	for _, want := range []string{"Honua plan", "staging", "planning/permits"} {
		if !strings.Contains(c.Body, want) {
			t.Errorf("the comment does not mention %q:\n%s", want, c.Body)
		}
	}

	// Job summary.
	if !strings.Contains(r.summary, "staging") || !strings.Contains(r.summary, "Honua plan") {
		t.Errorf("job summary lacks the staging plan:\n%s", r.summary)
	}

	// The plan JSON, uploaded as the honua-gitops-plan artifact.
	art, ok := r.artifacts["honua-gitops-plan/plan.json"]
	if !ok {
		t.Fatalf("no plan artifact; artifacts: %v", sortedKeys(r.artifacts))
	}
	plans := parsePlans(t, art)
	got := map[string]string{}
	for _, p := range plans {
		got[p.Environment] = p.Hash
	}
	for _, env := range environments {
		if got[env] != hashes[env] {
			t.Errorf("plan artifact: %s hash %q, outputs say %q", env, got[env], hashes[env])
		}
	}
}

// 2. Pushes to the pull request edit the one comment in place, also when
// two runs race; a later run edits, never duplicates.
func TestPullRequestSynchronize(t *testing.T) {
	w := newWorld(t)
	pr := w.openPR(firstPR, "Bigger permit pages in staging", w.firstChange())
	w.act("opened", "pull_request", pr.event("opened"), pr.dir).requireSuccess(t)
	first, m1 := w.stickyComment(pr.number)
	if m1.HeadSHA != pr.head {
		t.Fatalf("first plan is for %s, want %s", m1.HeadSHA, pr.head)
	}
	head1 := pr.head

	// Second push: the same comment is edited and supersedes the first plan.
	pr.push("Even bigger pages", map[string]string{
		stagingServices: w.editExample(stagingServices, "maxRecordCount: 5000", "maxRecordCount: 8000"),
	})
	w.act("synchronize", "pull_request", pr.event("synchronize"), pr.dir).requireSuccess(t)
	second, m2 := w.stickyComment(pr.number)
	if second.ID != first.ID {
		t.Errorf("synchronize: comment %d, want the first comment %d edited", second.ID, first.ID)
	}
	if n := len(w.gh.Comments(pr.number)); n != 1 {
		t.Errorf("synchronize: #%d has %d comments, want 1", pr.number, n)
	}
	if m2.HeadSHA != pr.head || m2.Supersedes != head1 {
		t.Errorf("synchronize: marker head=%s supersedes=%s, want head=%s supersedes=%s", m2.HeadSHA, m2.Supersedes, pr.head, head1)
	}
	if !strings.Contains(second.Body, "Supersedes the plan for `"+head1[:7]) {
		t.Errorf("synchronize: the comment does not say it supersedes %s:\n%s", head1[:7], tail(second.Body, 400))
	}

	// Third push, and two runs of its event at once.
	pr.push("Pages of 9000", map[string]string{
		stagingServices: w.editExample(stagingServices, "maxRecordCount: 5000", "maxRecordCount: 9000"),
	})
	w.proxy.hold("GET", w.commentsPath(pr.number), 2) // both read the comments before either writes
	raceRuns := w.actParallel(2, "synchronize race", "pull_request", pr.event("synchronize"), pr.dir)
	for _, r := range raceRuns {
		r.requireSuccess(t)
	}
	raced, m3 := w.stickyComment(pr.number)
	if raced.ID != first.ID {
		t.Errorf("race: the visible comment is %d, want %d\n%s", raced.ID, first.ID, describeComments(w.ourComments(pr.number)))
	}
	if m3.HeadSHA != pr.head {
		t.Errorf("race: marker head %s, want %s", m3.HeadSHA, pr.head)
	}

	// A third run of the same event edits the comment; nothing new appears.
	before := len(w.gh.Comments(pr.number))
	w.act("synchronize again", "pull_request", pr.event("synchronize"), pr.dir).requireSuccess(t)
	after, _ := w.stickyComment(pr.number)
	if after.ID != first.ID || len(w.gh.Comments(pr.number)) != before {
		t.Errorf("rerun: visible comment %d (want %d), %d comments (want %d)\n%s",
			after.ID, first.ID, len(w.gh.Comments(pr.number)), before, describeComments(w.ourComments(pr.number)))
	}
}

// 2b. Two runs race on a pull request without a comment yet: whatever both
// create, exactly one stays visible, and a later run edits it.
func TestPullRequestOpenedRace(t *testing.T) {
	w := newWorld(t)
	pr := w.openPR(firstPR, "Bigger permit pages in staging", w.firstChange())
	w.proxy.hold("GET", w.commentsPath(pr.number), 2) // both find no comment, both create one
	for _, r := range w.actParallel(2, "opened race", "pull_request", pr.event("opened"), pr.dir) {
		r.requireSuccess(t)
	}
	kept, m := w.stickyComment(pr.number)
	if m.HeadSHA != pr.head {
		t.Errorf("race: marker head %s, want %s", m.HeadSHA, pr.head)
	}
	t.Logf("after the race: %d comments\n%s", len(w.gh.Comments(pr.number)), describeComments(w.ourComments(pr.number)))
	if n := len(w.ourComments(pr.number)); n != 2 {
		t.Errorf("the barrier should have made both runs create a comment; there are %d", n)
	}

	before := len(w.gh.Comments(pr.number))
	w.act("opened rerun", "pull_request", pr.event("opened"), pr.dir).requireSuccess(t)
	again, _ := w.stickyComment(pr.number)
	if again.ID != kept.ID || len(w.gh.Comments(pr.number)) != before {
		t.Errorf("rerun: visible comment %d (want %d), %d comments (want %d)\n%s",
			again.ID, kept.ID, len(w.gh.Comments(pr.number)), before, describeComments(w.ourComments(pr.number)))
	}
}

// commentsPath is the REST path of a pull request's comments.
func (w *world) commentsPath(number int) string {
	return fmt.Sprintf("/api/v3/repos/%s/issues/%d/comments", repoFull, number)
}

// actParallel starts n act runs of the same event at once.
func (w *world) actParallel(n int, name, event string, payload map[string]any, workdir string) []*run {
	runs := make([]*run, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			runs[i] = w.act(fmt.Sprintf("%s %d", name, i+1), event, payload, workdir)
		})
	}
	wg.Wait()
	return runs
}

// planThenMerge opens the first pull request, plans it, merges it and runs
// the push: the first deployment of every environment. It returns the push
// run and the merged commit.
func (w *world) planThenMerge(number int, title string, files map[string]string) (*run, *pullRequest, string) {
	t := w.t
	t.Helper()
	pr := w.openPR(number, title, files)
	w.act(fmt.Sprintf("#%d opened", number), "pull_request", pr.event("opened"), pr.dir).requireSuccess(t)
	before := pr.base
	sha, dir := pr.merge()
	r := w.act(fmt.Sprintf("push of #%d", number), "push", w.pushEvent(before, sha, title), dir)
	return r, pr, sha
}

// stateLog is the state branch's history, newest first: each commit's
// trailers.
func (w *world) stateLog() []map[string]string {
	w.t.Helper()
	if w.remote.BranchTip(w.t, stateBranch) == "" {
		return nil
	}
	out := w.bareGit("log", "--format=%H%x1f%B%x1e", stateBranch)
	var commits []map[string]string
	for _, rec := range strings.Split(out, "\x1e") {
		rec = strings.TrimSpace(rec)
		if rec == "" {
			continue
		}
		hash, msg, _ := strings.Cut(rec, "\x1f")
		tr := statebranch.ParseTrailers(strings.TrimSpace(msg))
		tr["commit"] = hash
		commits = append(commits, tr)
	}
	return commits
}

// deploymentsOf are the fake GitHub's deployments to env, oldest first.
func (w *world) deploymentsOf(env string) []fakegithub.Deployment {
	var out []fakegithub.Deployment
	for _, d := range w.gh.Deployments() {
		if d.Environment == env {
			out = append(out, d)
		}
	}
	return out
}

func statusStates(d fakegithub.Deployment) []string {
	var out []string
	for _, s := range d.Statuses {
		out = append(out, s.State)
	}
	return out
}

// requireInSync checks, with the CLI in a fresh checkout of main, that env
// has nothing to apply against the state branch and that its emulator
// shows no drift from it.
func (w *world) requireInSync(env string) {
	t := w.t
	t.Helper()
	dir := w.requireLiveInSync(env)
	text, code := w.cli(dir, "plan", "--env", env, "--fetch")
	if code != 0 || !strings.Contains(text, "No changes") {
		t.Errorf("%s: honua-gitops plan --env %s in a fresh checkout of main (exit %d) does not say No changes:\n%s", env, env, code, tail(text, 30))
	}
}

// 3. The merge's push applies what was reviewed, environment by
// environment: the emulators hold it, the state branch records it, GitHub
// shows the deployments and the comment says applied.
func TestPushAppliesReviewedPlan(t *testing.T) {
	w := newWorld(t)
	r, pr, sha := w.planThenMerge(firstPR, "Bigger permit pages in staging; new accent colour", w.firstChange())
	r.requireSuccess(t)
	_, reviewed := w.stickyComment(pr.number)

	// Every matrix job applied its environment.
	if len(r.outputs) != len(environments) {
		t.Fatalf("want one action run per environment, have %d: %v", len(r.outputs), r.outputs)
	}
	for i, o := range r.outputs {
		if o["result"] != "applied" || o["deployment-id"] == "" {
			t.Errorf("apply job %d: result=%q deployment-id=%q, want applied with an id", i+1, o["result"], o["deployment-id"])
		}
	}

	// The emulators hold the desired state: the CLI finds nothing to do.
	for _, env := range environments {
		w.requireInSync(env)
	}
	if got := w.liveSpecs("staging")["Service/planning/permits"]; fmt.Sprint(got["settings"]) != "map[defaultRecordCount:500 maxRecordCount:7500]" {
		t.Errorf("staging permits settings on the emulator: %v, want maxRecordCount 7500", got["settings"])
	}
	if got := w.liveSpecs("production")["Theme/city/riverton"]; got["secondaryColor"] != "#e07a1f" {
		t.Errorf("production theme on the emulator: %v", got)
	}
	// development's connection password came from DEV_GIS_DB_PASSWORD.
	conn, _ := w.getResource("development", "Connection", "city", "gis-postgis")
	if conn.Spec["password"] != w.dbPassword {
		t.Errorf("development connection password on the emulator is %q, want DEV_GIS_DB_PASSWORD's value", fmt.Sprint(conn.Spec["password"]))
	}

	// The state branch has one deployment commit per environment.
	log := w.stateLog()
	byEnv := map[string]map[string]string{}
	for _, c := range log {
		if env := c["Honua-Environment"]; env != "" && c["Honua-Deployment"] != "" {
			if _, seen := byEnv[env]; !seen {
				byEnv[env] = c
			}
		}
	}
	for _, env := range environments {
		c, ok := byEnv[env]
		if !ok {
			t.Errorf("state branch: no deployment commit for %s; history:\n%v", env, log)
			continue
		}
		want := map[string]string{
			"Honua-Kind": "apply", "Honua-Source-Commit": sha, "Honua-PR": fmt.Sprint(pr.number),
			"Honua-Plan-Hash": reviewed.Envs[env].Hash,
		}
		for k, v := range want {
			if c[k] != v {
				t.Errorf("state branch, %s deployment commit %s: %s = %q, want %q", env, c["commit"][:12], k, c[k], v)
			}
		}
		// The deployment was claimed (applying) before it was applied, and
		// recorded as succeeded after.
		var results []string
		for _, x := range log {
			if x["Honua-Deployment"] == c["Honua-Deployment"] {
				results = append([]string{x["Honua-Result"]}, results...)
			}
		}
		if strings.Join(results, ",") != "applying,succeeded" {
			t.Errorf("state branch, %s deployment %s: results %v, want [applying succeeded]", env, c["Honua-Deployment"], results)
		}
	}
	files := w.bareGit("ls-tree", "-r", "--name-only", stateBranch)
	for _, env := range environments {
		if !strings.Contains(files, env+"/snapshot.json") || strings.Contains(files, env+"/claim.json") {
			t.Errorf("state branch files: want %s/snapshot.json and no claim left:\n%s", env, files)
		}
	}
	gittest.FsckClean(t, w.remote.Dir)
	if !strings.Contains(r.summary, "staging: applied") {
		t.Errorf("the apply job summaries do not report staging applied:\n%s", tail(r.summary, 40))
	}

	// GitHub deployments: one per environment, in_progress then success,
	// with the environment URL.
	for _, env := range environments {
		ds := w.deploymentsOf(env)
		if len(ds) != 1 {
			t.Errorf("GitHub deployments for %s: %d, want 1", env, len(ds))
			continue
		}
		d := ds[0]
		if got := statusStates(d); strings.Join(got, ",") != "in_progress,success" {
			t.Errorf("deployment %d (%s) statuses %v, want [in_progress success]", d.ID, env, got)
		}
		if d.SHA != sha && d.Ref != sha {
			t.Errorf("deployment %d (%s) ref %q sha %q, want %s", d.ID, env, d.Ref, d.SHA, sha)
		}
		if last := d.Statuses[len(d.Statuses)-1]; last.EnvironmentURL != w.emus[env] {
			t.Errorf("deployment %d (%s) environment_url %q, want %q", d.ID, env, last.EnvironmentURL, w.emus[env])
		}
	}

	// The pull request's one comment shows every environment applied.
	c, m := w.stickyComment(pr.number)
	for _, env := range environments {
		st := m.Envs[env]
		if st.Status != prcomment.Applied || st.DeploymentID == "" {
			t.Errorf("comment marker: %s is %q (deployment %q), want applied", env, st.Status, st.DeploymentID)
		}
	}
	if !strings.Contains(c.Body, "applied") {
		t.Errorf("the comment does not say applied:\n%s", tail(c.Body, 40))
	}
}

// requireLiveInSync checks, with the CLI in a fresh checkout of main,
// that env has nothing to apply and no drift with its server's live state
// read; it returns the checkout.
func (w *world) requireLiveInSync(env string) string {
	t := w.t
	t.Helper()
	dir := w.remote.Checkout(t)
	out, code := w.cli(dir, "plan", "--env", env, "--fetch", "--target", env, "--format", "json", "--detailed-exitcode")
	if code != 0 {
		t.Errorf("%s: honua-gitops plan --env %s --target %s exited %d (3 = changes):\n%s", env, env, env, code, tail(out, 60))
		return dir
	}
	ps := parsePlans(t, out)
	if len(ps) != 1 || ps[0].HasChanges() || len(ps[0].Drift) > 0 || !ps[0].LiveRead {
		t.Errorf("%s: want no changes and no drift with live state read; got %s", env, tail(out, 60))
	}
	return dir
}

// stagingParcels is an overlay that changes a staging layer.
const stagingParcels = `apiVersion: honua.io/v1alpha1
kind: Layer
metadata:
  name: parcels
  namespace: planning
spec:
  title: Parcels (staging preview)
  minScale: 25000
`

// latestDeployment is the newest state-branch deployment commit of env.
func (w *world) latestDeployment(env string) map[string]string {
	for _, c := range w.stateLog() {
		if c["Honua-Environment"] == env && c["Honua-Deployment"] != "" {
			return c
		}
	}
	w.t.Fatalf("the state branch has no deployment of %s", env)
	return nil
}

// 4. A workflow_dispatch rollback returns staging to the deployment before
// the last one and records it.
func TestDispatchRollback(t *testing.T) {
	w := newWorld(t)
	first, _, _ := w.planThenMerge(firstPR, "Bigger permit pages in staging; new accent colour", w.firstChange())
	first.requireSuccess(t)
	firstStaging := w.latestDeployment("staging")
	applied1 := w.liveSpecs("staging")

	// A second pull request changes a staging layer; its merge applies it.
	second, _, _ := w.planThenMerge(firstPR+1, "Preview parcels at smaller scales in staging", map[string]string{
		"environments/staging/layers.yaml": stagingParcels,
	})
	second.requireSuccess(t)
	results := map[string]string{}
	for i, o := range second.outputs {
		results[environments[i]] = o["result"]
	}
	if results["staging"] != "applied" || results["development"] != "no-changes" || results["production"] != "no-changes" {
		t.Fatalf("second merge: results %v, want staging applied and the others no-changes", results)
	}
	parcels := w.liveSpecs("staging")["Layer/planning/parcels"]
	if fmt.Sprint(parcels["minScale"]) != "25000" || parcels["title"] != "Parcels (staging preview)" {
		t.Fatalf("staging parcels after the second apply: minScale=%v title=%v", parcels["minScale"], parcels["title"])
	}
	secondStaging := w.latestDeployment("staging")
	if secondStaging["Honua-Deployment"] == firstStaging["Honua-Deployment"] {
		t.Fatalf("the second apply recorded no new staging deployment")
	}

	// Roll staging back to the previous deployment.
	ghBefore := len(w.deploymentsOf("staging"))
	r := w.act("rollback staging", "workflow_dispatch", w.dispatchEvent(map[string]string{
		"command": "rollback", "environment": "staging", "deployment": "previous",
	}), w.remote.Checkout(t))
	r.requireSuccess(t)
	if got := r.output(t, "result"); got != "rolled-back" {
		t.Errorf("output result = %q, want rolled-back", got)
	}

	// The emulator holds the first applied state again.
	after := w.liveSpecs("staging")
	if diff := specDiff(applied1, after); diff != "" {
		t.Errorf("staging after the rollback differs from the first applied state:\n%s", diff)
	}
	// ... and shows no drift from what the state branch now records.
	if out, code := w.cli(w.remote.Checkout(t), "drift", "--env", "staging", "--fetch", "--target", "staging", "--detailed-exitcode"); code != 0 {
		t.Errorf("honua-gitops drift --env staging after the rollback exited %d:\n%s", code, out)
	}

	// The state branch records the rollback as a new deployment.
	rb := w.latestDeployment("staging")
	if rb["Honua-Kind"] != "rollback" || rb["Honua-Rollback-To"] != firstStaging["Honua-Deployment"] {
		t.Errorf("newest staging deployment commit: kind %q rollback-to %q, want rollback to %s\n%v",
			rb["Honua-Kind"], rb["Honua-Rollback-To"], firstStaging["Honua-Deployment"], rb)
	}
	if id := r.output(t, "deployment-id"); id == "" || id != rb["Honua-Deployment"] {
		t.Errorf("output deployment-id %q, the state branch's newest staging deployment is %q", id, rb["Honua-Deployment"])
	}

	// GitHub shows it as a successful deployment to staging.
	ds := w.deploymentsOf("staging")
	if len(ds) != ghBefore+1 {
		t.Fatalf("GitHub deployments to staging: %d, want %d", len(ds), ghBefore+1)
	}
	if got := statusStates(ds[len(ds)-1]); len(got) == 0 || got[len(got)-1] != "success" {
		t.Errorf("the rollback's GitHub deployment statuses: %v, want ending in success", got)
	}
}

// specDiff lists the resources whose specs differ between two live states.
func specDiff(want, got map[string]map[string]any) string {
	var b strings.Builder
	for _, id := range sortedKeys(want) {
		g, ok := got[id]
		switch {
		case !ok:
			fmt.Fprintf(&b, "  missing %s\n", id)
		case !jsonEqual(want[id], g):
			fmt.Fprintf(&b, "  %s: want %s\n  %s:  got %s\n", id, mustJSON(want[id]), id, mustJSON(g))
		}
	}
	for _, id := range sortedKeys(got) {
		if _, ok := want[id]; !ok {
			fmt.Fprintf(&b, "  extra %s\n", id)
		}
	}
	return b.String()
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonEqual(a, b any) bool { return mustJSON(a) == mustJSON(b) }

// driftIssues are the fake GitHub's issues labelled for drift.
func (w *world) driftIssues() []fakegithub.Issue {
	var out []fakegithub.Issue
	for _, is := range w.gh.Issues() {
		for _, l := range is.Labels {
			if l == "honua-gitops-drift" {
				out = append(out, is)
				break
			}
		}
	}
	return out
}

// 5. The nightly schedule, one matrix job per environment (each with its
// GitHub environment), keeps one drift issue per environment: opened
// when someone edits staging in the admin UI, updated while it lasts,
// closed when it is gone.
func TestScheduleDriftIssue(t *testing.T) {
	w := newWorld(t)
	r, _, _ := w.planThenMerge(firstPR, "Bigger permit pages in staging; new accent colour", w.firstChange())
	r.requireSuccess(t)

	nightly := func(name string) *run {
		t.Helper()
		r := w.act(name, "schedule", w.scheduleEvent(), w.remote.Checkout(t))
		r.requireSuccess(t)
		return r
	}

	// wantDrift checks each environment's matrix job: one action run per
	// environment, with drift only where listed.
	wantDrift := func(r *run, when string, drifted ...string) {
		t.Helper()
		if len(r.outputs) != len(environments) {
			t.Fatalf("%s: want one drift job per environment, have %d action runs: %v", when, len(r.outputs), r.outputs)
		}
		for _, env := range environments {
			want := "no-drift"
			for _, d := range drifted {
				if d == env {
					want = "drift"
				}
			}
			if got := r.outputFor(t, env, "result"); got != want {
				t.Errorf("%s: %s's drift job: result %q, want %s", when, env, got, want)
			}
		}
	}

	// Nothing drifted yet: no issue.
	r0 := nightly("schedule, no drift")
	wantDrift(r0, "before any edit")
	if is := w.driftIssues(); len(is) != 0 {
		t.Fatalf("before any edit: %d drift issues, want none", len(is))
	}

	// Someone edits a staging layer in Honua's admin UI.
	w.adminEdit("staging", "Layer", "planning", "parcels", func(spec map[string]any) {
		spec["title"] = "Parcels (fixed by hand)"
	})
	r1 := nightly("schedule, drift")
	wantDrift(r1, "after the edit", "staging")
	issues := w.driftIssues()
	if len(issues) != 1 {
		t.Fatalf("after the edit: %d drift issues, want 1: %+v", len(issues), issues)
	}
	opened := issues[0]
	if opened.State != "open" || !strings.Contains(opened.Title, "staging") || !strings.Contains(opened.Body, "env=staging") ||
		!strings.Contains(opened.Body, "planning/parcels") ||
		!strings.Contains(opened.Body, "`drift-guard: overwrite`") || !strings.Contains(opened.Body, "`command: accept-drift`") {
		t.Errorf("drift issue #%d: state %s, title %q, body:\n%s", opened.Number, opened.State, opened.Title, opened.Body)
	}

	// The next night it is still there: the same issue, updated.
	nightly("schedule, drift again")
	issues = w.driftIssues()
	if len(issues) != 1 || issues[0].Number != opened.Number || issues[0].State != "open" {
		t.Fatalf("second night: drift issues %+v, want #%d still open and alone", issues, opened.Number)
	}
	if !issues[0].UpdatedAt.After(opened.UpdatedAt) {
		t.Errorf("second night: issue #%d was not updated (updated_at %s, before %s)", opened.Number, issues[0].UpdatedAt, opened.UpdatedAt)
	}

	// Someone restores the repository's version: a dispatched apply with
	// drift-guard overwrite repairs the drift, though nothing is planned.
	repair := w.act("apply staging, overwrite drift", "workflow_dispatch", w.dispatchEvent(map[string]string{
		"command": "apply", "environment": "staging", "drift-guard": "overwrite",
	}), w.remote.Checkout(t))
	repair.requireSuccess(t)
	if got := repair.output(t, "result"); got != "applied" {
		t.Errorf("dispatched repair: result %q, want applied", got)
	}
	if spec, _ := w.getResource("staging", "Layer", "planning", "parcels"); spec.Spec["title"] != "Parcels" {
		t.Errorf("after the repair the title is %v, want the repository's \"Parcels\"", spec.Spec["title"])
	}
	r3 := nightly("schedule, drift gone")
	wantDrift(r3, "after the restore")
	issues = w.driftIssues()
	if len(issues) != 1 || issues[0].Number != opened.Number || issues[0].State != "closed" {
		t.Fatalf("after the restore: drift issues %+v, want #%d closed", issues, opened.Number)
	}
	if n := len(issues[0].Comments); n != 1 {
		t.Errorf("after the restore: issue #%d has %d comments, want the closing note", opened.Number, n)
	}
}

// 6. plan is a required check, so it runs on every pull request: one that
// touches nothing under environments/ (nor honua-gitops.yaml) passes at
// once with "no configuration changes", posts no comment and uploads no
// plan.
func TestPullRequestOutsideEnvironments(t *testing.T) {
	w := newWorld(t)
	pr := w.openPR(firstPR, "Document the release process", map[string]string{
		"docs/releasing.md": "# Releasing\n\nTag the commit.\n",
	})
	r := w.act("pull_request outside environments", "pull_request", pr.event("opened"), pr.dir)
	r.requireSuccess(t)
	if !strings.Contains(r.actLog, "Success - Main honua") {
		t.Fatalf("the plan job's action step did not run (is the job filtered?):\n%s", tail(r.actLog, 60))
	}
	if got := r.output(t, "result"); got != "no-changes" {
		t.Errorf("output result = %q, want no-changes", got)
	}
	if got := r.output(t, "has-changes"); got != "false" {
		t.Errorf("output has-changes = %q, want false", got)
	}
	if got := r.output(t, "plan-json"); got != "" {
		t.Errorf("output plan-json = %q, want none", got)
	}
	if !strings.Contains(r.actLog, "no configuration changes") {
		t.Errorf("the plan job does not say no configuration changes:\n%s", tail(r.actLog, 60))
	}
	if n := len(w.gh.Comments(pr.number)); n != 0 {
		t.Errorf("#%d has %d comments, want none:\n%s", pr.number, n, describeComments(w.gh.Comments(pr.number)))
	}
	if len(r.artifacts) != 0 {
		t.Errorf("artifacts %v, want none", sortedKeys(r.artifacts))
	}
	if r.duration > runTimeout/3 {
		t.Errorf("the no-op plan took %s", r.duration)
	}
}

// 7. "Run workflow" with the defaults plans staging: nothing is applied,
// and the plan JSON the job summary promises is uploaded.
func TestDispatchDefaultsToPlan(t *testing.T) {
	w := newWorld(t)
	r := w.act("dispatch with defaults", "workflow_dispatch", w.dispatchEvent(map[string]string{}), w.remote.Checkout(t))
	r.requireSuccess(t)
	if got := r.output(t, "result"); got != "planned" {
		t.Errorf("output result = %q, want planned", got)
	}
	if got := r.output(t, envsKey); got != "staging" {
		t.Errorf("the dispatch ran for %q, want the default staging", got)
	}
	if id := r.output(t, "deployment-id"); id != "" {
		t.Errorf("output deployment-id = %q: the default dispatch deployed", id)
	}
	art, ok := r.artifacts["honua-gitops-plan/plan.json"]
	if !ok {
		t.Fatalf("no plan artifact; artifacts: %v", sortedKeys(r.artifacts))
	}
	plans := parsePlans(t, art)
	if len(plans) != 1 || plans[0].Environment != "staging" || !plans[0].HasChanges() {
		t.Errorf("plan artifact: want staging's plan with changes, got %s", tail(art, 20))
	}
	if ds := w.gh.Deployments(); len(ds) != 0 {
		t.Errorf("GitHub deployments after a default dispatch: %d, want none", len(ds))
	}
	if log := w.stateLog(); len(log) != 0 {
		t.Errorf("the state branch has %d commits after a default dispatch, want none", len(log))
	}
	if live := w.liveSpecs("staging"); len(live) != 0 {
		t.Errorf("the staging emulator holds %d resources after a default dispatch, want none", len(live))
	}
}
