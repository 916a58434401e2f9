package statebranch

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage"
)

// casLocal moves refs/heads/<Branch> from old (zero: absent) to next.
//
// go-git's filesystem CheckAndSetReference flocks the ref file and compares
// the old value, but it does not check anything when the ref is created
// (old == nil), and it rewrites the file in place (truncate, write), so an
// unlocked reader can find it empty. The lock file closes both gaps; the
// storer's own check stays as a second line of defence.
func (s *Store) casLocal(ctx context.Context, old, next plumbing.Hash) error {
	return s.withLock(ctx, func() error {
		cur, err := s.refHash(s.branch)
		if err != nil {
			return err
		}
		if cur != old {
			return s.conflict(cur, old)
		}
		var oldRef *plumbing.Reference
		if !old.IsZero() {
			oldRef = plumbing.NewHashReference(s.branch, old)
		}
		err = s.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(s.branch, next), oldRef)
		if errors.Is(err, storage.ErrReferenceHasChanged) {
			return fmt.Errorf("%w: %s changed concurrently", ErrConflict, s.branch)
		}
		if err != nil {
			return fmt.Errorf("update %s: %w", s.branch, err)
		}
		return nil
	})
}

// restoreLocal puts refs/heads/<Branch> back from next to old after a failed
// push, unless something else moved it meanwhile.
func (s *Store) restoreLocal(ctx context.Context, next, old plumbing.Hash) error {
	return s.withLock(context.WithoutCancel(ctx), func() error {
		cur, err := s.refHash(s.branch)
		if err != nil || cur != next {
			return err
		}
		if old.IsZero() {
			return s.removeRef(s.branch)
		}
		return s.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(s.branch, old), plumbing.NewHashReference(s.branch, next))
	})
}

func (s *Store) removeRef(name plumbing.ReferenceName) error {
	err := s.repo.Storer.RemoveReference(name)
	if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}

func (s *Store) conflict(cur, want plumbing.Hash) error {
	return fmt.Errorf("%w: %s is at %s, not %s", ErrConflict, s.branch, describe(cur), describe(want))
}

func describe(h plumbing.Hash) string {
	if h.IsZero() {
		return "nothing (no branch)"
	}
	return h.String()[:12]
}
