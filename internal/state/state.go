// Package state reads (and, from the apply use case, writes) the recorded
// state of environments. Three sources exist: a snapshot file named on the
// command line, <env>/snapshot.json at a git ref, and the local store in
// .git/honua-gitops/<env>/snapshot.json that apply writes until the state
// branch replaces it.
package state

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/snapshot"
)

// ErrInvalid marks recorded state that exists but cannot be used (bad JSON,
// unknown format): the user must fix or remove it.
var ErrInvalid = errors.New("invalid recorded state")

// File reads one snapshot file for any environment.
type File struct {
	Path string
}

// Recorded reads the file; a missing file is an error (the user named it).
func (f File) Recorded(_ context.Context, env string) (*snapshot.Snapshot, plan.RecordedState, error) {
	st := plan.RecordedState{Source: "file " + f.Path}
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, st, fmt.Errorf("read state file: %w", err)
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		return nil, st, fmt.Errorf("%s: %w: %w", f.Path, ErrInvalid, err)
	}
	if s.Environment != "" && s.Environment != env {
		return nil, st, fmt.Errorf("%s: %w: snapshot is for environment %q, not %q", f.Path, ErrInvalid, s.Environment, env)
	}
	return s, st, nil
}

// Local is the interim store inside the repository's git directory. It is
// never in the work tree, so it cannot be committed by accident.
type Local struct {
	// GitDir is the repository's .git directory.
	GitDir string
}

// Dir is where the environment's snapshot lives.
func (l Local) Dir(env string) string {
	return filepath.Join(l.GitDir, "honua-gitops", env)
}

// Recorded reads the environment's snapshot; none yet means empty state.
func (l Local) Recorded(_ context.Context, env string) (*snapshot.Snapshot, plan.RecordedState, error) {
	p := filepath.Join(l.Dir(env), "snapshot.json")
	st := plan.RecordedState{Source: "local state (.git/honua-gitops)"}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return snapshot.New(env, nil), st, nil
	}
	if err != nil {
		return nil, st, fmt.Errorf("read recorded state: %w", err)
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		return nil, st, fmt.Errorf("%s: %w: %w", p, ErrInvalid, err)
	}
	return s, st, nil
}

// Empty is the recorded state of a directory that is not a git repository:
// nothing can have been recorded there.
type Empty struct{}

// Recorded returns an empty snapshot.
func (Empty) Recorded(_ context.Context, env string) (*snapshot.Snapshot, plan.RecordedState, error) {
	return snapshot.New(env, nil), plan.RecordedState{Source: "none (not a git repository)"}, nil
}

// Write records the environment's snapshot atomically (a temporary file
// renamed over the old one), so a crash never leaves half a snapshot.
func (l Local) Write(_ context.Context, env string, s *snapshot.Snapshot) error {
	data, err := s.Marshal()
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(l.Dir(env), "snapshot.json"), data)
}

// Write replaces the snapshot file.
func (f File) Write(_ context.Context, _ string, s *snapshot.Snapshot) error {
	data, err := s.Marshal()
	if err != nil {
		return err
	}
	return writeAtomic(f.Path, data)
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("record state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".snapshot-*")
	if err != nil {
		return fmt.Errorf("record state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("record state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("record state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("record state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("record state: %w", err)
	}
	return nil
}
