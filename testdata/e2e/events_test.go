package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The event payloads start from real GitHub webhook examples (octokit/webhooks,
// in shared/testdata-external/github-webhooks) adapted to acme/city-gis.

// loadPayload reads a shared example payload with its repository and
// owner renamed.
func (w *world) loadPayload(rel string, renames ...string) map[string]any {
	t := w.t
	t.Helper()
	data, err := os.ReadFile(filepath.Join(w.p.webhooks, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("read the example payload: %v", err)
	}
	text := strings.NewReplacer(renames...).Replace(string(data))
	var ev map[string]any
	if err := json.Unmarshal([]byte(text), &ev); err != nil {
		t.Fatalf("parse %s: %v", rel, err)
	}
	return ev
}

var helloWorld = []string{"Codertocat/Hello-World", repoFull, "Hello-World", repoName, "Codertocat", repoOwner}

// obj returns m[key] as an object, failing when it is not one.
func obj(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	v, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("example payload: %q is not an object", key)
	}
	return v
}

// fixRepository makes a repository object acme/city-gis with main as its
// default branch.
func fixRepository(t *testing.T, repo map[string]any) {
	t.Helper()
	repo["full_name"] = repoFull
	repo["name"] = repoName
	repo["default_branch"] = "main"
	if _, ok := repo["master_branch"]; ok {
		repo["master_branch"] = "main"
	}
	repo["fork"] = false
	owner := obj(t, repo, "owner")
	owner["login"] = repoOwner
	if _, ok := owner["name"]; ok {
		owner["name"] = repoOwner
	}
}

// prEvent is a pull_request event (action opened or synchronize) for the
// pull request at its current head.
func (pr *pullRequest) event(action string) map[string]any {
	w := pr.w
	t := w.t
	t.Helper()
	ev := w.loadPayload("pull_request/"+action+".payload.json", helloWorld...)
	ev["action"] = action
	ev["number"] = pr.number
	p := obj(t, ev, "pull_request")
	p["number"] = pr.number
	p["state"] = "open"
	p["merged"] = false
	p["merge_commit_sha"] = nil
	p["title"] = "Change #" + itoa(pr.number)
	head, base := obj(t, p, "head"), obj(t, p, "base")
	head["ref"], head["sha"], head["label"] = pr.branch, pr.head, repoOwner+":"+pr.branch
	base["ref"], base["sha"], base["label"] = "main", pr.base, repoOwner+":main"
	fixRepository(t, obj(t, head, "repo"))
	fixRepository(t, obj(t, base, "repo"))
	fixRepository(t, obj(t, ev, "repository"))
	p["changed_files"] = len(pr.changedFiles())
	p["commits"] = len(pr.heads)
	return ev
}

// pushEvent is the push of main from before to after.
func (w *world) pushEvent(before, after, message string) map[string]any {
	t := w.t
	t.Helper()
	ev := w.loadPayload("push/with-new-branch.payload.json", helloWorld...)
	ev["ref"] = "refs/heads/main"
	ev["before"] = before
	ev["after"] = after
	ev["created"] = false
	ev["deleted"] = false
	ev["forced"] = false
	ev["base_ref"] = nil
	ev["compare"] = "https://github.com/" + repoFull + "/compare/" + before[:12] + "..." + after[:12]
	fixRepository(t, obj(t, ev, "repository"))
	hc := obj(t, ev, "head_commit")
	hc["id"] = after
	hc["message"] = message
	hc["url"] = "https://github.com/" + repoFull + "/commit/" + after
	hc["timestamp"] = time.Now().UTC().Format(time.RFC3339)
	ev["commits"] = []any{hc}
	return ev
}

// dispatchEvent is a workflow_dispatch of the workflow with inputs.
func (w *world) dispatchEvent(inputs map[string]string) map[string]any {
	t := w.t
	t.Helper()
	ev := w.loadPayload("workflow_dispatch/payload.json", "octo-org/octo-repo", repoFull, "octo-repo", repoName, "octo-org", repoOwner)
	in := map[string]any{}
	for k, v := range inputs {
		in[k] = v
	}
	ev["inputs"] = in
	ev["ref"] = "refs/heads/main"
	ev["workflow"] = ".github/workflows/honua-gitops.yml"
	fixRepository(t, obj(t, ev, "repository"))
	return ev
}

// scheduleEvent is the nightly schedule event: the cron and the repository
// (taken from the push example).
func (w *world) scheduleEvent() map[string]any {
	t := w.t
	t.Helper()
	push := w.loadPayload("push/with-new-branch.payload.json", helloWorld...)
	repo := obj(t, push, "repository")
	fixRepository(t, repo)
	return map[string]any{"schedule": "23 5 * * *", "repository": repo}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
