// Package demo is the scripted walkthrough behind `make demo`: it starts the
// Honua emulator, copies examples/honua-config into a throwaway git
// repository and runs the real honua-gitops binary through the whole loop,
// printing each command with its output, so a newcomer sees the product work
// end to end on one screen.
package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Config says where the binaries and the example are.
type Config struct {
	// Bin is the directory holding honua-gitops and honua-emulator.
	Bin string
	// Example is the configuration repository to copy.
	Example string
	// Out receives the walkthrough.
	Out io.Writer
	// Generation is the Honua generation the emulator presents: 2 (the
	// default, what every current Honua release is) or 1.
	Generation int
	// Seed is the Generation 2 emulator seed: the server as it runs before
	// honua-gitops adopts it.
	Seed string
}

const apiKey = "demo-admin-key"

// Run performs the walkthrough and cleans up after itself.
func Run(ctx context.Context, cfg Config) error {
	switch cfg.Generation {
	case 0, 2:
		if cfg.Seed == "" {
			return errors.New("demo: Generation 2 needs the emulator seed (-seed)")
		}
		return run(ctx, cfg, runGen2, "--generation", "2", "--seed", cfg.Seed)
	case 1:
		return run(ctx, cfg, runGen1)
	default:
		return fmt.Errorf("demo: unknown Honua generation %d (want 1 or 2)", cfg.Generation)
	}
}

func run(ctx context.Context, cfg Config, walk func(context.Context, *session) error, emuArgs ...string) error {
	work, err := os.MkdirTemp("", "honua-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	repo := filepath.Join(work, "city-gis")
	if err := copyDir(cfg.Example, repo); err != nil {
		return fmt.Errorf("copy example: %w", err)
	}
	emu, err := startEmulator(ctx, cfg.Bin, emuArgs...)
	if err != nil {
		return err
	}
	defer emu.stop()
	s := &session{cfg: cfg, dir: repo, url: emu.url}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "City GIS configuration"}} {
		if err := s.git(ctx, args...); err != nil {
			return err
		}
	}
	return walk(ctx, s)
}

// runGen1 is the walkthrough against a Generation 1 (declarative) server.
func runGen1(ctx context.Context, s *session) error {
	s.title("honua-gitops demo: GitOps for Honua geospatial servers")
	s.say("A git repository holds the city's Honua configuration (examples/honua-config);")
	s.say("a local Honua emulator stands in for the staging server at " + s.url + ".")

	s.step("1. Validate every environment (nothing is contacted)")
	if err := s.run(ctx, 0, "validate"); err != nil {
		return err
	}
	s.step("2. Plan staging against what was applied (nothing yet), in dependency order")
	if err := s.run(ctx, 0, "plan", "--env", "staging", "--compact"); err != nil {
		return err
	}
	s.step("3. Apply: write to Honua, verify by reading back, record what was applied")
	if err := s.runQuiet(ctx, 0, "apply", "--env", "staging", "--target", s.url); err != nil {
		return err
	}
	s.step("4. Plan again: nothing left to do")
	if err := s.runQuiet(ctx, 0, "plan", "--env", "staging"); err != nil {
		return err
	}
	s.step("5. Edit a layer in git; the plan shows exactly that field")
	if err := s.edit("environments/common/layers/planning.yaml", "  title: Parcels\n", "  title: Tax Parcels\n"); err != nil {
		return err
	}
	if err := s.run(ctx, 0, "plan", "--env", "staging"); err != nil {
		return err
	}
	if err := s.git(ctx, "commit", "-qam", "Retitle the parcels layer"); err != nil {
		return err
	}
	if err := s.runQuiet(ctx, 0, "apply", "--env", "staging", "--target", s.url); err != nil {
		return err
	}
	s.step("6. Roll back one step: the server returns to the first deployment's state")
	if err := s.runQuiet(ctx, 0, "rollback", "--env", "staging", "--steps", "1", "--target", s.url); err != nil {
		return err
	}
	if err := s.run(ctx, 0, "deployments", "--env", "staging"); err != nil {
		return err
	}
	if err := s.run(ctx, 0, "status", "--env", "staging", "--target", s.url); err != nil {
		return err
	}
	if err := s.runNotes(ctx, "plan", "--env", "staging"); err != nil {
		return err
	}
	s.say("(each deployment is two commits on honua-gitops/state: `git log honua-gitops/state` shows them with trailers)")
	s.step("7. Someone changes the layer in Honua's admin UI; drift is detected")
	if err := changeOutOfBand(ctx, s.url, "Layer/planning/parcels", "title", "Parcels (edited by hand)"); err != nil {
		return err
	}
	s.say("(PUT /api/v1/admin/metadata/resources/Layer/planning/parcels: title = \"Parcels (edited by hand)\")")
	if err := s.run(ctx, 0, "drift", "--env", "staging", "--target", s.url); err != nil {
		return err
	}
	s.say("\nApply now refuses (exit 4) until someone decides: `--drift-guard=overwrite` restores git's version.")
	s.say("Exit codes: 0 ok, 1 runtime failure, 2 invalid input, 3 changes (--detailed-exitcode), 4 refused.")
	return nil
}

