package statebranch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Defaults for Options.
const (
	DefaultBranch      = "honua-gitops/state"
	DefaultAuthorName  = "honua-gitops"
	DefaultAuthorEmail = "honua-gitops@users.noreply.github.com"
	DefaultLockTimeout = 10 * time.Second
	// DefaultNetworkTimeout bounds one fetch or push.
	DefaultNetworkTimeout = 2 * time.Minute
)

// Options configures a Store.
type Options struct {
	// RepoDir is any directory inside the repository.
	RepoDir string
	// Branch is the state branch's short name (default DefaultBranch); the
	// local ref is refs/heads/<Branch>.
	Branch string
	// Remote is the name of a configured remote ("origin"): Read fetches
	// the branch from it and Commit pushes to it. Empty means local only.
	Remote string
	// Auth authenticates to the remote, for example
	// &http.BasicAuth{Username: "x-access-token", Password: token}; nil
	// means none. go-git ignores credential helpers and extraheaders.
	Auth transport.AuthMethod
	// Depth is the fetch depth of Read: 0 means the default, 1; a negative
	// depth fetches the full history.
	Depth int
	// AuthorName and AuthorEmail sign the commits (defaults DefaultAuthorName
	// and DefaultAuthorEmail).
	AuthorName, AuthorEmail string
	// Now stamps the commits (default time.Now).
	Now func() time.Time
	// LockTimeout bounds the wait for the state branch lock file (default
	// DefaultLockTimeout).
	LockTimeout time.Duration
	// NetworkTimeout bounds each fetch and push (default
	// DefaultNetworkTimeout), so a remote that stops answering fails the
	// command instead of hanging it.
	NetworkTimeout time.Duration
	// Merge combines a file that both the unpushed local commits and the
	// remote changed when Read replays the local commits on the remote's tip
	// (see Read). base is the file before the local commit, ours after it,
	// theirs on the tip being replayed onto; nil data is an absent file, and
	// a nil result deletes the file. An error, or a nil Merge, makes Read
	// fail and leave the local branch as it was.
	Merge func(path string, base, ours, theirs []byte) ([]byte, error)
}

// Store reads and writes one state branch of one repository. It is safe for
// concurrent use; separate Stores (or processes) on the same repository
// coordinate through a lock file and compare-and-swap.
type Store struct {
	opts     Options
	repo     *git.Repository
	objects  storer.EncodedObjectStorer
	gitDir   string
	lockPath string
	branch   plumbing.ReferenceName // refs/heads/<Branch>
	tracking plumbing.ReferenceName // refs/remotes/<Remote or origin>/<Branch>
	url      string                 // the remote's URL as configured
	secrets  []string               // never printed in errors

	mu          sync.Mutex // serialises use of repo
	unshallowed bool
}

