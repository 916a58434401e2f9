package statebranch

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

var (
	// ErrNoRemote reports a Propose on a Store opened without
	// Options.Remote: a proposal exists only as a branch on the remote.
	ErrNoRemote = errors.New("no remote to propose to")
	// ErrNoChanges reports a Proposal whose files are already exactly as
	// they are in its Parent: a commit of them would change nothing, so
	// nothing is pushed.
	ErrNoChanges = errors.New("the proposed files are already as they are in the parent commit")
)

// Proposal is a commit of Files on top of Parent, pushed to Branch, for a
// pull request to propose. The branch belongs to the tool: each Propose
// replaces the previous proposal on it.
type Proposal struct {
	// Branch is the short name of the branch on the remote, for example
	// "honua-gitops/import-staging" (a "refs/heads/" prefix is dropped).
	Branch string
	// Parent is the hash of the commit the proposal starts from, usually the
	// checked-out HEAD. It must be in the repository (a depth-1 checkout has
	// it).
	Parent string
	// Files maps repository-relative slash-separated paths to their new
	// content; nil content deletes the file (or directory), while an empty
	// non-nil slice writes an empty file. Parent directories are created as
	// needed and removed when they end up empty.
	Files map[string][]byte
	// Message is the commit message.
	Message string
	// Author overrides the commit's author; nil means the Store's identity
	// (Options.AuthorName and AuthorEmail at Options.Now), which always
	// signs as committer, as it does for state-branch commits. A zero When
	// means Options.Now.
	Author *object.Signature
}

// Propose commits p.Files on top of p.Parent and force-pushes the commit to
// p.Branch on the Store's remote, with the Store's auth and network timeout.
// It returns the hash of the commit the branch holds afterwards.
//
// It first fetches p.Branch alone. The push carries a lease on the tip that
// fetch saw (or, when the branch did not exist, a zero old value), so it
// replaces the tool's previous proposal but is refused with ErrConflict when
// someone else pushed to the branch (or created it) after it was read; the
// remote's own ref update checks the old value again. When the tip already
// is a commit of the same tree on p.Parent alone, nothing is pushed and the
// tip is returned, so re-running with the same files is a no-op (the
// message and author are not compared). When the files change nothing in
// p.Parent it returns ErrNoChanges.
//
// Nothing local moves but refs/remotes/<Remote>/<Branch>: the commit is
// pushed by hash, so no local branch is created, and the work tree, index
// and HEAD are never touched. It works in a depth-1 clone.
func (s *Store) Propose(ctx context.Context, p Proposal) (commit string, err error) {
	name := strings.TrimPrefix(p.Branch, "refs/heads/")
	ref, parent, err := s.checkProposal(name, p)
	if err != nil {
		return "", err
	}
	changes, paths, err := proposalChanges(p.Files)
	if err != nil {
		return "", fmt.Errorf("propose %s: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	parentCommit, err := object.GetCommit(s.objects, parent)
	if err != nil {
		return "", fmt.Errorf("propose %s: parent commit %s is not in the repository at %s (fetch it first): %w", name, parent, s.gitDir, err)
	}

	// Read the tip first: the lease has to be what was there before this
	// proposal was built, not what is there when it is pushed.
	tracking := plumbing.NewRemoteReferenceName(s.opts.Remote, name)
	found, err := s.fetchRef(ctx, name, ref, tracking, s.proposalDepth())
	if err != nil {
		return "", fmt.Errorf("propose %s: %w", name, err)
	}
	lease := plumbing.ZeroHash
	if found {
		if lease, err = s.refHash(tracking); err != nil {
			return "", fmt.Errorf("propose %s: %w", name, err)
		}
		// A depth-1 fetch records the tip as shallow even though its parent
		// (usually p.Parent) is here; a stale entry makes git log stop there.
		if err := s.withLock(ctx, s.fixShallow); err != nil {
			return "", fmt.Errorf("propose %s: %w", name, err)
		}
	}

	root, err := s.buildTree(parentCommit.TreeHash, changes, paths)
	if err != nil {
		return "", fmt.Errorf("propose %s: %w", name, err)
	}
	if root.IsZero() {
		// Every file deleted. git and GitHub take an empty tree; the
		// editor leaves it unwritten.
		if root, err = storeObject(s.objects, &object.Tree{}); err != nil {
			return "", fmt.Errorf("propose %s: %w", name, err)
		}
	}
	if root == parentCommit.TreeHash {
		return "", fmt.Errorf("propose %s: %w", name, ErrNoChanges)
	}
	if !lease.IsZero() {
		tip, err := object.GetCommit(s.objects, lease)
		if err != nil {
			return "", fmt.Errorf("propose %s: read tip %s: %w", name, lease, err)
		}
		if tip.TreeHash == root && len(tip.ParentHashes) == 1 && tip.ParentHashes[0] == parent {
			return lease.String(), nil // this proposal is already there
		}
	}

	now := s.opts.Now()
	committer := object.Signature{Name: s.opts.AuthorName, Email: s.opts.AuthorEmail, When: now}
	author := committer
	if p.Author != nil {
		author = *p.Author
		if author.When.IsZero() {
			author.When = now
		}
	}
	next, err := storeObject(s.objects, &object.Commit{
		Author:       author,
		Committer:    committer,
		Message:      p.Message,
		TreeHash:     root,
		ParentHashes: []plumbing.Hash{parent},
	})
	if err != nil {
		return "", fmt.Errorf("propose %s: %w", name, err)
	}
	if err := s.pushProposal(ctx, name, ref, next, lease); err != nil {
		return "", err
	}
	return next.String(), nil
}

// proposalDepth is the fetch depth for the proposal branch's tip: only the
// tip commit and its tree are needed, so 1 in a shallow clone (0 would make
// the server send the old proposal's history); a full clone fetches with 0
// so that it never turns shallow, which costs little there because the
// tip's history is main's, already present.
func (s *Store) proposalDepth() int {
	if shallow, _ := s.repo.Storer.Shallow(); len(shallow) > 0 {
		return 1
	}
	return 0
}

// checkProposal validates p and returns the remote ref and parent hash.
func (s *Store) checkProposal(name string, p Proposal) (plumbing.ReferenceName, plumbing.Hash, error) {
	if s.opts.Remote == "" {
		return "", plumbing.ZeroHash, fmt.Errorf("propose %s: %w: open the store with a remote (for example with --push, as in GitHub Actions)", name, ErrNoRemote)
	}
	ref := plumbing.NewBranchReferenceName(name)
	if name == "" {
		return "", plumbing.ZeroHash, errors.New("propose: no branch name")
	}
	if err := ref.Validate(); err != nil {
		return "", plumbing.ZeroHash, fmt.Errorf("propose: branch %q: %w", name, err)
	}
	// A force-push to the state branch would throw away deployment history.
	if ref == s.branch {
		return "", plumbing.ZeroHash, fmt.Errorf("propose: %s is the state branch; propose on a branch of its own", name)
	}
	if !plumbing.IsHash(p.Parent) {
		return "", plumbing.ZeroHash, fmt.Errorf("propose %s: parent %q is not a full commit hash", name, p.Parent)
	}
	parent := plumbing.NewHash(p.Parent)
	if parent.IsZero() {
		return "", plumbing.ZeroHash, fmt.Errorf("propose %s: no parent commit", name)
	}
	if strings.TrimSpace(p.Message) == "" {
		return "", plumbing.ZeroHash, fmt.Errorf("propose %s: empty commit message", name)
	}
	if len(p.Files) == 0 {
		return "", plumbing.ZeroHash, fmt.Errorf("propose %s: no files", name)
	}
	return ref, parent, nil
}

// proposalChanges turns files into tree edits and their split paths,
// deletions first so that a proposal can replace a file with a directory of
// the same name (or the reverse), each group sorted so the result does not
// depend on map order.
func proposalChanges(files map[string][]byte) ([]Change, [][]string, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		di, dj := files[names[i]] == nil, files[names[j]] == nil
		if di != dj {
			return di
		}
		return names[i] < names[j]
	})
	changes := make([]Change, len(names))
	paths := make([][]string, len(names))
	for i, name := range names {
		parts, err := splitPath(name)
		if err != nil {
			return nil, nil, err
		}
		paths[i] = parts
		changes[i] = Change{Path: name, Data: files[name], Delete: files[name] == nil}
	}
	return changes, paths, nil
}

