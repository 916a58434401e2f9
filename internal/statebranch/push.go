package statebranch

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage"
)

// push moves the local branch to next and pushes it with a lease on the
// remote tip base was read against (base.lease), so the remote only accepts
// it if its branch is still there. next may carry local commits the remote
// has never seen (Read keeps them); they go along. On
// failure the local branch goes back to where base saw it.
func (s *Store) push(ctx context.Context, base *View, next plumbing.Hash) error {
	// go-git pushes local refs, so the local branch has to hold next.
	if err := s.casLocal(ctx, base.local, next); err != nil {
		return err
	}
	err := s.pushBranch(ctx, base.lease)
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		if err := s.repo.Storer.SetReference(plumbing.NewHashReference(s.tracking, next)); err != nil {
			return fmt.Errorf("update %s: %w", s.tracking, err)
		}
		return nil
	}
	if rerr := s.restoreLocal(ctx, next, base.local); rerr != nil {
		err = errors.Join(err, fmt.Errorf("restore %s: %w", s.branch, rerr))
	}
	err = scrub(err, s.secrets)
	if isConflict(err) {
		return fmt.Errorf("%w: push %s to %s: %w", ErrConflict, s.opts.Branch, s.RemoteURL(), err)
	}
	return fmt.Errorf("push %s to %s: %w", s.opts.Branch, s.RemoteURL(), err)
}

func (s *Store) pushBranch(ctx context.Context, lease plumbing.Hash) error {
	o := &git.PushOptions{
		RemoteName: s.opts.Remote,
		RefSpecs:   []config.RefSpec{config.RefSpec(s.branch + ":" + s.branch)},
		Auth:       s.opts.Auth,
	}
	if !lease.IsZero() {
		// go-git resolves refs/remotes/<remote>/<branch> before it looks at
		// the lease's hash and fails when that ref is missing.
		if cur, err := s.refHash(s.tracking); err != nil {
			return err
		} else if cur.IsZero() {
			if err := s.repo.Storer.SetReference(plumbing.NewHashReference(s.tracking, lease)); err != nil {
				return err
			}
		}
		// With a lease go-git compares the remote's tip with the lease
		// instead of walking history for a fast-forward check (which fails
		// with "object not found" on a shallow clone), and receive-pack
		// checks the old value again when it updates the ref.
		o.ForceWithLease = &git.ForceWithLease{RefName: s.branch, Hash: lease}
	}
	// Without a lease (first creation) the command's old value is zero, so
	// receive-pack refuses it if someone created the branch meanwhile.
	//
	// Cost: go-git computes the objects to send by walking everything
	// reachable from the remote's refs that is present locally (every tree
	// at the tips, and all local history), so a push is O(tip + local
	// history), not O(change). In a fresh depth-1 clone that is the tip tree.
	ctx, cancel := context.WithTimeout(ctx, s.opts.NetworkTimeout)
	defer cancel()
	err := s.repo.PushContext(ctx, o)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s (check the remote and the network): %w", s.opts.NetworkTimeout, err)
	}
	return err
}

// conflictMarkers are the texts of go-git's and receive-pack's "somebody
// else moved the ref" failures, none of which has a sentinel error:
// go-git's lease and fast-forward checks ("non-fast-forward update: ..."),
// go-git's CheckAndSetReference, receive-pack's ref transaction ("cannot
// lock ref ...: is at X but expected Y", "failed to update ref") and git's
// own lease rejections ("stale info", "fetch first").
var conflictMarkers = []string{
	"non-fast-forward",
	"reference has changed concurrently",
	"stale info",
	"fetch first",
	"cannot lock ref",
	"failed to lock",
	"failed to update ref",
	"but expected",
}

// isConflict reports push failures that mean the remote branch moved.
// plumbing.ErrObjectNotFound is one: without a lease go-git walks from the
// remote's new tip, which a shallow clone does not have.
func isConflict(err error) bool {
	if errors.Is(err, plumbing.ErrObjectNotFound) || errors.Is(err, storage.ErrReferenceHasChanged) {
		return true
	}
	msg := err.Error()
	for _, m := range conflictMarkers {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}
