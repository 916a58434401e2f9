package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// usesLine is one `uses:` of a workflow file.
type usesLine struct {
	line    int
	ref     string // owner/repo[/path]@ref, ./local or docker://image
	comment string // the trailing comment, without "#"
}

var usesRE = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(?:#\s*(.*))?$`)

// workflowUses lists the `uses:` lines of a workflow file.
func workflowUses(t *testing.T, path string) []usesLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	defer f.Close()
	var out []usesLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if m := usesRE.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, usesLine{line: n, ref: m[1], comment: strings.TrimSpace(m[2])})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The actions the example workflow uses that act must not fetch: the
// action under test runs through the shim, upload-artifact through its
// stand-in, whatever ref the workflow pins them to. (act copies the
// working copy itself for actions/checkout.)
const (
	honuaAction  = "honua-io/honua-gitops"
	uploadAction = "actions/upload-artifact"
)

// localRepositories maps every ref of the workflow's honua-gitops and
// upload-artifact actions to the shim and the stand-in.
func (w *world) localRepositories() map[string]string {
	m := map[string]string{}
	for _, u := range workflowUses(w.t, w.p.workflow) {
		name, _, _ := strings.Cut(u.ref, "@")
		switch name {
		case honuaAction:
			m[u.ref] = w.p.shim
		case uploadAction:
			m[u.ref] = w.p.upload
		}
	}
	return m
}

var (
	shaRef     = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)
	versionTag = regexp.MustCompile(`^v\d+(\.\d+){0,2}\b`)
)

// Every third-party action in the workflow users copy and in this
// repository's own workflows is pinned to a full commit SHA, with the
// version it stands for in a trailing comment.
func TestActionsPinnedBySHA(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(root, "examples", "honua-config", ".github", "workflows", "honua-gitops.yml")}
	own, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, own...)
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		uses := workflowUses(t, f)
		if len(uses) == 0 {
			t.Errorf("%s: no uses: lines found", rel)
		}
		for _, u := range uses {
			name, _, _ := strings.Cut(u.ref, "@")
			switch {
			case strings.HasPrefix(u.ref, "./"), strings.HasPrefix(u.ref, "docker://"):
				continue
			case name == honuaAction:
				continue // the action itself: its major tag (users may pin a release SHA)
			case !shaRef.MatchString(u.ref):
				t.Errorf("%s:%d: %s is not pinned to a full commit SHA", rel, u.line, u.ref)
			case !versionTag.MatchString(u.comment):
				t.Errorf("%s:%d: %s has no trailing version comment (# vX.Y.Z), got %q", rel, u.line, u.ref, u.comment)
			}
		}
	}
}

// fakeTB records what fixturesMissing asks of a test.
type fakeTB struct {
	testing.TB
	fatal, skip string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Fatalf(format string, a ...any) { f.fatal = fmt.Sprintf(format, a...) }
func (f *fakeTB) Skipf(format string, a ...any)  { f.skip = fmt.Sprintf(format, a...) }

// Missing webhook payloads skip the suite locally and fail it under CI.
func TestFixturesMissingFailsUnderCI(t *testing.T) {
	missing := errors.New("stat: no such file or directory")
	dir := "/x/shared/testdata-external/github-webhooks"
	for _, tc := range []struct {
		ci        string
		wantFatal bool
	}{{"", false}, {"true", true}, {"1", true}} {
		f := &fakeTB{TB: t}
		fixturesMissing(f, func(k string) string {
			if k == "CI" {
				return tc.ci
			}
			return ""
		}, dir, missing)
		switch {
		case tc.wantFatal && (f.fatal == "" || f.skip != ""):
			t.Errorf("CI=%q: want a failure, not a skip (fatal %q, skip %q)", tc.ci, f.fatal, f.skip)
		case tc.wantFatal && !strings.Contains(f.fatal, dir):
			t.Errorf("CI=%q: the failure does not say where the payloads must be: %q", tc.ci, f.fatal)
		case !tc.wantFatal && (f.skip == "" || f.fatal != ""):
			t.Errorf("CI=%q: want a skip (fatal %q, skip %q)", tc.ci, f.fatal, f.skip)
		}
	}
}
