package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/gittest"
)

// applyElsewhere makes env's server hold the example's env, applied with the
// CLI from another clone that is not this repository (its state branch stays
// in that clone): a server set up before honua-gitops was adopted here.
func (w *world) applyElsewhere(env string) {
	t := w.t
	t.Helper()
	dir := t.TempDir()
	gittest.WriteFiles(t, dir, w.exampleFiles())
	git(t, dir, "init", "--quiet", "--initial-branch=main")
	git(t, dir, "add", "--all")
	git(t, dir, "commit", "--quiet", "--message", "the other clone")
	cmd := exec.CommandContext(w.ctx, filepath.Join(w.p.bin, "honua-gitops"), "apply", "--env", env, "--target", env, "--yes")
	cmd.Dir = dir
	// Not GITHUB_ACTIONS even when CI sets it: that clone has no origin to
	// push its state branch to.
	cmd.Env = append(os.Environ(), "HONUA_API_KEY="+w.apiKey, "DEV_GIS_DB_PASSWORD="+w.dbPassword, "GITHUB_ACTIONS=false",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	w.addScanned("honua-gitops apply from another clone", out.String())
	if err != nil {
		t.Fatalf("apply %s from another clone: %v\n%s", env, err, tail(out.String(), 40))
	}
}

// emptyMain commits to main a repository that holds no resources yet (the
// environment directories and development's variables file only), as a
// team starts before its first import, and returns the commit.
func (w *world) emptyMain() string {
	t := w.t
	t.Helper()
	dir := w.remote.Checkout(t)
	for rel := range w.exampleFiles() {
		if strings.HasPrefix(rel, "environments/") && rel != "environments/development/variables.yaml" {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				t.Fatal(err)
			}
		}
	}
	keep := map[string]string{}
	for _, d := range []string{"common", "development", "staging", "production"} {
		keep["environments/"+d+"/.keep"] = "\n"
	}
	gittest.WriteFiles(t, dir, keep)
	git(t, dir, "add", "--all")
	git(t, dir, "commit", "--quiet", "--message", "Start with honua-gitops: no resources in git yet")
	git(t, dir, "push", "--quiet", w.remote.AuthURL(), "HEAD:refs/heads/main")
	w.tellGitHub(dir)
	return git(t, dir, "rev-parse", "HEAD")
}

// proposalPR is the fake GitHub's open pull request from branch.
func (w *world) proposalPR(branch string) fakegithub.PullRequest {
	t := w.t
	t.Helper()
	var found []fakegithub.PullRequest
	for _, pr := range w.gh.PullRequests() {
		if pr.HeadRef == branch {
			found = append(found, pr)
		}
	}
	if len(found) != 1 || found[0].State != "open" || found[0].BaseRef != "main" {
		t.Fatalf("want one open pull request from %s into main, have %+v", branch, found)
	}
	w.mu.Lock()
	w.prs = append(w.prs, found[0].Number)
	w.mu.Unlock()
	return found[0]
}

// mergeProposal merges pull request pr from branch as GitHub's rebase
// merge of a branch on main's tip leaves it (main fast-forwards to the
// branch), then runs the push; it returns the run and the merged commit.
func (w *world) mergeProposal(pr fakegithub.PullRequest, branch string) (*run, string) {
	t := w.t
	t.Helper()
	before := w.remote.BranchTip(t, "main")
	tip := w.remote.BranchTip(t, branch)
	if parent := w.bareGit("rev-parse", tip+"^"); parent != before {
		t.Fatalf("%s is on %s, not on main's tip %s", branch, parent, before)
	}
	w.bareGit("update-ref", "refs/heads/main", tip, before)
	w.gh.SetHead(pr.Number, tip)
	w.gh.MarkMerged(pr.Number, tip)
	w.gh.AssociateCommit(tip, pr.Number)
	dir := w.remote.Checkout(t)
	w.tellGitHub(dir)
	return w.act(fmt.Sprintf("push of #%d", pr.Number), "push", w.pushEvent(before, tip, pr.Title), dir), tip
}

// requireAdopted checks the merge's push run: env's newest deployment is a
// kind deployment of the pull request that wrote nothing to the server
// (marks before and after), the apply found nothing left to do, and plan
// and drift are clean.
func (w *world) requireAdopted(r *run, env, kind string, number int, before string) {
	t := w.t
	t.Helper()
	r.requireSuccess(t)
	dep := w.latestDeployment(env)
	if dep["Honua-Kind"] != kind || dep["Honua-PR"] != fmt.Sprint(number) {
		t.Errorf("newest %s deployment: kind %q, PR %q; want %s of #%d\n%v", env, dep["Honua-Kind"], dep["Honua-PR"], kind, number, dep)
	}
	if id := r.outputFor(t, env, "deployment-id"); id == "" || id != dep["Honua-Deployment"] {
		t.Errorf("%s's apply job: output deployment-id %q, the newest deployment is %q", env, id, dep["Honua-Deployment"])
	}
	if got := r.outputFor(t, env, "result"); got != "no-changes" {
		t.Errorf("%s's apply job: result %q, want no-changes (everything adopted)", env, got)
	}
	if after := w.serverMarks()[env]; after != before {
		t.Errorf("the merge wrote to %s's server: %s before, %s after", env, before, after)
	}
	w.requireInSync(env)
}

