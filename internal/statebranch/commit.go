package statebranch

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Change writes Data to Path, or with Delete removes the file (or whole
// directory) at Path. Parent directories are created as needed and removed
// when they end up empty.
type Change struct {
	Path   string
	Data   []byte
	Delete bool
}

// Commit describes one commit on the state branch. Its message is
// "Subject\n\nBody\n\nKey: Value\n..." with the trailers as git's trailer
// block.
type Commit struct {
	Subject  string
	Body     string
	Trailers []Trailer
	Changes  []Change
}

// Commit builds a commit of c on top of base.Tip (an orphan commit when the
// branch does not exist) and moves the branch to it by compare-and-swap;
// later changes to the same path win. When the resulting tree equals the
// parent's no commit is made and base.Tip is returned. ErrConflict means the
// branch moved since base was read, locally or on the remote: Read again and
// retry.
func (s *Store) Commit(ctx context.Context, base *View, c Commit) (plumbing.Hash, error) {
	if base == nil {
		return plumbing.ZeroHash, fmt.Errorf("commit %q: no base View; call Read first", c.Subject)
	}
	msg, err := c.message()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	paths := make([][]string, len(c.Changes))
	for i, ch := range c.Changes {
		if paths[i], err = splitPath(ch.Path); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	if err := ctx.Err(); err != nil {
		return plumbing.ZeroHash, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkNotCheckedOut(); err != nil {
		return plumbing.ZeroHash, err
	}
	root, err := s.buildTree(base.root, c.Changes, paths)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit %q: %w", c.Subject, err)
	}
	if root.IsZero() {
		if base.Tip.IsZero() {
			return base.Tip, nil // no branch and nothing to put on it
		}
		root = emptyTreeHash
	}
	if root == base.root {
		return base.Tip, nil // nothing changed
	}
	if root == emptyTreeHash {
		if _, err := storeObject(s.objects, &object.Tree{}); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("commit %q: %w", c.Subject, err)
		}
	}

	sig := object.Signature{Name: s.opts.AuthorName, Email: s.opts.AuthorEmail, When: s.opts.Now()}
	commit := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: root}
	if !base.Tip.IsZero() {
		commit.ParentHashes = []plumbing.Hash{base.Tip}
	}
	next, err := storeObject(s.objects, commit)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit %q: %w", c.Subject, err)
	}

	if s.opts.Remote == "" {
		err = s.casLocal(ctx, base.local, next)
	} else {
		err = s.push(ctx, base, next)
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return next, nil
}

// buildTree applies the changes to the tree root and returns the new root
// (zero for an empty tree).
func (s *Store) buildTree(root plumbing.Hash, changes []Change, paths [][]string) (plumbing.Hash, error) {
	ed := newTreeEditor(s.objects, root)
	for i, ch := range changes {
		if ch.Delete {
			if err := ed.remove(paths[i]); err != nil {
				return plumbing.ZeroHash, fmt.Errorf("delete %s: %w", ch.Path, err)
			}
			continue
		}
		blob, err := storeBlob(s.objects, ch.Data)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("write %s: %w", ch.Path, err)
		}
		if err := ed.setFile(paths[i], blob); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("write %s: %w", ch.Path, err)
		}
	}
	return ed.write()
}
