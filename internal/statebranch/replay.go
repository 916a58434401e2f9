package statebranch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// maxWalk bounds how many commits the merge-base search reads on each side,
// so a pathological history fails with a message instead of reading
// everything.
const maxWalk = 10000

// lineage is how the local branch relates to the fetched remote tip.
type lineage struct {
	base plumbing.Hash // their newest common commit; zero when unrelated
	// local are the commits of the local branch that the remote lacks,
	// oldest first.
	local []*object.Commit
}

// behind reports that the remote has everything the local branch has.
func (l lineage) behind() bool { return len(l.local) == 0 }

// relate finds how local relates to remote (both non-zero). A depth-1 clone
// usually lacks the history between them, so when either walk runs into a
// missing commit it fetches the branch's full history once and walks again.
func (s *Store) relate(ctx context.Context, local, remote plumbing.Hash) (lineage, error) {
	for fetched := false; ; fetched = true {
		l, missing, err := s.walkToBase(ctx, local, remote)
		if err != nil || missing.IsZero() {
			return l, err
		}
		if fetched {
			return lineage{}, fmt.Errorf("find where %s and %s/%s meet: commit %s is missing even after fetching the full history (was the remote branch rewritten?); compare them with `git log %s %s/%s`",
				s.opts.Branch, s.opts.Remote, s.opts.Branch, describe(missing), s.opts.Branch, s.opts.Remote, s.opts.Branch)
		}
		if err := s.unshallow(ctx); err != nil {
			return lineage{}, err
		}
		s.unshallowed = true
	}
}

// walkToBase walks first parents back from both tips in step and stops at
// the first commit one side reaches that the other has passed, which for
// the linear history this package writes is the merge base. missing is set
// when no base was found and a walk ran into a commit that is not here
// (the shallow boundary); with neither, the histories are unrelated.
func (s *Store) walkToBase(ctx context.Context, local, remote plumbing.Hash) (l lineage, missing plumbing.Hash, err error) {
	type side struct {
		next    plumbing.Hash
		seen    map[plumbing.Hash]int // commit -> position in commits
		commits []*object.Commit      // newest first
		stopped bool
		missing plumbing.Hash
	}
	sides := [2]*side{
		{next: local, seen: map[plumbing.Hash]int{}},
		{next: remote, seen: map[plumbing.Hash]int{}},
	}
	ours := sides[0]
	found := func(base plumbing.Hash, onLocal bool) (lineage, plumbing.Hash, error) {
		n := len(ours.commits) // the base is where the local walk was about to go
		if onLocal {
			n = ours.seen[base] // the remote walk reached a commit the local walk passed
		}
		l := lineage{base: base, local: make([]*object.Commit, n)}
		for i, c := range ours.commits[:n] {
			l.local[n-1-i] = c
		}
		return l, plumbing.ZeroHash, nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return lineage{}, plumbing.ZeroHash, err
		}
		progressed := false
		for i, sd := range sides {
			if sd.stopped {
				continue
			}
			h := sd.next
			if _, ok := sides[1-i].seen[h]; ok {
				return found(h, i == 1)
			}
			if len(sd.commits) >= maxWalk {
				return lineage{}, plumbing.ZeroHash, fmt.Errorf("%s and %s/%s are more than %d commits apart; compare them with `git log %s %s/%s`",
					s.opts.Branch, s.opts.Remote, s.opts.Branch, maxWalk, s.opts.Branch, s.opts.Remote, s.opts.Branch)
			}
			c, err := object.GetCommit(s.objects, h)
			if errors.Is(err, plumbing.ErrObjectNotFound) {
				sd.stopped, sd.missing = true, h
				continue
			}
			if err != nil {
				return lineage{}, plumbing.ZeroHash, fmt.Errorf("read commit %s: %w", h, err)
			}
			sd.seen[h] = len(sd.commits)
			sd.commits = append(sd.commits, c)
			progressed = true
			if len(c.ParentHashes) == 0 {
				sd.stopped = true
			} else {
				sd.next = c.ParentHashes[0]
			}
		}
		if !progressed {
			break
		}
	}
	for _, sd := range sides {
		if !sd.missing.IsZero() {
			return lineage{}, sd.missing, nil
		}
	}
	// Both walks reached a root commit: the local branch was started on its
	// own (an apply in a clone that had never fetched the state branch).
	// Every local commit is replayed, as if onto an empty tree.
	return found(plumbing.ZeroHash, false)
}

