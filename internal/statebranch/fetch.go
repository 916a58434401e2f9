package statebranch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// infiniteDepth is git's INFINITE_DEPTH ("deepen 2147483647", what
// `git fetch --unshallow` sends). A depth of 0 would not do: go-git then
// omits the client's shallow list, so the server assumes the client has the
// full history of everything it has and sends no old objects.
const infiniteDepth = math.MaxInt32

// readDepth is the fetch depth of Read.
func (s *Store) readDepth() int {
	switch {
	case s.opts.Depth == 0:
		return 1
	case s.opts.Depth < 0:
		return s.fullDepth()
	}
	return s.opts.Depth
}

// fullDepth is the depth that fetches the whole history.
func (s *Store) fullDepth() int {
	if shallow, _ := s.repo.Storer.Shallow(); len(shallow) > 0 {
		return infiniteDepth
	}
	return 0
}

// fetch fetches +refs/heads/<Branch>:refs/remotes/<Remote>/<Branch>; found
// is false when the remote has no such branch (or no refs at all).
func (s *Store) fetch(ctx context.Context, depth int) (found bool, err error) {
	return s.fetchRef(ctx, s.opts.Branch, s.branch, s.tracking, depth)
}

// fetchRef fetches +src:dst, where src is refs/heads/<name>; found is false
// when the remote has no such branch (or no refs at all).
func (s *Store) fetchRef(ctx context.Context, name string, src, dst plumbing.ReferenceName, depth int) (found bool, err error) {
	spec := config.RefSpec(fmt.Sprintf("+%s:%s", src, dst))
	ctx, cancel := context.WithTimeout(ctx, s.opts.NetworkTimeout)
	defer cancel()
	err = s.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: s.opts.Remote,
		RefSpecs:   []config.RefSpec{spec},
		Depth:      depth,
		Auth:       s.opts.Auth,
		Force:      true,
		Tags:       git.NoTags,
	})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return true, nil
	case errors.Is(err, git.NoMatchingRefSpecError{}), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return false, nil
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return false, fmt.Errorf("fetch %s from %s: no answer within %s (check the remote and the network): %w", name, s.RemoteURL(), s.opts.NetworkTimeout, scrub(err, s.secrets))
	}
	return false, fmt.Errorf("fetch %s from %s: %w", name, s.RemoteURL(), scrub(err, s.secrets))
}

// unshallow fetches the branch's full history.
func (s *Store) unshallow(ctx context.Context) error {
	if _, err := s.fetch(ctx, s.fullDepth()); err != nil {
		return err
	}
	return s.withLock(ctx, s.fixShallow)
}

// fixShallow drops from .git/shallow the commits whose parents are all
// present. go-git only ever appends to that list: it ignores the server's
// "unshallow" lines, and a depth-1 fetch of a branch whose previous tip is
// already here still records the new tip as shallow. Stale entries make the
// git CLI (log, fsck) stop at commits whose history is complete.
func (s *Store) fixShallow() error {
	list, err := s.repo.Storer.Shallow()
	if err != nil || len(list) == 0 {
		return err
	}
	keep := make([]plumbing.Hash, 0, len(list))
	for _, h := range list {
		if !s.hasParents(h) {
			keep = append(keep, h)
		}
	}
	switch {
	case len(keep) == len(list):
		return nil
	case len(keep) == 0:
		// An empty shallow file still marks the repository shallow for git.
		if err := os.Remove(filepath.Join(s.gitDir, "shallow")); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("update shallow list: %w", err)
		}
		return nil
	}
	if err := s.repo.Storer.SetShallow(keep); err != nil {
		return fmt.Errorf("update shallow list: %w", err)
	}
	return nil
}

// hasParents reports whether commit h and all its parents are present.
func (s *Store) hasParents(h plumbing.Hash) bool {
	c, err := object.GetCommit(s.objects, h)
	if err != nil {
		return false
	}
	for _, p := range c.ParentHashes {
		if s.objects.HasEncodedObject(p) != nil {
			return false
		}
	}
	return true
}
