package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nektos/act/pkg/model"
	"github.com/nektos/act/pkg/runner"
	"github.com/sirupsen/logrus"
)

// runTimeout bounds one act run.
const runTimeout = 3 * time.Minute

// run is one act run of the workflow and what it left behind.
type run struct {
	name      string
	event     string
	resultDir string
	err       error  // act's verdict: nil when every job succeeded
	actLog    string // act's own log, unmasked
	log       string // $RESULT_DIR/log.txt: the binary's output
	summary   string // $RESULT_DIR/summary.md: the job summaries
	outputs   []map[string]string
	artifacts map[string]string // path under $RESULT_DIR/artifacts → content
	duration  time.Duration
}

// output is the value of an output of the only action run.
func (r *run) output(t *testing.T, name string) string {
	t.Helper()
	if len(r.outputs) != 1 {
		t.Fatalf("%s: want the outputs of exactly one action run, have %d:\n%v", r.name, len(r.outputs), r.outputs)
	}
	return r.outputs[0][name]
}

// outputFor is the value of an output of the one action run given env as
// its environments input (a matrix job's).
func (r *run) outputFor(t *testing.T, env, name string) string {
	t.Helper()
	var found []map[string]string
	for _, o := range r.outputs {
		if o[envsKey] == env {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: want the outputs of exactly one action run for %s, have %d:\n%v", r.name, env, len(found), r.outputs)
	}
	return found[0][name]
}

// envsKey is the line the shim adds to each run's outputs: the
// environments input it ran with.
const envsKey = "honua-e2e-environments"

// requireSuccess fails the test, with the logs, unless every job passed.
func (r *run) requireSuccess(t *testing.T) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s failed: %v\n--- act log ---\n%s\n--- action log ---\n%s", r.name, r.err, tail(r.actLog, 200), tail(r.log, 200))
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[... %d lines ...]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// act runs the real workflow file for event with payload, from a copy of
// workdir (act copies it, .git included, for actions/checkout), and
// collects what the run left in its result directory.
func (w *world) act(name, event string, payload map[string]any, workdir string) *run {
	t := w.t
	t.Helper()
	w.mu.Lock()
	w.nextRun++
	runID := w.nextRun
	w.mu.Unlock()

	tmp := t.TempDir()
	r := &run{name: name, event: event, resultDir: filepath.Join(tmp, "result")}
	if err := os.MkdirAll(r.resultDir, 0o755); err != nil {
		t.Fatal(err)
	}
	eventPath := filepath.Join(tmp, "event.json")
	data, err := json.MarshalIndent(payload, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(eventPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cacheDir := filepath.Join(tmp, "act-cache")
	cfg := &runner.Config{
		Actor:          "octocat",
		Workdir:        workdir,
		EventName:      event,
		EventPath:      eventPath,
		DefaultBranch:  "main",
		Platforms:      map[string]string{"ubuntu-latest": "-self-hosted"},
		GitHubInstance: "github.com",
		ActionCacheDir: cacheDir,
		UseGitIgnore:   true,
		LogOutput:      true,
		// Scan the log as printed: act must not hide a leak from the scan.
		InsecureSecrets: true,
		Token:           w.token,
		Secrets: map[string]string{
			"GITHUB_TOKEN":        w.token,
			"HONUA_API_KEY":       w.apiKey,
			"DEV_GIS_DB_PASSWORD": w.dbPassword,
		},
		Env: map[string]string{
			"GITHUB_REPOSITORY":       repoFull,
			"GITHUB_REPOSITORY_OWNER": repoOwner,
			"GITHUB_API_URL":          w.proxy.APIURL(),
			"GITHUB_GRAPHQL_URL":      w.proxy.GraphQLURL(),
			"GITHUB_RUN_ID":           fmt.Sprint(runID),
			"HONUA_BIN":               w.p.bin,
			"RESULT_DIR":              r.resultDir,
		},
		ActionCache: &runner.LocalRepositoryCache{
			Parent:            &runner.GoGitActionCache{Path: cacheDir},
			LocalRepositories: w.localRepositories(),
			CacheDirCache:     map[string]string{},
		},
	}
	planner, err := model.NewWorkflowPlanner(w.p.workflow, true, false)
	if err != nil {
		t.Fatalf("load %s: %v", w.p.workflow, err)
	}
	plan, err := planner.PlanEvent(event)
	if err != nil {
		t.Fatalf("plan the %s event: %v", event, err)
	}
	rn, err := runner.New(cfg)
	if err != nil {
		t.Fatalf("act: %v", err)
	}
	logs := &logSink{}
	ctx, cancel := context.WithTimeout(w.ctx, runTimeout)
	defer cancel()
	ctx = runner.WithJobLoggerFactory(ctx, logs)
	start := time.Now()
	r.err = rn.NewPlanExecutor(plan)(ctx)
	r.duration = time.Since(start)
	r.actLog = logs.String()
	r.collect(t)
	t.Logf("act %s (%s event, run %d): %s, err=%v", name, event, runID, r.duration.Round(time.Millisecond), r.err)
	if os.Getenv("E2E_VERBOSE") != "" {
		t.Logf("--- act log of %s ---\n%s", name, r.actLog)
	}

	w.mu.Lock()
	w.runs = append(w.runs, r)
	w.mu.Unlock()
	return r
}

// collect reads the result directory.
func (r *run) collect(t *testing.T) {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(r.resultDir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(b)
	}
	r.log = read("log.txt")
	r.summary = read("summary.md")
	r.outputs = parseOutputs(t, read("outputs.txt"))
	r.artifacts = map[string]string{}
	root := filepath.Join(r.resultDir, "artifacts")
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r.artifacts[filepath.ToSlash(rel)] = string(b)
		return nil
	})
}

// outputsEnd ends each action run's outputs in outputs.txt (the shim
// writes it).
const outputsEnd = "::honua-e2e-end-of-outputs::"

// parseOutputs reads the $GITHUB_OUTPUT files the shim collected: one
// block per action run, each ending with outputsEnd, in the file-command
// syntax (name=value, or name<<DELIMITER ... DELIMITER).
func parseOutputs(t *testing.T, s string) []map[string]string {
	t.Helper()
	var all []map[string]string
	cur := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == outputsEnd:
			all = append(all, cur)
			cur = map[string]string{}
		case strings.Contains(line, "<<") && (!strings.Contains(line, "=") || strings.Index(line, "<<") < strings.Index(line, "=")):
			name, delim, _ := strings.Cut(line, "<<")
			var val []string
			closed := false
			for sc.Scan() {
				if sc.Text() == delim {
					closed = true
					break
				}
				val = append(val, sc.Text())
			}
			if !closed {
				t.Fatalf("outputs.txt: output %s is not closed by %s", name, delim)
			}
			cur[name] = strings.Join(val, "\n")
		case strings.Contains(line, "="):
			name, val, _ := strings.Cut(line, "=")
			cur[name] = val
		case strings.TrimSpace(line) == "":
		default:
			t.Fatalf("outputs.txt: unexpected line %q", line)
		}
	}
	if len(cur) > 0 {
		all = append(all, cur)
	}
	return all
}

// logSink collects act's job logs (every job of a run) as plain text.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) WithJobLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(lockedWriter{s})
	l.SetLevel(logrus.InfoLevel)
	l.SetFormatter(plainFormatter{})
	return l
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

type lockedWriter struct{ s *logSink }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.buf.Write(p)
}

// plainFormatter prints "[job] message", like act's own text format,
// without the entry's fields (the raw lines are the message).
type plainFormatter struct{}

func (plainFormatter) Format(e *logrus.Entry) ([]byte, error) {
	job, _ := e.Data["job"].(string)
	prefix := "[" + strings.TrimSpace(job) + "] "
	if e.Data["raw_output"] == true {
		prefix += "  | "
	}
	return []byte(prefix + strings.TrimSuffix(e.Message, "\n") + "\n"), nil
}

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