// replay rebuilds the local commits, oldest first, on top of onto, and
// returns the new tip and how many commits it made. Each commit's changes
// are the diff from its parent; a path the new tip has also changed is
// combined with Options.Merge. The local branch is not touched.
func (s *Store) replay(ctx context.Context, local []*object.Commit, onto plumbing.Hash) (plumbing.Hash, int, error) {
	tip := onto
	top, err := object.GetCommit(s.objects, onto)
	if err != nil {
		return plumbing.ZeroHash, 0, fmt.Errorf("read commit %s: %w", onto, err)
	}
	root := top.TreeHash
	made := 0
	for _, c := range local {
		if err := ctx.Err(); err != nil {
			return plumbing.ZeroHash, 0, err
		}
		var parentRoot plumbing.Hash
		switch len(c.ParentHashes) {
		case 0:
		case 1:
			p, err := object.GetCommit(s.objects, c.ParentHashes[0])
			if err != nil {
				return plumbing.ZeroHash, 0, fmt.Errorf("read commit %s: %w", c.ParentHashes[0], err)
			}
			parentRoot = p.TreeHash
		default:
			return plumbing.ZeroHash, 0, s.diverged(len(local), onto, c, errors.New("it is a merge commit, which is not replayed automatically"))
		}
		next, conflicts, err := s.replayTree(root, parentRoot, c.TreeHash)
		if err != nil {
			return plumbing.ZeroHash, 0, fmt.Errorf("replay commit %s: %w", c.Hash, err)
		}
		if conflicts != nil {
			return plumbing.ZeroHash, 0, s.diverged(len(local), onto, c, conflicts)
		}
		if next == root {
			continue // the remote already has these changes
		}
		if next == emptyTreeHash {
			if _, err := storeObject(s.objects, &object.Tree{}); err != nil {
				return plumbing.ZeroHash, 0, err
			}
		}
		// As git rebase does: the author and message stay, the committer is
		// whoever replays it.
		committer := object.Signature{Name: s.opts.AuthorName, Email: s.opts.AuthorEmail, When: s.opts.Now()}
		nc := &object.Commit{Author: c.Author, Committer: committer, Message: c.Message, TreeHash: next, ParentHashes: []plumbing.Hash{tip}}
		if tip, err = storeObject(s.objects, nc); err != nil {
			return plumbing.ZeroHash, 0, fmt.Errorf("replay commit %s: %w", c.Hash, err)
		}
		root = next
		made++
	}
	return tip, made, nil
}

// replayTree applies the diff from tree from to tree to onto tree root and
// returns the new root (the empty tree rather than zero), or conflicts
// naming every path that could not be combined.
func (s *Store) replayTree(root, from, to plumbing.Hash) (plumbing.Hash, conflictList, error) {
	var diffs []fileDiff
	if err := s.diffTrees(from, to, "", &diffs); err != nil {
		return plumbing.ZeroHash, nil, err
	}
	ed := newTreeEditor(s.objects, root)
	var conflicts conflictList
	for _, d := range diffs {
		parts := strings.Split(d.path, "/")
		cur, err := s.fileAt(root, parts)
		if err != nil {
			return plumbing.ZeroHash, nil, err
		}
		want := d.to
		switch cur {
		case d.from: // untouched on the other side: take ours
		case d.to: // the same change on both sides
			continue
		default:
			merged, err := s.merge(d, cur)
			if err != nil {
				conflicts = append(conflicts, fmt.Errorf("%s: %w", d.path, err))
				continue
			}
			if want = plumbing.ZeroHash; merged != nil {
				if want, err = storeBlob(s.objects, merged); err != nil {
					return plumbing.ZeroHash, nil, err
				}
			}
		}
		if want.IsZero() {
			err = ed.remove(parts)
		} else {
			err = ed.setFile(parts, want)
		}
		if err != nil {
			conflicts = append(conflicts, fmt.Errorf("%s: %w", d.path, err))
		}
	}
	if len(conflicts) > 0 {
		return plumbing.ZeroHash, conflicts, nil
	}
	next, err := ed.write()
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	if next.IsZero() {
		next = emptyTreeHash
	}
	return next, nil, nil
}

// conflictList is the paths of one commit that could not be combined, each
// as "<path>: <why>"; errors.Is sees through to each cause.
type conflictList []error