type session struct {
	cfg      Config
	dir, url string
}

func (s *session) title(t string) { fmt.Fprintf(s.cfg.Out, "\n== %s ==\n", t) }
func (s *session) say(t string)   { fmt.Fprintln(s.cfg.Out, t) }
func (s *session) step(t string)  { fmt.Fprintf(s.cfg.Out, "\n-- %s\n", t) }

func (s *session) edit(rel, old, new string) error {
	p := filepath.Join(s.dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if !strings.Contains(string(data), old) {
		return fmt.Errorf("demo edit: %q not found in %s", old, rel)
	}
	fmt.Fprintf(s.cfg.Out, "$ sed -i 's/%s/%s/' %s\n", strings.TrimSpace(old), strings.TrimSpace(new), rel)
	return os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
}

// run executes honua-gitops, shows its output, and fails unless it exits
// with want.
func (s *session) run(ctx context.Context, want int, args ...string) error {
	out, err := s.exec(ctx, want, args...)
	fmt.Fprint(s.cfg.Out, out)
	return err
}

// runQuiet shows only the journal summary lines of an apply, to keep the
// walkthrough on one screen.
func (s *session) runQuiet(ctx context.Context, want int, args ...string) error {
	out, err := s.exec(ctx, want, args...)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Applied to") || strings.Contains(line, " applied, ") || strings.HasPrefix(line, "State recorded") ||
			strings.Contains(line, "✓ updated") || strings.Contains(line, "✗") || strings.HasPrefix(line, "Plan:") || strings.HasPrefix(line, "No changes") || strings.HasPrefix(line, "error") ||
			strings.HasPrefix(line, "Deployment ") || strings.HasPrefix(line, "Rolling ") {
			fmt.Fprintln(s.cfg.Out, line)
		}
	}
	if err != nil {
		fmt.Fprint(s.cfg.Out, out)
	}
	return err
}

// runNotes shows a plan's summary and notes only.
func (s *session) runNotes(ctx context.Context, args ...string) error {
	out, err := s.exec(ctx, 0, args...)
	notes := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "Plan:"):
			fmt.Fprintln(s.cfg.Out, line)
		case strings.HasPrefix(line, "Notes:"):
			notes = true
			fmt.Fprintln(s.cfg.Out, line)
		case notes && strings.HasPrefix(line, "  "):
			fmt.Fprintln(s.cfg.Out, line)
		}
	}
	return err
}

func (s *session) exec(ctx context.Context, want int, args ...string) (string, error) {
	fmt.Fprintf(s.cfg.Out, "$ honua-gitops %s\n", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, filepath.Join(s.cfg.Bin, "honua-gitops"), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "HONUA_API_KEY="+apiKey, "NO_COLOR=1")
	var buf strings.Builder
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		return buf.String(), err
	}
	if code != want {
		return buf.String(), fmt.Errorf("honua-gitops %s exited %d, want %d", strings.Join(args, " "), code, want)
	}
	return buf.String(), nil
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

type emulator struct {
	cmd *exec.Cmd
	url string
}

// startEmulator runs bin/honua-emulator on a free loopback port and waits
// for its ready line.
func startEmulator(ctx context.Context, bin string, extra ...string) (*emulator, error) {
	args := append([]string{"--listen", "127.0.0.1:0", "--api-key", apiKey}, extra...)
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "honua-emulator"), args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "honua-emulator listening on "); ok {
				ready <- u
			}
		}
	}()
	select {
	case u := <-ready:
		return &emulator{cmd: cmd, url: u}, nil
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		return nil, errors.New("emulator did not report ready within 10s")
	}
}

func (e *emulator) stop() {
	_ = e.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = e.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = e.cmd.Process.Kill()
	}
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
