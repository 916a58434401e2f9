// Package source describes what is being deployed from the configuration
// repository: the commit checked out, how the work tree under the
// configuration paths differs from it (Inspect), and whether one commit's
// history contains another (Contains, or ContainsVia through GitHub when
// the checkout is too shallow to tell).
//
// It reads repositories with go-git only, since the release image has no
// git binary, and imports nothing else of honua-gitops.
package source

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
)

// ErrNotRepository is returned (wrapped) for a directory that is not in a
// git work tree.
var ErrNotRepository = errors.New("not in a git repository")

// open opens the repository whose work tree contains dir, looking for .git
// upwards as git does. The common directory is enabled so that linked work
// trees (git worktree add) see the shared objects and refs.
func open(dir string) (*git.Repository, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("source: %s: %w", dir, ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("source: open the repository at %s: %w", dir, err)
	}
	return repo, nil
}

// Root returns the root of the work tree that contains dir: what the paths
// given to Inspect are relative to.
func Root(dir string) (string, error) {
	repo, err := open(dir)
	if err != nil {
		return "", err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", fmt.Errorf("source: work tree of %s: %w", dir, err)
	}
	return wt.Filesystem.Root(), nil
}