// pushProposal pushes commit next to ref, leasing on lease (zero: the ref
// must not exist).
//
// The commit is pushed by hash rather than from a local branch, so no local
// ref has to be created or moved. go-git's ForceWithLease cannot be used
// for that (it needs a local ref and its tracking ref); instead:
//   - with a lease, RequireRemoteRefs makes go-git refuse unless the
//     advertised tip is the lease, and the command's old value (taken from
//     that advertisement) makes receive-pack refuse if it moved since;
//   - without one, a non-force refspec sends a zero old value when the
//     branch is still absent, which receive-pack refuses if someone created
//     it meanwhile; if it already exists go-git's fast-forward check fails
//     (not a descendant, or history missing in a shallow clone) unless the
//     branch points at an ancestor of the proposal, where nothing is lost.
//
// So nobody else's push is overwritten, and no history is walked in the
// usual case: go-git only computes the objects to send, stopping at what the
// remote's refs and the shallow boundary already cover.
func (s *Store) pushProposal(ctx context.Context, name string, ref plumbing.ReferenceName, next, lease plumbing.Hash) error {
	o := &git.PushOptions{
		RemoteName: s.opts.Remote,
		RefSpecs:   []config.RefSpec{config.RefSpec(next.String() + ":" + ref.String())},
		Auth:       s.opts.Auth,
	}
	if !lease.IsZero() {
		o.RefSpecs = []config.RefSpec{config.RefSpec("+" + next.String() + ":" + ref.String())}
		o.RequireRemoteRefs = []config.RefSpec{config.RefSpec(lease.String() + ":" + ref.String())}
	}
	pctx, cancel := context.WithTimeout(ctx, s.opts.NetworkTimeout)
	defer cancel()
	err := s.repo.PushContext(pctx, o)
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	err = scrub(err, s.secrets)
	switch {
	case errors.Is(pctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("push proposal %s to %s: no answer within %s (check the remote and the network): %w", name, s.RemoteURL(), s.opts.NetworkTimeout, err)
	case isConflict(err) || strings.Contains(err.Error(), "required to be"):
		return fmt.Errorf("%w: push proposal %s to %s: someone else pushed to it since it was read; check who did, then run again to replace it: %w", ErrConflict, name, s.RemoteURL(), err)
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Errorf("push proposal %s to %s: the token needs permission to push (contents: write; set HONUA_GITOPS_GIT_TOKEN or grant the workflow's GITHUB_TOKEN `contents: write`): %w", name, s.RemoteURL(), err)
	}
	return fmt.Errorf("push proposal %s to %s: %w", name, s.RemoteURL(), err)
}
