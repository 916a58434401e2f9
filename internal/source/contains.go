package source

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Ancestry is whether one commit's history contains another.
type Ancestry int

const (
	// Unknown: the history at hand cannot tell, as in a shallow clone. It
	// is the zero value, so a forgotten answer is never taken for a yes.
	Unknown Ancestry = iota
	// Contained: the ancestor is reachable from the head (or is the head).
	Contained
	// NotContained: the ancestor is not reachable from the head.
	NotContained
)

// String names a for messages and logs.
func (a Ancestry) String() string {
	switch a {
	case Contained:
		return "contained"
	case NotContained:
		return "not contained"
	}
	return "unknown"
}

// maxWalk bounds the commits Contains reads before giving up with Unknown;
// a variable so that tests can lower it.
var maxWalk = 1_000_000

// Contains reports whether commit ancestor is reachable from commit head in
// the repository containing repoDir, following every parent of merges;
// head == ancestor is Contained. Both are full hex SHAs or revisions go-git
// resolves ("HEAD", a branch).
//
// The answer is Unknown, with a nil error, when the local objects cannot
// decide: head is not in the object store, or the walk from head ran into
// a shallow boundary or a missing commit before finding ancestor (CI
// checkouts are depth 1; see ContainsVia), or it read more than a million
// commits. An ancestor absent from a complete history is NotContained: had
// head contained it, the clone would hold it. Outside a repository the error wraps
// ErrNotRepository.
func Contains(ctx context.Context, repoDir, head, ancestor string) (Ancestry, error) {
	repo, err := open(repoDir)
	if err != nil {
		return Unknown, err
	}
	h, err := resolve(repo, head)
	if err != nil {
		return Unknown, err
	}
	a, err := resolve(repo, ancestor)
	if err != nil {
		return Unknown, err
	}
	if h == a {
		return Contained, nil
	}
	if _, err := object.GetCommit(repo.Storer, a); err != nil {
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			return Unknown, fmt.Errorf("source: read commit %s: %w", a, err)
		}
		if repo.Storer.HasEncodedObject(a) == nil {
			return Unknown, fmt.Errorf("source: %s is not a commit", a)
		}
		// Absent here: a complete history from head cannot contain it (a
		// clone made before that commit was pushed); the walk below says
		// whether the history is complete.
	}
	shallow, err := repo.Storer.Shallow()
	if err != nil {
		return Unknown, fmt.Errorf("source: read the shallow list: %w", err)
	}
	boundary := make(map[plumbing.Hash]bool, len(shallow))
	for _, s := range shallow {
		boundary[s] = true
	}

	// Breadth first, so that a recent ancestor is found after reading
	// little of a long history.
	seen := map[plumbing.Hash]bool{h: true}
	queue := []plumbing.Hash{h}
	incomplete := false
	for n := 1; len(queue) > 0; n++ {
		if n > maxWalk {
			return Unknown, nil
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return Unknown, err
			}
		}
		next := queue[0]
		queue = queue[1:]
		c, err := object.GetCommit(repo.Storer, next)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			incomplete = true
			continue
		}
		if err != nil {
			return Unknown, fmt.Errorf("source: read commit %s: %w", next, err)
		}
		// A shallow commit names its parents but the history behind it is
		// not here; parents that are here (fetched otherwise) still count.
		incomplete = incomplete || boundary[next]
		for _, p := range c.ParentHashes {
			if p == a {
				return Contained, nil
			}
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	if incomplete {
		return Unknown, nil
	}
	return NotContained, nil
}

// resolve turns a full hex SHA (which need not exist) or a revision into a
// hash.
func resolve(repo *git.Repository, rev string) (plumbing.Hash, error) {
	if rev == "" {
		return plumbing.ZeroHash, errors.New("source: no commit given")
	}
	if plumbing.IsHash(rev) {
		return plumbing.NewHash(strings.ToLower(rev)), nil
	}
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("source: resolve %q: %w", rev, err)
	}
	return *h, nil
}

// Comparer compares two commits the way GitHub's compare API does:
// status is "identical", "ahead", "behind" or "diverged" for head against
// base. *githubapi.Client implements it.
type Comparer interface {
	CompareCommits(ctx context.Context, base, head string) (status string, aheadBy, behindBy int, err error)
}

// ContainsVia answers Contains through c, for checkouts too shallow to
// answer locally: head contains ancestor when head is identical to or
// ahead of it. A failed comparison is Unknown with the error wrapped, so
// callers can tell GitHub not knowing a commit (githubapi.IsNotFound) from
// other failures.
func ContainsVia(ctx context.Context, c Comparer, head, ancestor string) (Ancestry, error) {
	if head == "" || ancestor == "" {
		return Unknown, errors.New("source: no commit given")
	}
	if strings.EqualFold(head, ancestor) {
		return Contained, nil
	}
	status, _, _, err := c.CompareCommits(ctx, ancestor, head)
	if err != nil {
		return Unknown, fmt.Errorf("source: does %s contain %s: %w", head, ancestor, err)
	}
	switch status {
	case "identical", "ahead":
		return Contained, nil
	case "behind", "diverged":
		return NotContained, nil
	}
	return Unknown, fmt.Errorf("source: does %s contain %s: unexpected comparison status %q", head, ancestor, status)
}
