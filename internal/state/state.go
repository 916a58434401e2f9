// Package state reads the recorded state of environments. Three sources
// exist: the state branch (where deployments record it; the default), a
// snapshot file named on the command line, and <env>/snapshot.json at any
// git ref.
package state

import (
	"context"
	"errors"
	"fmt"
	"os"

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

// Empty is the recorded state of a directory that is not a git repository:
// nothing can have been recorded there.
type Empty struct{}

// Recorded returns an empty snapshot.
func (Empty) Recorded(_ context.Context, env string) (*snapshot.Snapshot, plan.RecordedState, error) {
	return snapshot.New(env, nil), plan.RecordedState{Source: "none (not a git repository)"}, nil
}
