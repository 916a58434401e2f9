package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, o emulator.Options)
	}{
		{name: "defaults", args: []string{"--api-key", "k"}, check: func(t *testing.T, o emulator.Options) {
			assert.Equal(t, "127.0.0.1:0", o.Listen)
			assert.Equal(t, emulator.EditionEnterprise, o.Edition)
			assert.Equal(t, 402, o.GatingStatus)
			assert.Equal(t, emulator.FaultBefore, o.Faults.When)
		}},
		{name: "everything", args: []string{
			"--api-key", "k", "--listen", "127.0.0.1:9999", "--edition", "community", "--gating-status", "403",
			"--state-file", "/tmp/s.json", "--fault-latency", "10ms", "--fault-jitter", "5ms", "--fault-error-rate", "0.25",
			"--fault-fail-nth-write", "3", "--fault-fail-resource", "Layer/default/roads", "--fault-drop-rate", "0.1",
			"--fault-when", "after", "--fault-seed", "9", "--fault-write-status", "503", "--fault-relationships-conflict",
		}, check: func(t *testing.T, o emulator.Options) {
			assert.Equal(t, emulator.Options{
				APIKey: "k", Listen: "127.0.0.1:9999", Edition: emulator.EditionCommunity, GatingStatus: 403,
				StateFile: "/tmp/s.json", ServerVersion: emulator.DefaultServerVersion,
				Faults: emulator.Faults{
					Latency: 10 * time.Millisecond, Jitter: 5 * time.Millisecond, ErrorRate: 0.25, FailNthWrite: 3,
					FailResource: emulator.Identity{Kind: "Layer", Namespace: "default", Name: "roads"},
					DropRate:     0.1, When: emulator.FaultAfter, Seed: 9, WriteStatus: 503, RelationshipsConflict: true,
				},
			}, o)
		}},
		{name: "missing api key", args: nil, wantErr: "`--api-key` is required"},
		{name: "bad edition", args: []string{"--api-key", "k", "--edition", "gold"}, wantErr: "`--edition`"},
		{name: "bad gating status", args: []string{"--api-key", "k", "--gating-status", "429"}, wantErr: "`--gating-status` 429"},
		{name: "bad resource", args: []string{"--api-key", "k", "--fault-fail-resource", "Layer/roads"}, wantErr: "Kind/namespace/name"},
		{name: "bad timing", args: []string{"--api-key", "k", "--fault-when", "during"}, wantErr: "`--fault-when`"},
		{name: "bad rate", args: []string{"--api-key", "k", "--fault-error-rate", "2"}, wantErr: "error rate"},
		{name: "bad write status", args: []string{"--api-key", "k", "--fault-write-status", "502"}, wantErr: "write status 502"},
		{name: "stray argument", args: []string{"--api-key", "k", "extra"}, wantErr: "unexpected argument"},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, o)
		})
	}
}

func TestRunUsageErrorExitsTwo(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"--edition", "community"}, &stdout, &stderr))
	assert.Empty(t, stdout.String())
	assert.Contains(t, stderr.String(), "`--api-key` is required")
}

// binary is built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "honua-emulator-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "honua-emulator")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		_ = os.RemoveAll(dir)
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var readyLine = regexp.MustCompile(`^honua-emulator listening on (http://127\.0\.0\.1:\d+)$`)

// startBinary runs the built binary and returns its base URL once the ready
// line has been printed, and a channel that yields the rest of stdout once
// the process has exited.
func startBinary(t *testing.T, args ...string) (*exec.Cmd, string, *syncBuffer, <-chan []string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case line := <-lines:
		m := readyLine.FindStringSubmatch(line)
		require.NotNil(t, m, "ready line %q", line)
		rest := make(chan []string, 1)
		go func() {
			var extra []string
			for l := range lines {
				extra = append(extra, l)
			}
			rest <- extra
		}()
		return cmd, m[1], stderr, rest
	case <-time.After(10 * time.Second):
		t.Fatalf("no ready line; stderr: %s", stderr)
	}
	return nil, "", nil, nil
}

// syncBuffer is a bytes.Buffer safe to read while the process writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestBinaryServesAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	cmd, url, stderr, rest := startBinary(t, "--listen", "127.0.0.1:0", "--api-key", "secret-key", "--edition", "community")

	resp, err := http.Get(url + "/healthz/ready")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	req, err := http.NewRequest(http.MethodGet, url+"/api/v1/admin/capabilities", nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", "secret-key")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	var env struct {
		Data struct {
			ManifestSupported bool `json:"manifestSupported"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	_ = resp.Body.Close()
	assert.False(t, env.Data.ManifestSupported, "--edition community is honoured")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		assert.NoError(t, err, "clean exit; stderr: %s", stderr)
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator did not stop on SIGTERM")
	}
	assert.Empty(t, <-rest, "exactly one line on stdout")
	assert.Contains(t, stderr.String(), "level=INFO")
	assert.NotContains(t, stderr.String(), "secret-key", "the key is never logged")
}

func TestBinaryWithoutAPIKeyExitsTwo(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "--listen", "127.0.0.1:0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "err: %v", err)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Empty(t, stdout.String())
	assert.True(t, strings.Contains(stderr.String(), "--api-key"), stderr.String())
}