// Open opens the repository containing opts.RepoDir.
func Open(opts Options) (*Store, error) {
	if opts.RepoDir == "" {
		opts.RepoDir = "."
	}
	opts.Branch = strings.TrimPrefix(opts.Branch, "refs/heads/")
	if opts.Branch == "" {
		opts.Branch = DefaultBranch
	}
	if opts.AuthorName == "" {
		opts.AuthorName = DefaultAuthorName
	}
	if opts.AuthorEmail == "" {
		opts.AuthorEmail = DefaultAuthorEmail
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if opts.NetworkTimeout <= 0 {
		opts.NetworkTimeout = DefaultNetworkTimeout
	}
	branch := plumbing.NewBranchReferenceName(opts.Branch)
	if err := branch.Validate(); err != nil {
		return nil, fmt.Errorf("state branch %q: %w", opts.Branch, err)
	}

	repo, err := openRepository(opts.RepoDir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("open %s: %w", opts.RepoDir, ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", opts.RepoDir, err)
	}
	fsStorage, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("open %s: unsupported git storage %T", opts.RepoDir, repo.Storer)
	}
	gitDir := commonDir(fsStorage.Filesystem().Root())

	s := &Store{
		opts:     opts,
		repo:     repo,
		objects:  freshObjects{EncodedObjectStorer: repo.Storer, reindex: fsStorage.ObjectStorage.Reindex},
		gitDir:   gitDir,
		lockPath: filepath.Join(gitDir, "honua-gitops", lockName(opts.Branch)),
		branch:   branch,
		secrets:  authSecrets(opts.Auth),
	}
	remote := opts.Remote
	if remote == "" {
		remote = git.DefaultRemoteName // the read-only fallback
	} else {
		r, err := repo.Remote(opts.Remote)
		if errors.Is(err, git.ErrRemoteNotFound) {
			return nil, fmt.Errorf("remote %q is not configured in %s", opts.Remote, gitDir)
		}
		if err != nil {
			return nil, fmt.Errorf("remote %q: %w", opts.Remote, err)
		}
		if urls := r.Config().URLs; len(urls) > 0 {
			s.url = urls[0]
		}
		s.secrets = append(s.secrets, urlSecrets(s.url)...)
	}
	s.tracking = plumbing.NewRemoteReferenceName(remote, opts.Branch)
	return s, nil
}

// RemoteURL is the remote's URL without credentials ("" in local mode).
func (s *Store) RemoteURL() string {
	return redactURL(s.url)
}

// Branch is the full name of the local state branch ref.
func (s *Store) Branch() plumbing.ReferenceName { return s.branch }

// BlobHashOf is the hash a blob with these bytes has: the SHA-1 of
// "blob <len>\x00" followed by data.
func (s *Store) BlobHashOf(data []byte) plumbing.Hash {
	return plumbing.ComputeHash(plumbing.BlobObject, data)
}

// Blob reads any blob by hash. In remote mode a blob missing from a shallow
// clone triggers one fetch of the branch's full history (per Store) before
// it gives up with ErrBlobNotFound.
func (s *Store) Blob(ctx context.Context, h plumbing.Hash) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := s.readBlob(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) && s.opts.Remote != "" && !s.unshallowed {
		if uerr := s.unshallow(ctx); uerr != nil {
			return nil, fmt.Errorf("read blob %s: %w", h, uerr)
		}
		s.unshallowed = true
		data, err = s.readBlob(h)
	}
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("read blob %s: %w", h, ErrBlobNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	return data, nil
}

func (s *Store) readBlob(h plumbing.Hash) ([]byte, error) {
	b, err := object.GetBlob(s.objects, h)
	if err != nil {
		return nil, err
	}
	return blobBytes(b)
}

// refHash reads a hash ref; zero when it does not exist.
func (s *Store) refHash(name plumbing.ReferenceName) (plumbing.Hash, error) {
	ref, err := s.repo.Storer.Reference(name)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read %s: %w", name, err)
	}
	if ref.Type() != plumbing.HashReference {
		return plumbing.ZeroHash, fmt.Errorf("read %s: a symbolic ref (to %s), not a branch", name, ref.Target())
	}
	return ref.Hash(), nil
}

// checkNotCheckedOut refuses to move the branch HEAD is attached to: that
// would change the work tree's commit behind the user's back.
func (s *Store) checkNotCheckedOut() error {
	head, err := s.repo.Storer.Reference(plumbing.HEAD)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read HEAD: %w", err)
	}
	if head.Type() != plumbing.SymbolicReference || head.Target() != s.branch {
		return nil
	}
	if _, err := s.repo.Worktree(); errors.Is(err, git.ErrIsBareRepository) {
		return nil
	}
	return fmt.Errorf("%w: HEAD is on %s; switch to another branch (for example `git switch --detach`)", ErrBranchCheckedOut, s.opts.Branch)
}

// openRepository opens the repository at or above dir. go-git's
// DetectDotGit only looks for a ".git" entry, so it never recognises a bare
// repository (and would find an enclosing work tree's repository instead):
// dir itself is tried first, without detection.
func openRepository(dir string) (*git.Repository, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if !errors.Is(err, git.ErrRepositoryNotExists) {
		return repo, err
	}
	return git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{
		DetectDotGit:          true,
		EnableDotGitCommonDir: true, // linked worktrees keep refs in the common dir
	})
}

// commonDir resolves a linked worktree's git dir to the repository's common
// dir, where refs (and so the lock file) live.
func commonDir(gitDir string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	d := strings.TrimSpace(string(b))
	if !filepath.IsAbs(d) {
		d = filepath.Join(gitDir, d)
	}
	return filepath.Clean(d)
}

func lockName(branch string) string {
	return strings.ReplaceAll(branch, "/", "%2F") + ".lock"
}

func authSecrets(a transport.AuthMethod) []string {
	switch a := a.(type) {
	case *githttp.BasicAuth:
		return []string{a.Password}
	case *githttp.TokenAuth:
		return []string{a.Token}
	}
	return nil
}

// urlSecrets are the credentials embedded in a remote URL. A token given as
// the user name (https://<token>@host/...) counts when it is long enough not
// to be an ordinary word.
func urlSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return nil
	}
	if p, ok := u.User.Password(); ok {
		return []string{p}
	}
	if name := u.User.Username(); len(name) >= 16 {
		return []string{name}
	}
	return nil
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}
