package statebranch

import (
	"context"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// View is the state branch as one Read saw it. Its methods read at Tip and
// decode only the trees along the requested path.
type View struct {
	// Tip is the commit the branch pointed at; zero when the branch does not
	// exist yet.
	Tip plumbing.Hash
	// Ref is the ref Tip was read from: refs/heads/<Branch>, or in local mode
	// refs/remotes/origin/<Branch> when only that exists. Empty when the
	// branch does not exist.
	Ref plumbing.ReferenceName
	// Replayed is how many unpushed local commits this Read rebuilt on top
	// of the remote's tip because both sides had moved (remote mode only).
	Replayed int

	store *Store
	root  plumbing.Hash // tree of Tip
	local plumbing.Hash // refs/heads/<Branch> when read: the old value of the local compare-and-swap
	// lease is the remote's tip when read, which a push requires to be still
	// there. It differs from Tip when the local branch holds commits that
	// were never pushed.
	lease plumbing.Hash
}

// Read reads the branch tip. In local mode a missing local branch falls
// back to refs/remotes/origin/<Branch>.
//
// In remote mode it first fetches the branch, then brings the local branch
// up to date without dropping commits that were never pushed (an apply
// without --push commits locally):
//   - absent, at the fetched tip, or at the tip last fetched or pushed
//     (nothing unpushed): it moves to the fetched tip;
//   - behind the fetched tip: it is fast-forwarded;
//   - ahead (the remote tip is one of its ancestors, or the remote has no
//     branch): it stays, the View reads it, and the next Commit pushes its
//     commits along with the new one;
//   - diverged: its unpushed commits are replayed, oldest first, on top of
//     the fetched tip, with Options.Merge combining the files both sides
//     changed, and the local branch moves to the result (View.Replayed).
//     When they cannot be combined Read fails with ErrDiverged and leaves
//     the local branch as it was.
//
// Relating the two needs the history between them; a shallow clone fetches
// the branch's full history for that, once. HEAD and the work tree are
// never touched. A remote without the branch gives an empty View unless
// the local branch holds unpushed commits.
func (s *Store) Read(ctx context.Context) (*View, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.Remote != "" {
		return s.readRemote(ctx)
	}
	return s.readLocal(ctx)
}

func (s *Store) readLocal(ctx context.Context) (*View, error) {
	var local, fallback plumbing.Hash
	// Under the lock: go-git rewrites a ref file in place, so an unlocked
	// reader can see it empty, mistake the branch for missing and build an
	// orphan commit.
	err := s.withReadLock(ctx, func() (err error) {
		if local, err = s.refHash(s.branch); err != nil || !local.IsZero() {
			return err
		}
		fallback, err = s.refHash(s.tracking)
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case !local.IsZero():
		return s.newView(local, s.branch, local, local)
	case !fallback.IsZero():
		return s.newView(fallback, s.tracking, plumbing.ZeroHash, fallback)
	}
	return s.newView(plumbing.ZeroHash, "", plumbing.ZeroHash, plumbing.ZeroHash)
}

// maxReadAttempts bounds how often readRemote starts over because another
// process moved the local branch while it was relating or replaying.
const maxReadAttempts = 3

func (s *Store) readRemote(ctx context.Context) (*View, error) {
	if err := s.checkNotCheckedOut(); err != nil {
		return nil, err
	}
	// The tracking ref only ever holds tips the remote had (fetched, or
	// pushed by us), so a local branch still at its old value holds nothing
	// unpushed and can follow the remote without walking any history.
	var pushed plumbing.Hash
	err := s.withReadLock(ctx, func() (err error) {
		pushed, err = s.refHash(s.tracking)
		return err
	})
	if err != nil {
		return nil, err
	}
	found, err := s.fetch(ctx, s.readDepth())
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		var tip, local plumbing.Hash
		settled := false
		err = s.withLock(ctx, func() (err error) {
			if !found {
				// Forget a tracking ref left from before the branch was deleted.
				if err := s.removeRef(s.tracking); err != nil {
					return err
				}
			} else if tip, err = s.refHash(s.tracking); err != nil {
				return err
			}
			if local, err = s.refHash(s.branch); err != nil {
				return err
			}
			if local.IsZero() || local == tip || local == pushed {
				settled = true
				if !tip.IsZero() && local != tip {
					// go-git pushes from this ref, and Commit swaps it from here.
					if err := s.repo.Storer.SetReference(plumbing.NewHashReference(s.branch, tip)); err != nil {
						return fmt.Errorf("update %s: %w", s.branch, err)
					}
					local = tip
				}
			}
			if found {
				return s.fixShallow()
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		switch {
		case settled && tip.IsZero():
			return s.newView(plumbing.ZeroHash, "", local, plumbing.ZeroHash)
		case settled:
			return s.newView(tip, s.branch, local, tip)
		case tip.IsZero():
			// No remote branch: every local commit is unpushed, and the next
			// Commit creates the remote branch with them.
			return s.newView(local, s.branch, local, plumbing.ZeroHash)
		}

		l, err := s.relate(ctx, local, tip)
		if err != nil {
			return nil, err
		}
		next, replayed := tip, 0
		switch {
		case l.behind(): // fast-forward
		case l.base == tip: // ahead: nothing to change
			return s.newView(local, s.branch, local, tip)
		default:
			if next, replayed, err = s.replay(ctx, l.local, tip); err != nil {
				return nil, err
			}
		}
		moved := false
		err = s.withLock(ctx, func() error {
			cur, err := s.refHash(s.branch)
			if err != nil {
				return err
			}
			if cur != local {
				moved = true
				return nil
			}
			err = s.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(s.branch, next), plumbing.NewHashReference(s.branch, local))
			if err != nil {
				return fmt.Errorf("update %s: %w", s.branch, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if moved {
			if attempt < maxReadAttempts {
				continue
			}
			return nil, fmt.Errorf("%w: %s kept moving while it was brought up to date with %s", ErrConflict, s.branch, s.RemoteURL())
		}
		v, err := s.newView(next, s.branch, next, tip)
		if err != nil {
			return nil, err
		}
		v.Replayed = replayed
		return v, nil
	}
}

func (s *Store) newView(tip plumbing.Hash, ref plumbing.ReferenceName, local, lease plumbing.Hash) (*View, error) {
	v := &View{Tip: tip, Ref: ref, store: s, local: local, lease: lease}
	if tip.IsZero() {
		return v, nil
	}
	c, err := object.GetCommit(s.objects, tip)
	if err != nil {
		return nil, fmt.Errorf("read commit %s of %s: %w", tip, ref, err)
	}
	v.root = c.TreeHash
	return v, nil
}

// File reads the file at path; ok is false when there is no such file (or
// no branch).
func (v *View) File(path string) (data []byte, ok bool, err error) {
	parts, err := splitPath(path)
	if err != nil {
		return nil, false, err
	}
	v.store.mu.Lock()
	defer v.store.mu.Unlock()
	e, ok, err := v.entry(parts)
	if err != nil || !ok {
		return nil, false, err
	}
	if e.Mode == filemode.Dir {
		return nil, false, fmt.Errorf("read %s: is a directory", path)
	}
	b, err := object.GetBlob(v.store.objects, e.Hash)
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", path, v.Tip, err)
	}
	data, err = blobBytes(b)
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", path, v.Tip, err)
	}
	return data, true, nil
}

// List returns the names of the entries (files and directories) of the
// directory dir ("" is the root), in git's tree order; empty when there is
// no such directory.
func (v *View) List(dir string) ([]string, error) {
	var parts []string
	if dir != "" {
		var err error
		if parts, err = splitPath(dir); err != nil {
			return nil, err
		}
	}
	v.store.mu.Lock()
	defer v.store.mu.Unlock()
	h := v.root
	if len(parts) > 0 {
		e, ok, err := v.entry(parts)
		if err != nil || !ok {
			return nil, err
		}
		if e.Mode != filemode.Dir {
			return nil, fmt.Errorf("list %s: not a directory", dir)
		}
		h = e.Hash
	}
	if h.IsZero() {
		return nil, nil
	}
	t, err := object.GetTree(v.store.objects, h)
	if err != nil {
		return nil, fmt.Errorf("list %s at %s: %w", dir, v.Tip, err)
	}
	var names []string
	for _, e := range t.Entries {
		names = append(names, e.Name)
	}
	return names, nil
}

// BlobHash is the hash of the blob at path; ok is false when there is no
// such file.
func (v *View) BlobHash(path string) (plumbing.Hash, bool, error) {
	parts, err := splitPath(path)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	v.store.mu.Lock()
	defer v.store.mu.Unlock()
	e, ok, err := v.entry(parts)
	if err != nil || !ok {
		return plumbing.ZeroHash, false, err
	}
	if e.Mode == filemode.Dir {
		return plumbing.ZeroHash, false, fmt.Errorf("blob hash of %s: is a directory", path)
	}
	return e.Hash, true, nil
}

// entry walks from the root tree along parts.
func (v *View) entry(parts []string) (object.TreeEntry, bool, error) {
	e, ok, err := lookup(v.store.objects, v.root, parts)
	if err != nil {
		return object.TreeEntry{}, false, fmt.Errorf("%w at %s", err, v.Tip)
	}
	return e, ok, nil
}

// lookup walks from the tree root along parts, decoding one tree per path
// component. A path through a file is absent, not an error.
func lookup(objects storer.EncodedObjectStorer, root plumbing.Hash, parts []string) (object.TreeEntry, bool, error) {
	h := root
	if h.IsZero() {
		return object.TreeEntry{}, false, nil
	}
	for i, name := range parts {
		e, ok, err := findInTree(objects, h, name)
		if err != nil {
			return object.TreeEntry{}, false, fmt.Errorf("read tree %s: %w", h, err)
		}
		if !ok {
			return object.TreeEntry{}, false, nil
		}
		if i == len(parts)-1 {
			return e, true, nil
		}
		if e.Mode != filemode.Dir {
			return object.TreeEntry{}, false, nil
		}
		h = e.Hash
	}
	return object.TreeEntry{}, false, nil
}

func blobBytes(b *object.Blob) ([]byte, error) {
	r, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