func (c conflictList) Error() string {
	msgs := make([]string, len(c))
	for i, err := range c {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (c conflictList) Unwrap() []error { return c }

// merge calls Options.Merge for a path changed on both sides; theirs is the
// blob on the tip being replayed onto.
func (s *Store) merge(d fileDiff, theirs plumbing.Hash) ([]byte, error) {
	if s.opts.Merge == nil {
		return nil, errors.New("changed on both sides")
	}
	var data [3][]byte
	for i, h := range []plumbing.Hash{d.from, d.to, theirs} {
		if h.IsZero() {
			continue // absent: nil
		}
		b, err := s.readBlob(h)
		if err != nil {
			return nil, fmt.Errorf("read blob %s: %w", h, err)
		}
		data[i] = b
	}
	return s.opts.Merge(d.path, data[0], data[1], data[2])
}

// diverged is the error of a replay that failed at local commit c.
func (s *Store) diverged(n int, onto plumbing.Hash, c *object.Commit, err error) error {
	subject, _, _ := strings.Cut(c.Message, "\n")
	b, r := s.opts.Branch, s.opts.Remote+"/"+s.opts.Branch
	return fmt.Errorf("%w: %s has %d commit(s) that were never pushed and %s has moved on since (to %s), so they cannot be pushed as they are; "+
		"replaying them on top of %s failed at %s %q: %w. The local branch is unchanged: compare the two with `git log %s %s`, "+
		"then rebase %s onto %s by hand and push it, or give up the local commits with `git branch -f %s %s`",
		ErrDiverged, b, n, r, describe(onto), r, describe(c.Hash), subject, err, b, r, b, r, b, r)
}

// fileDiff is one file that differs between two trees; a zero hash is an
// absent file.
type fileDiff struct {
	path     string
	from, to plumbing.Hash
}

// diffTrees appends the files that differ between trees a and b (zero: the
// empty tree), descending only into subtrees whose hashes differ. Where a
// file and a directory swap places, the removals come first, so applying
// the list in order never finds a file in the way.
func (s *Store) diffTrees(a, b plumbing.Hash, prefix string, out *[]fileDiff) error {
	if a == b {
		return nil
	}
	ea, err := s.treeEntries(a)
	if err != nil {
		return err
	}
	eb, err := s.treeEntries(b)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(ea)+len(eb))
	for n := range ea {
		names = append(names, n)
	}
	for n := range eb {
		if _, ok := ea[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		x, inA := ea[name]
		y, inB := eb[name]
		p := prefix + name
		if (inA && x.Mode == filemode.Submodule) || (inB && y.Mode == filemode.Submodule) {
			return fmt.Errorf("%s: submodules are not supported on the state branch", p)
		}
		dirA, dirB := inA && x.Mode == filemode.Dir, inB && y.Mode == filemode.Dir
		var fileA, fileB plumbing.Hash
		if inA && !dirA {
			fileA = x.Hash
		}
		if inB && !dirB {
			fileB = y.Hash
		}
		switch {
		case dirA && dirB:
			if err := s.diffTrees(x.Hash, y.Hash, p+"/", out); err != nil {
				return err
			}
			continue
		case dirA:
			if err := s.diffTrees(x.Hash, plumbing.ZeroHash, p+"/", out); err != nil {
				return err
			}
		case dirB && !fileA.IsZero():
			*out = append(*out, fileDiff{path: p, from: fileA})
		}
		if dirB {
			if err := s.diffTrees(plumbing.ZeroHash, y.Hash, p+"/", out); err != nil {
				return err
			}
		} else if fileA != fileB {
			*out = append(*out, fileDiff{path: p, from: fileA, to: fileB})
		}
	}
	return nil
}

func (s *Store) treeEntries(h plumbing.Hash) (map[string]object.TreeEntry, error) {
	out := map[string]object.TreeEntry{}
	if h.IsZero() {
		return out, nil
	}
	t, err := object.GetTree(s.objects, h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	for _, e := range t.Entries {
		out[e.Name] = e
	}
	return out, nil
}

// fileAt is the blob at parts under root; zero when there is no file there
// (absent, or a directory).
func (s *Store) fileAt(root plumbing.Hash, parts []string) (plumbing.Hash, error) {
	e, ok, err := lookup(s.objects, root, parts)
	if err != nil || !ok || e.Mode == filemode.Dir {
		return plumbing.ZeroHash, err
	}
	return e.Hash, nil
}
