package e2e

import (
	"fmt"
	"strings"
)

// scanned are extra texts to scan (CLI output), kept on the world.
type scannedText struct{ where, text string }

func (w *world) addScanned(where, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.extra = append(w.extra, scannedText{where, text})
}

// secrets are the values that must never be written anywhere.
func (w *world) secrets() map[string]string {
	return map[string]string{
		"the GitHub token":    w.token,
		"the Honua API key":   w.apiKey,
		"DEV_GIS_DB_PASSWORD": w.dbPassword,
	}
}

// addMaskLine is the workflow command that registers a secret with the
// runner, which swallows it: the only line allowed to carry a secret.
const addMaskLine = "::add-mask::"

// scanSecrets checks everything the workflow produced in this world: every
// comment and issue on the fake GitHub and every request body it received,
// each run's job summary, logs (the action's and act's), outputs and
// artifacts, and every file and commit message on the state branch.
func (w *world) scanSecrets() {
	t := w.t
	t.Helper()
	var texts []scannedText
	add := func(where, text string) { texts = append(texts, scannedText{where, text}) }

	for _, r := range w.gh.Requests() {
		add(fmt.Sprintf("body of %s %s to GitHub", r.Method, r.Path), r.Body)
	}
	w.mu.Lock()
	prs := append([]int(nil), w.prs...)
	w.mu.Unlock()
	for _, n := range prs {
		for _, c := range w.gh.Comments(n) {
			add(fmt.Sprintf("comment %d on #%d", c.ID, n), c.Body)
		}
	}
	for _, is := range w.gh.Issues() {
		add(fmt.Sprintf("issue #%d title", is.Number), is.Title)
		add(fmt.Sprintf("issue #%d body", is.Number), is.Body)
		for _, c := range is.Comments {
			add(fmt.Sprintf("comment %d on issue #%d", c.ID, is.Number), c.Body)
		}
	}
	for _, d := range w.gh.Deployments() {
		add(fmt.Sprintf("deployment %d", d.ID), fmt.Sprintf("%s %v", d.Description, d.Payload))
		for _, s := range d.Statuses {
			add(fmt.Sprintf("deployment %d status %d", d.ID, s.ID), s.Description+" "+s.EnvironmentURL+" "+s.LogURL)
		}
	}
	w.mu.Lock()
	runs := append([]*run(nil), w.runs...)
	texts = append(texts, w.extra...)
	w.mu.Unlock()
	for _, r := range runs {
		add(r.name+": act log", withoutAddMask(r.actLog))
		add(r.name+": $RESULT_DIR/log.txt", withoutAddMask(r.log))
		add(r.name+": job summary", r.summary)
		for i, o := range r.outputs {
			for k, v := range o {
				add(fmt.Sprintf("%s: output %s of action run %d", r.name, k, i+1), v)
			}
		}
		for name, content := range r.artifacts {
			add(r.name+": artifact "+name, content)
		}
	}
	if w.remote.BranchTip(t, stateBranch) != "" {
		add("state branch commit messages", w.bareGit("log", "--format=%H%n%B", stateBranch))
		for _, f := range strings.Split(w.bareGit("ls-tree", "-r", "--name-only", stateBranch), "\n") {
			if f != "" {
				add("state branch file "+f, w.bareGit("show", stateBranch+":"+f))
			}
		}
	}

	leaks := 0
	for _, x := range texts {
		for what, secret := range w.secrets() {
			if secret == "" || !strings.Contains(x.text, secret) {
				continue
			}
			leaks++
			t.Errorf("SECRET LEAK: %s contains %s:\n%s", x.where, what, around(x.text, secret))
		}
	}
	t.Logf("secret scan: %d texts checked, %d leaks", len(texts), leaks)
}

// withoutAddMask drops the ::add-mask:: workflow commands, which the
// runner consumes and never displays.
func withoutAddMask(log string) string {
	lines := strings.Split(log, "\n")
	out := lines[:0]
	for _, l := range lines {
		if strings.Contains(l, addMaskLine) {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// around shows where secret occurs in text, with the secret replaced.
func around(text, secret string) string {
	i := strings.Index(text, secret)
	lo, hi := max(0, i-200), min(len(text), i+len(secret)+200)
	return strings.ReplaceAll(text[lo:hi], secret, "<SECRET>")
}
