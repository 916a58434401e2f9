package state

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/snapshot"
)

// GitRef reads <env>/snapshot.json from a commit of the repository, without
// touching the work tree or HEAD: the layout of the state branch.
type GitRef struct {
	// RepoDir is any directory inside the repository.
	RepoDir string
	// Ref is a branch, tag, remote branch or commit hash.
	Ref string
}

// Recorded reads the snapshot at the ref; an environment with no snapshot
// there has empty recorded state.
func (g GitRef) Recorded(_ context.Context, env string) (*snapshot.Snapshot, plan.RecordedState, error) {
	st := plan.RecordedState{Source: "git " + g.Ref}
	repo, err := git.PlainOpenWithOptions(g.RepoDir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, st, fmt.Errorf("open git repository at %s: %w", g.RepoDir, err)
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(g.Ref))
	if err != nil {
		return nil, st, fmt.Errorf("resolve git ref %q: %w", g.Ref, err)
	}
	st.Revision = hash.String()
	commit, err := repo.CommitObject(*hash)
	if err != nil {
		return nil, st, fmt.Errorf("read commit %s: %w", hash, err)
	}
	p := env + "/snapshot.json"
	f, err := commit.File(p)
	if errors.Is(err, object.ErrFileNotFound) {
		return snapshot.New(env, nil), st, nil
	}
	if err != nil {
		return nil, st, fmt.Errorf("read %s at %s: %w", p, g.Ref, err)
	}
	data, err := f.Contents()
	if err != nil {
		return nil, st, fmt.Errorf("read %s at %s: %w", p, g.Ref, err)
	}
	s, err := snapshot.Parse([]byte(data))
	if err != nil {
		return nil, st, fmt.Errorf("%s at %s: %w: %w", p, g.Ref, ErrInvalid, err)
	}
	return s, st, nil
}
