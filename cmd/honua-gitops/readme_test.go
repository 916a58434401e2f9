package main_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
)

// The README's usage walkthrough is run as written — the built binaries,
// the example repository, an emulator it starts itself, curl and jq — so
// the README cannot drift from what the tool does. A line ending in
// "# exit N" must exit N; every other line must succeed.
func TestREADMEWalkthroughRuns(t *testing.T) {
	root := cmdtest.RepoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	block := shellBlock(t, string(readme), "export PATH=")

	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	require.NoError(t, os.Symlink(binary, filepath.Join(bin, "honua-gitops")))
	out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "honua-emulator"), "../honua-emulator").CombinedOutput()
	require.NoError(t, err, string(out))
	cmdtest.CopyDir(t, filepath.Join(root, "examples", "honua-config"), filepath.Join(work, "examples", "honua-config"))

	port := freePort(t)
	script := strings.NewReplacer("/tmp/city-gis", filepath.Join(work, "city-gis"), "8088", port).Replace(block)
	sh := "set -uo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + runnable(script, port)
	cmd := exec.Command("bash", "-c", sh)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	got, err := cmd.CombinedOutput()
	require.NoError(t, err, "the README walkthrough failed:\n%s\n--- script ---\n%s", got, sh)
	assert.Contains(t, string(got), "valid: development, staging, production")
	assert.Contains(t, string(got), "Parcels (edited by hand)", "drift shows the edit")
}

// The sample PR comment in the README is the real rendering.
func TestREADMESampleCommentIsReal(t *testing.T) {
	root := cmdtest.RepoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)````markdown\n(.*?)…\n````").FindStringSubmatch(string(readme))
	require.NotNil(t, m, "the README has a sample comment")
	golden, err := os.ReadFile(filepath.Join(root, "testdata", "prcomment", "planned.md"))
	require.NoError(t, err)
	assert.Contains(t, string(golden), m[1], "the README's sample is an excerpt of testdata/prcomment/planned.md")
}

// shellBlock returns the ```sh block of md that starts with prefix.
func shellBlock(t *testing.T, md, prefix string) string {
	t.Helper()
	for _, part := range strings.Split(md, "```sh\n")[1:] {
		body, _, ok := strings.Cut(part, "\n```")
		if ok && strings.HasPrefix(body, prefix) {
			return body + "\n"
		}
	}
	t.Fatalf("README has no ```sh block starting with %q", prefix)
	return ""
}

var exitComment = regexp.MustCompile(`#\s*exit (\d+)\b`)

// runnable turns the walkthrough into a script that checks every command:
// "# exit N" lines must exit N, others 0; after the emulator starts in the
// background, it waits until it answers.
func runnable(script, port string) string {
	var b strings.Builder
	lines := strings.Split(script, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line += "\n" + lines[i]
		}
		code, cmd := "0", line
		if c, _, found := strings.Cut(line, "   #"); found {
			cmd = c
		}
		if m := exitComment.FindStringSubmatch(line); m != nil {
			code = m[1]
		}
		switch trimmed := strings.TrimSpace(cmd); {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
			continue
		case strings.HasSuffix(trimmed, "&"):
			fmt.Fprintf(&b, "%s\nfor i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:%s/healthz/live && break; sleep 0.1; done\n", trimmed, port)
		case strings.HasPrefix(trimmed, "export ") || strings.HasPrefix(trimmed, "cp ") || strings.HasPrefix(trimmed, "cd "):
			fmt.Fprintf(&b, "%s || exit 1\n", trimmed)
		default:
			label := quoted(strings.TrimSpace(strings.TrimSuffix(firstLine(trimmed), "\\")))
			fmt.Fprintf(&b, "echo \"$ %s\"\n%s\nrc=$?; if [ $rc -ne %s ]; then echo \"README line exited $rc, want %s: %s\"; exit 1; fi\n",
				label, trimmed, code, code, label)
		}
	}
	return b.String()
}

// quoted makes s literal inside a bash double-quoted string.
func quoted(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(s)
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}
