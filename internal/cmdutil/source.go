package cmdutil

import (
	"os/user"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/honua-io/honua-gitops/internal/deploy"
)

// SourceOf describes what is being deployed: the commit and branch checked
// out in the repository at dir (detached checkouts, as in CI, have no
// branch). Outside a repository it is empty.
func SourceOf(dir string) deploy.Source {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return deploy.Source{}
	}
	head, err := repo.Head()
	if err != nil {
		return deploy.Source{}
	}
	s := deploy.Source{Commit: head.Hash().String()}
	if head.Name().IsBranch() {
		s.Ref = head.Name().String()
	}
	return s
}

// Actor names who deploys: the flag, GITHUB_ACTOR in Actions, else the
// operating-system user.
func Actor(flag string, getenv func(string) string) string {
	switch {
	case flag != "":
		return flag
	case getenv("GITHUB_ACTOR") != "":
		return getenv("GITHUB_ACTOR")
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
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
