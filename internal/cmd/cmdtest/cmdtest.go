// Package cmdtest runs honua-gitops commands in-process for tests: the real
// command tree, captured streams, and the exit code the process would have.
package cmdtest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/root"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/iostreams"
)

// Result is what a command run produced.
type Result struct {
	Code   app.ExitCode
	Stdout string
	Stderr string
}

// Run executes honua-gitops with args.
func Run(t testing.TB, env map[string]string, args ...string) Result {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := &cmdutil.Factory{
		IOStreams: ios,
		Getenv:    func(k string) string { return env[k] },
		Now:       func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) },
		Version:   "test",
	}
	code := app.Execute(context.Background(), root.NewCmdRoot(f), args, errOut)
	return Result{Code: code, Stdout: out.String(), Stderr: errOut.String()}
}

// RepoRoot returns the repository root (for examples/ and testdata/).
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// CopyExample copies examples/honua-config into a temporary directory.
func CopyExample(t testing.TB) string {
	t.Helper()
	dst := t.TempDir()
	CopyDir(t, filepath.Join(RepoRoot(t), "examples", "honua-config"), dst)
	return dst
}

// CopyDir copies the tree at src to dst, creating dst.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

// ExampleFiles returns examples/honua-config as relative path → contents,
// for seeding git remotes.
func ExampleFiles(t testing.TB) map[string]string {
	t.Helper()
	root := filepath.Join(RepoRoot(t), "examples", "honua-config")
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatalf("read example: %v", err)
	}
	return files
}
