// Package demo is the scripted walkthrough behind `make demo`: it runs the
// real honua-gitops binary against a copy of examples/honua-config in a
// throwaway git repository and prints each command with its output, so a
// newcomer sees the product work end to end on one screen.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Config says where the binaries and the example are.
type Config struct {
	// Bin is the directory holding honua-gitops (and honua-emulator).
	Bin string
	// Example is the configuration repository to copy.
	Example string
	// Out receives the walkthrough.
	Out io.Writer
}

// Run performs the walkthrough and cleans up after itself.
func Run(ctx context.Context, cfg Config) error {
	work, err := os.MkdirTemp("", "honua-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	repo := filepath.Join(work, "city-gis")
	if err := copyDir(cfg.Example, repo); err != nil {
		return fmt.Errorf("copy example: %w", err)
	}
	s := &session{cfg: cfg, dir: repo}
	if err := s.git(ctx, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	if err := s.git(ctx, "add", "-A"); err != nil {
		return err
	}
	if err := s.git(ctx, "commit", "-q", "-m", "City GIS configuration"); err != nil {
		return err
	}
	s.title("honua-gitops demo: GitOps for Honua geospatial servers")
	s.say("A git repository holds the city's Honua configuration (examples/honua-config):\nconnections, services, layers over PostGIS tables, styles and a relationship,\nshared in environments/common and overridden per environment.")

	s.step("1. Validate every environment (nothing is contacted)")
	if err := s.run(ctx, 0, "validate"); err != nil {
		return err
	}
	s.step("2. Plan staging: what applying would change, in dependency order")
	if err := s.run(ctx, 0, "plan", "--env", "staging", "--compact"); err != nil {
		return err
	}
	s.step("3. A plaintext password is caught before review, with file:line and a fix")
	bad := filepath.Join(repo, "environments", "staging", "leak.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: scratch, namespace: city}\nspec:\n  name: scratch\n  host: db.internal\n  databaseName: gis\n  password: hunter2\n"), 0o644); err != nil {
		return err
	}
	if err := s.run(ctx, 2, "validate", "--env", "staging"); err != nil {
		return err
	}
	if err := os.Remove(bad); err != nil {
		return err
	}
	s.say("\nDone. Exit codes: 0 ok, 1 runtime failure, 2 invalid input, 3 changes (--detailed-exitcode), 4 refused.")
	return nil
}

type session struct {
	cfg Config
	dir string
}

func (s *session) title(t string) { fmt.Fprintf(s.cfg.Out, "\n== %s ==\n", t) }
func (s *session) say(t string)   { fmt.Fprintln(s.cfg.Out, t) }
func (s *session) step(t string)  { fmt.Fprintf(s.cfg.Out, "\n-- %s\n", t) }

// run executes honua-gitops and fails unless it exits with want.
func (s *session) run(ctx context.Context, want int, args ...string) error {
	fmt.Fprintf(s.cfg.Out, "$ honua-gitops %s\n", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, filepath.Join(s.cfg.Bin, "honua-gitops"), args...)
	cmd.Dir = s.dir
	cmd.Stdout = s.cfg.Out
	cmd.Stderr = s.cfg.Out
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		return err
	}
	if code != want {
		return fmt.Errorf("honua-gitops %s exited %d, want %d", strings.Join(args, " "), code, want)
	}
	if code != 0 {
		fmt.Fprintf(s.cfg.Out, "(exit %d)\n", code)
	}
	return nil
}

func (s *session) git(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=City GIS", "GIT_AUTHOR_EMAIL=gis@example.org",
		"GIT_COMMITTER_NAME=City GIS", "GIT_COMMITTER_EMAIL=gis@example.org")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
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
}
