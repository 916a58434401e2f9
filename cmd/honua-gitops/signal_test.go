package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/gittest"
)

const key = "signal-test-admin-key-5d1e"

// binary is built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "honua-gitops-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "honua-gitops")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		_ = os.RemoveAll(dir)
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// repo is the example configuration in a git repository, and an emulator
// that answers every request after latency.
func repo(t *testing.T, latency time.Duration) (dir string, run *emulator.Running) {
	t.Helper()
	run, err := emulator.Start(context.Background(), emulator.Options{APIKey: key, Faults: emulator.Faults{Latency: latency}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	dir = cmdtest.CopyExample(t)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "config"}} {
		gittest.Git(t, dir, args...)
	}
	return dir, run
}

// started is an apply running as its own process.
type started struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	lines  chan string
	done   chan struct{}
}

func startApply(t *testing.T, dir, url string, args ...string) *started {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"apply", "--env", "staging", "--dir", dir, "--target", url,
		"--strategy", "resources", "--concurrency", "1"}, args...)...)
	cmd.Env = append(os.Environ(), "HONUA_API_KEY="+key)
	cmd.Stdout = io.Discard
	pipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &started{cmd: cmd, lines: make(chan string, 100), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			s.mu.Lock()
			s.stderr.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			select {
			case s.lines <- sc.Text():
			default:
			}
		}
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return s
}

// waitApplied waits until n operations were reported applied.
func (s *started) waitApplied(t *testing.T, n int) {
	t.Helper()
	seen := 0
	deadline := time.After(30 * time.Second)
	for seen < n {
		select {
		case l := <-s.lines:
			if strings.Contains(l, ": applied ") {
				seen++
			}
		case <-deadline:
			t.Fatalf("only %d writes reported:\n%s", seen, s.output())
		}
	}
}

func (s *started) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// wait returns the exit code.
func (s *started) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	exited := make(chan error, 1)
	go func() { <-s.done; exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		require.NoError(t, err)
		return 0
	case <-time.After(within):
		t.Fatalf("apply did not exit within %s:\n%s", within, s.output())
		return -1
	}
}

func listDeployments(t *testing.T, dir string) []deploy.Summary {
	t.Helper()
	r := cmdtest.Run(t, nil, "deployments", "--dir", dir, "--env", "staging", "--format", "json")
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	var doc struct {
		Environments []struct {
			Deployments []deploy.Summary `json:"deployments"`
		} `json:"environments"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &doc))
	return doc.Environments[0].Deployments
}

func claimHeld(dir string) bool {
	cmd := exec.Command("git", "cat-file", "-e", "honua-gitops/state:staging/claim.json")
	cmd.Dir = dir
	return cmd.Run() == nil
}

// A real SIGINT during an apply (one signal, or two): the record says
// interrupted and holds exactly what landed, the claim is free, drift
// finds nothing, and the next apply finishes the job within seconds.
func TestInterruptDuringApply(t *testing.T) {
	for _, signals := range []int{1, 2} {
		t.Run(map[int]string{1: "one SIGINT", 2: "two SIGINTs"}[signals], func(t *testing.T) {
			dir, run := repo(t, 120*time.Millisecond)
			a := startApply(t, dir, run.URL)
			a.waitApplied(t, 3)
			for i := 0; i < signals; i++ {
				require.NoError(t, a.cmd.Process.Signal(syscall.SIGINT))
				time.Sleep(20 * time.Millisecond)
			}
			code := a.wait(t, 40*time.Second)
			out := a.output()
			assert.Equal(t, int(app.ExitFailure), code, out)
			assert.Contains(t, out, "interrupt: starting no new writes")
			assert.Contains(t, out, "was interrupted: ")
			assert.Contains(t, out, "the environment is released")

			list := listDeployments(t, dir)
			require.Len(t, list, 1)
			assert.Equal(t, deploy.Interrupted, list[0].Status)
			assert.False(t, claimHeld(dir), "the claim is released")

			env := map[string]string{"HONUA_API_KEY": key}
			if signals == 1 {
				// In-flight writes finished and were read back: the record is exact.
				d := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--target", run.URL, "--detailed-exitcode")
				assert.Equal(t, app.ExitOK, d.Code, "the recorded snapshot equals the server:\n"+d.Stdout+d.Stderr)
			} else {
				// The second signal cut the write in flight off: it was read back
				// on a context of its own (recorded if it had landed by then); a
				// write the server finishes later is drift that the next apply
				// converges, since it is already what the repository wants.
				assert.Contains(t, out, "stopping now; still recording what landed")
			}
			start := time.Now()
			next := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", run.URL, "--concurrency", "8")
			require.Equal(t, app.ExitOK, next.Code, next.Stdout+next.Stderr)
			assert.Less(t, time.Since(start), 15*time.Second)
			for _, s := range listDeployments(t, dir) {
				assert.NotEqual(t, deploy.Applying, s.Status, "no deployment is left applying")
			}
		})
	}
}

// SIGKILL leaves the claim and an applying record; a later apply with a
// short --claim-timeout takes it over and closes the dead record as
// abandoned.
func TestKilledApplyIsTakenOver(t *testing.T) {
	dir, run := repo(t, 100*time.Millisecond)
	a := startApply(t, dir, run.URL)
	a.waitApplied(t, 2)
	require.NoError(t, a.cmd.Process.Kill())
	a.wait(t, 10*time.Second)
	require.True(t, claimHeld(dir), "a killed run leaves its claim")
	dead := listDeployments(t, dir)[0]
	require.Equal(t, deploy.Applying, dead.Status)

	time.Sleep(1100 * time.Millisecond)
	require.NoError(t, run.Server.SetFaults(emulator.Faults{}))
	// No --wait: a stale claim is taken over at once, never waited for.
	b := startApply(t, dir, run.URL, "--claim-timeout", "1s", "--take-over-stale-claim")
	code := b.wait(t, 30*time.Second)
	require.Equal(t, 0, code, b.output())
	list := listDeployments(t, dir)
	require.Len(t, list, 2)
	assert.Equal(t, deploy.Succeeded, list[0].Status)
	assert.Equal(t, deploy.Abandoned, list[1].Status, "the dead deployment's record is closed")
	assert.Equal(t, dead.ID, list[1].ID)
	assert.False(t, claimHeld(dir))
}
