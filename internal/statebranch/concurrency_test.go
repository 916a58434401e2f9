package statebranch_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

const (
	workers          = 8
	commitsPerWorker = 10
)

// 8 goroutines race read→commit→retry on one repository, starting with no
// branch (so they also race to create it).
func TestLocalConcurrentGoroutines(t *testing.T) {
	tests := []struct {
		name   string
		shared bool
	}{
		{name: "a store per goroutine"},
		{name: "one shared store", shared: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newRepo(t)
			shared := open(t, statebranch.Options{RepoDir: dir})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var (
				wg        sync.WaitGroup
				mu        sync.Mutex
				conflicts int
			)
			for w := 0; w < workers; w++ {
				s := shared
				if !tt.shared {
					s = open(t, statebranch.Options{RepoDir: dir})
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := commitWorker(ctx, s, w, commitsPerWorker)
					assert.NoError(t, err)
					mu.Lock()
					conflicts += n
					mu.Unlock()
				}()
			}
			wg.Wait()
			t.Logf("%d conflicts retried", conflicts)
			assertLinearHistory(t, dir, workers*commitsPerWorker)
		})
	}
}

// 8 OS processes (this test binary, see TestMain) race on one repository.
func TestLocalConcurrentProcesses(t *testing.T) {
	dir := newRepo(t)
	conflicts := runWorkers(t, workers, commitsPerWorker, func(int) []string {
		return []string{helperRepo + "=" + dir}
	})
	t.Logf("%d conflicts retried", conflicts)
	assertLinearHistory(t, dir, workers*commitsPerWorker)
}

// runWorkers runs n helper processes doing commits commits each and returns
// the conflicts they retried.
func runWorkers(t *testing.T, n, commits int, env func(worker int) []string) int {
	t.Helper()
	type proc struct {
		cmd *exec.Cmd
		out bytes.Buffer
	}
	procs := make([]*proc, n)
	for w := range procs {
		p := &proc{cmd: exec.Command(os.Args[0], "-test.run=^$")}
		p.cmd.Env = append(os.Environ(), helperEnv+"=commit",
			helperWorker+"="+strconv.Itoa(w), helperCommits+"="+strconv.Itoa(commits))
		p.cmd.Env = append(p.cmd.Env, env(w)...)
		p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
		require.NoError(t, p.cmd.Start())
		procs[w] = p
	}
	conflicts := 0
	for w, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("worker %d: %v\n%s", w, err, p.out.String())
			continue
		}
		for _, line := range strings.Split(p.out.String(), "\n") {
			if c, ok := strings.CutPrefix(line, "conflicts "); ok {
				n, _ := strconv.Atoi(c)
				conflicts += n
			}
		}
	}
	return conflicts
}

// assertLinearHistory checks the state branch in the repository at dir
// (bare or not): want commits, one root, no merges, one file per commit, and
// a clean fsck.
func assertLinearHistory(t *testing.T, dir string, want int) {
	t.Helper()
	rev := "refs/heads/" + branch
	git := func(args ...string) string {
		return gittest.Git(t, dir, append([]string{"--git-dir=" + gitDirOf(dir)}, args...)...)
	}
	assert.Equal(t, strconv.Itoa(want), git("rev-list", "--count", rev), "commits")
	assert.Equal(t, "0", git("rev-list", "--count", "--min-parents=2", rev), "merges")
	assert.Len(t, strings.Fields(git("rev-list", "--max-parents=0", rev)), 1, "roots")
	names := strings.Fields(git("ls-tree", "-r", "--name-only", rev))
	assert.Len(t, names, want, "files")
	seen := map[string]bool{}
	for w := 0; w < want/commitsPerWorkerOf(want); w++ {
		for i := 0; i < commitsPerWorkerOf(want); i++ {
			seen[fmt.Sprintf("w%d/c%02d.txt", w, i)] = true
		}
	}
	for _, n := range names {
		assert.True(t, seen[n], "unexpected file %s", n)
	}
	gittest.FsckClean(t, dir)
}

func commitsPerWorkerOf(total int) int { return total / workers }

func gitDirOf(dir string) string {
	if fi, err := os.Stat(dir + "/.git"); err == nil && fi.IsDir() {
		return dir + "/.git"
	}
	return dir
}