// 5. A server that already runs staging is adopted with one click:
// dispatching import opens a pull request with what it holds, and its
// merge records an import deployment that writes nothing.
func TestDispatchImport(t *testing.T) {
	w := newWorld(t)
	w.applyElsewhere("staging")
	w.emptyMain()
	before := w.serverMarks()["staging"]

	r := w.act("dispatch import staging", "workflow_dispatch", w.dispatchEvent(map[string]string{
		"command": "import", "environment": "staging",
	}), w.remote.Checkout(t))
	r.requireSuccess(t)
	if got := r.output(t, "result"); got != "proposed" {
		t.Errorf("output result = %q, want proposed", got)
	}
	const branch = "honua-gitops/import-staging"
	pr := w.proposalPR(branch)
	if got := r.output(t, "pull-request-url"); !strings.HasSuffix(got, fmt.Sprintf("/pull/%d", pr.Number)) {
		t.Errorf("output pull-request-url = %q, want the URL of #%d", got, pr.Number)
	}
	files := strings.Fields(w.bareGit("diff", "--name-only", "main", branch))
	for _, want := range []string{"environments/staging/connections.yaml", "environments/staging/layers.yaml", "environments/staging/services.yaml", "environments/staging/styles.yaml"} {
		if !contains(files, want) {
			t.Errorf("%s does not add %s; it changes %v", branch, want, files)
		}
		if !strings.Contains(pr.Body, want) {
			t.Errorf("the pull request's body does not list %s:\n%s", want, pr.Body)
		}
	}
	if layers := w.bareGit("show", branch+":environments/staging/layers.yaml"); !strings.Contains(layers, "name: parcels") {
		t.Errorf("the proposed layers.yaml has no parcels layer:\n%s", tail(layers, 40))
	}
	if !strings.Contains(pr.Body, "records an `import` deployment") {
		t.Errorf("the pull request's body does not say what the merge records:\n%s", pr.Body)
	}
	for _, c := range w.stateLog() {
		if c["Honua-Environment"] == "staging" && c["Honua-Deployment"] != "" {
			t.Fatalf("the dispatch recorded deployment %s before the merge", c["Honua-Deployment"])
		}
	}

	m, _ := w.mergeProposal(pr, branch)
	w.requireAdopted(m, "staging", "import", pr.Number, before)
}

// 6. The drift issue's other remedy: dispatching accept-drift after an edit
// in the admin UI opens a pull request with the server's value, and its
// merge records an accept-drift deployment that writes nothing.
func TestDispatchAcceptDrift(t *testing.T) {
	w := newWorld(t)
	first, _, _ := w.planThenMerge(firstPR, "Bigger permit pages in staging; new accent colour", w.firstChange())
	first.requireSuccess(t)
	w.adminEdit("staging", "Layer", "planning", "parcels", func(spec map[string]any) {
		spec["title"] = "Parcels (fixed by hand)"
	})
	before := w.serverMarks()["staging"]

	r := w.act("dispatch accept-drift staging", "workflow_dispatch", w.dispatchEvent(map[string]string{
		"command": "accept-drift", "environment": "staging",
	}), w.remote.Checkout(t))
	r.requireSuccess(t)
	if got := r.output(t, "result"); got != "proposed" {
		t.Errorf("output result = %q, want proposed", got)
	}
	const branch = "honua-gitops/accept-drift-staging"
	pr := w.proposalPR(branch)
	files := strings.Fields(w.bareGit("diff", "--name-only", "main", branch))
	if len(files) != 1 {
		t.Fatalf("%s changes %v, want the one file with the accepted value", branch, files)
	}
	if got := w.bareGit("show", branch+":"+files[0]); !strings.Contains(got, "Parcels (fixed by hand)") {
		t.Errorf("%s on %s does not hold the server's title:\n%s", files[0], branch, tail(got, 40))
	}
	if !strings.Contains(pr.Body, "Layer/planning/parcels") || !strings.Contains(pr.Body, "spec-drift") || !strings.Contains(pr.Body, files[0]) {
		t.Errorf("the pull request's body has no drift table naming the layer and the file:\n%s", pr.Body)
	}

	m, _ := w.mergeProposal(pr, branch)
	w.requireAdopted(m, "staging", "accept-drift", pr.Number, before)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
