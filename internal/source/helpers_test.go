package source_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/source"
)

// TestMain keeps the user's and the system's git configuration out of both
// the code under test and the git CLI used as the oracle.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "source-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for k, v := range map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"GIT_CONFIG_GLOBAL": os.DevNull, "GIT_CONFIG_NOSYSTEM": "1",
	} {
		os.Setenv(k, v)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// baseFiles is a small configuration repository.
var baseFiles = map[string]string{
	"honua-gitops.yaml":                  "environments: environments\n",
	"README.md":                          "# config\n",
	"environments/dev/layers.yaml":       "layers:\n  - roads\n",
	"environments/prod/layers.yaml":      "layers:\n  - roads\n  - rivers\n",
	"environments/prod/services.yaml":    "services: []\n",
	"environments/staging/services.yaml": "services:\n  - wms\n",
}

// newRepo makes a work tree on main with files committed.
func newRepo(t testing.TB, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("the git CLI is required by these tests (the repository's own tests build fixtures with it)")
	}
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "--quiet", "--initial-branch=main")
	gittest.WriteFiles(t, dir, files)
	gittest.Git(t, dir, "add", "--all")
	gittest.Git(t, dir, "commit", "--quiet", "--allow-empty", "--message", "seed")
	return dir
}

// commit commits everything in dir and returns the commit.
func commit(t testing.TB, dir, message string) string {
	t.Helper()
	gittest.Git(t, dir, "add", "--all")
	gittest.Git(t, dir, "commit", "--quiet", "--allow-empty", "--message", message)
	return gittest.Git(t, dir, "rev-parse", "HEAD")
}

func write(t testing.TB, dir, rel, content string) {
	t.Helper()
	gittest.WriteFiles(t, dir, map[string]string{rel: content})
}

// gitStatus is the oracle: what `git status --porcelain` says differs under
// paths, in Inspect's terms.
func gitStatus(t testing.TB, dir string, paths []string) []source.Change {
	t.Helper()
	args := append([]string{"status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--ignore-submodules=all", "--"}, paths...)
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var changes []source.Change
	for _, e := range strings.Split(string(out), "\x00") {
		if len(e) < 4 {
			continue
		}
		x, y, p := e[0], e[1], e[3:]
		var status string
		switch {
		case x == '?' && y == '?':
			status = source.Untracked
		case x == 'A' && y == 'D':
			continue // staged, then removed: as in the commit
		case x == 'A':
			status = source.Added
		case x == 'D' || y == 'D':
			status = source.Deleted
		default:
			status = source.Modified
		}
		changes = append(changes, source.Change{Path: p, Status: status})
	}
	slices.SortFunc(changes, func(a, b source.Change) int { return strings.Compare(a.Path, b.Path) })
	return changes
}
