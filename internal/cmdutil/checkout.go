package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/source"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// Checkout is what is checked out in the configuration repository.
type Checkout struct {
	Commit, Ref string
	Worktree    *usecase.Worktree
	// Compare answers ancestry when the local history cannot (a shallow CI
	// checkout): the GitHub API in the Action; nil at a desk.
	Compare source.Comparer
	// Dir is a directory inside the repository.
	Dir string
}

// InspectCheckout describes the configuration repository's checkout for an
// apply of env: its commit, and whether the files env is built from
// (honua-gitops.yaml, the common and environment directories, the
// variables file) have uncommitted changes. Outside a git repository it
// returns an empty checkout.
func InspectCheckout(ctx context.Context, cfg *config.Config, env *config.Environment) (*Checkout, error) {
	root, err := source.Root(cfg.Root)
	if errors.Is(err, source.ErrNotRepository) {
		return &Checkout{Dir: cfg.Root}, nil
	}
	if err != nil {
		return nil, err
	}
	base, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, err
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	if b, err := filepath.EvalSymlinks(base); err == nil {
		base = b
	}
	var paths []string
	for _, p := range []string{config.FileName, cfg.CommonPath, env.Path, env.VariablesFile} {
		if p == "" {
			continue
		}
		rel, err := filepath.Rel(root, filepath.Join(base, p))
		if err != nil {
			return nil, err
		}
		paths = append(paths, filepath.ToSlash(rel))
	}
	info, err := source.Inspect(ctx, cfg.Root, paths)
	if err != nil {
		return nil, fmt.Errorf("inspect the checkout of %s: %w", cfg.Root, err)
	}
	wt := &usecase.Worktree{Dirty: info.Dirty, DiffHash: info.DiffHash}
	for _, c := range info.Changes {
		wt.Changes = append(wt.Changes, c.Path+" ("+c.Status+")")
	}
	return &Checkout{Commit: info.Commit, Ref: info.Ref, Worktree: wt, Dir: cfg.Root}, nil
}

// Contains reports whether the checked-out commit contains ancestor: from
// the local history, else from Compare.
func (c *Checkout) Contains(ctx context.Context, ancestor string) (contains, known bool, err error) {
	a, err := source.Contains(ctx, c.Dir, c.Commit, ancestor)
	if err != nil && !errors.Is(err, source.ErrNotRepository) {
		return false, false, err
	}
	if a == source.Unknown && c.Compare != nil {
		if a, err = source.ContainsVia(ctx, c.Compare, c.Commit, ancestor); err != nil {
			return false, false, err
		}
	}
	return a == source.Contained, a != source.Unknown, nil
}

// Ahead counts the commits on the repository's default branch after commit:
// how far the deployed commit is behind. The default branch is origin's
// HEAD when known, else the checked-out branch — never assumed to be
// "main". It returns the branch name and -1 when the count is unknown.
func Ahead(dir, commit string) (branch string, ahead int) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil || commit == "" {
		return "", -1
	}
	var tip *plumbing.Reference
	if ref, err := repo.Reference(plumbing.NewRemoteHEADReferenceName("origin"), true); err == nil {
		tip = ref
		branch = strings.TrimPrefix(ref.Name().Short(), "origin/")
	} else if head, err := repo.Head(); err == nil && head.Name().IsBranch() {
		tip, branch = head, head.Name().Short()
	} else {
		return "", -1
	}
	iter, err := repo.Log(&git.LogOptions{From: tip.Hash()})
	if err != nil {
		return branch, -1
	}
	defer iter.Close()
	const maxWalk = 100_000
	n := 0
	target := plumbing.NewHash(commit)
	found := false
	_ = iter.ForEach(func(c *object.Commit) error {
		if c.Hash == target {
			found = true
			return storer.ErrStop
		}
		n++
		if n >= maxWalk {
			return storer.ErrStop
		}
		return nil
	})
	if !found {
		return branch, -1
	}
	return branch, n
}
