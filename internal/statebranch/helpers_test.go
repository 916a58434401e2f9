package statebranch_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

const branch = "honua-gitops/state"

// Environment of the helper process (see TestMain).
const (
	helperEnv      = "STATEBRANCH_TEST_HELPER" // "commit" runs commitWorker
	helperRepo     = "STATEBRANCH_TEST_REPO"
	helperRemote   = "STATEBRANCH_TEST_REMOTE"
	helperToken    = "STATEBRANCH_TEST_TOKEN"
	helperWorker   = "STATEBRANCH_TEST_WORKER"
	helperCommits  = "STATEBRANCH_TEST_COMMITS"
	helperDeadline = 45 * time.Second
)

// TestMain lets the test binary double as a worker process for the
// multi-process tests.
func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "commit" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

func helperMain() int {
	worker, _ := strconv.Atoi(os.Getenv(helperWorker))
	commits, _ := strconv.Atoi(os.Getenv(helperCommits))
	opts := statebranch.Options{RepoDir: os.Getenv(helperRepo), Branch: branch, Remote: os.Getenv(helperRemote)}
	if tok := os.Getenv(helperToken); tok != "" {
		opts.Auth = &githttp.BasicAuth{Username: gittest.TokenUser, Password: tok}
	}
	s, err := statebranch.Open(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), helperDeadline)
	defer cancel()
	conflicts, err := commitWorker(ctx, s, worker, commits)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("conflicts %d\n", conflicts)
	return 0
}

// commitWorker commits w<worker>/c<i>.txt for i < n, each with
// read→commit→retry on ErrConflict, and returns how many conflicts it hit.
func commitWorker(ctx context.Context, s *statebranch.Store, worker, n int) (conflicts int, err error) {
	for i := 0; i < n; i++ {
		path := fmt.Sprintf("w%d/c%02d.txt", worker, i)
		for {
			if err := ctx.Err(); err != nil {
				return conflicts, fmt.Errorf("worker %d, %s: %w", worker, path, err)
			}
			v, err := s.Read(ctx)
			if err != nil {
				return conflicts, fmt.Errorf("worker %d: read: %w", worker, err)
			}
			_, err = s.Commit(ctx, v, statebranch.Commit{
				Subject:  fmt.Sprintf("worker %d commit %d", worker, i),
				Trailers: []statebranch.Trailer{{Key: "Honua-Worker", Value: strconv.Itoa(worker)}},
				Changes:  []statebranch.Change{{Path: path, Data: []byte(path + "\n")}},
			})
			if errors.Is(err, statebranch.ErrConflict) {
				conflicts++
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
				continue
			}
			if err != nil {
				return conflicts, fmt.Errorf("worker %d: commit %s: %w", worker, path, err)
			}
			break
		}
	}
	return conflicts, nil
}

// newRepo makes a repository with main checked out, one commit on it and a
// clean work tree.
func newRepo(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "--quiet", "--initial-branch=main")
	gittest.WriteFiles(t, dir, map[string]string{"environments/dev/honua.yaml": "kind: Honua\n", "README.md": "demo\n"})
	gittest.Git(t, dir, "add", "--all")
	gittest.Git(t, dir, "commit", "--quiet", "--message", "initial")
	return dir
}

func open(t testing.TB, opts statebranch.Options) *statebranch.Store {
	t.Helper()
	if opts.Branch == "" {
		opts.Branch = branch
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	}
	s, err := statebranch.Open(opts)
	require.NoError(t, err)
	return s
}

func read(t testing.TB, s *statebranch.Store) *statebranch.View {
	t.Helper()
	v, err := s.Read(context.Background())
	require.NoError(t, err)
	return v
}

// commit reads the branch and commits changes on it.
func commit(t testing.TB, s *statebranch.Store, subject string, changes ...statebranch.Change) plumbing.Hash {
	t.Helper()
	h, err := s.Commit(context.Background(), read(t, s), statebranch.Commit{Subject: subject, Changes: changes})
	require.NoError(t, err)
	return h
}

func put(path, data string) statebranch.Change {
	return statebranch.Change{Path: path, Data: []byte(data)}
}

func del(path string) statebranch.Change {
	return statebranch.Change{Path: path, Delete: true}
}

// files lists every file on the branch with the git CLI: path -> content.
func files(t testing.TB, dir, rev string) map[string]string {
	t.Helper()
	out := map[string]string{}
	list := gittest.Git(t, dir, "ls-tree", "-r", "--name-only", "-z", rev)
	for _, p := range splitZ(list) {
		out[p] = gittest.Git(t, dir, "cat-file", "blob", rev+":"+p)
	}
	return out
}

func splitZ(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func readFileBytes(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

func gitPath(dir, name string) string { return filepath.Join(dir, ".git", name) }

func execCommand(dir string, args ...string) *osexec.Cmd {
	cmd := osexec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	return cmd
}
