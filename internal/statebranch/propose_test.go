package statebranch_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

const proposal = "honua-gitops/import-staging"

// seeded is what newProposalRemote puts on main.
var seeded = map[string]string{
	"honua-gitops.yaml":           "stateBranch: honua-gitops/state\n",
	"environments/dev/honua.yaml": "kind: Honua\n",
	"README.md":                   "demo\n",
}

// newProposalRemote is a served bare repository with seeded on main.
func newProposalRemote(t *testing.T) *gittest.Remote {
	t.Helper()
	r := gittest.NewRemote(t)
	r.Seed(t, seeded)
	return r
}

// dirty modifies a tracked file and adds an untracked one in the checkout
// at dir, so that an unchanged `git status` means something.
func dirty(t *testing.T, dir string) {
	t.Helper()
	gittest.WriteFiles(t, dir, map[string]string{"README.md": "edited by hand\n", "notes.txt": "untracked\n"})
}

// checkoutState is what Propose must leave alone.
type checkoutState struct{ head, status, index, branches string }

func snapshotCheckout(t *testing.T, dir string) checkoutState {
	t.Helper()
	return checkoutState{
		head:     gittest.Git(t, dir, "rev-parse", "HEAD"),
		status:   gittest.Git(t, dir, "status", "--porcelain", "--untracked-files=all"),
		index:    string(readFileBytes(t, gitPath(dir, "index"))),
		branches: gittest.Git(t, dir, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/"),
	}
}

// exactFiles lists every file at rev in the repository at dir with the git
// CLI, byte for byte (files trims them): path -> content.
func exactFiles(t *testing.T, dir, rev string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range splitZ(gittest.Git(t, dir, "ls-tree", "-r", "--name-only", "-z", rev)) {
		data, err := execCommand(dir, "cat-file", "blob", rev+":"+p).Output()
		require.NoError(t, err, p)
		out[p] = string(data)
	}
	return out
}

func propose(t *testing.T, s *statebranch.Store, p statebranch.Proposal) string {
	t.Helper()
	h, err := s.Propose(context.Background(), p)
	require.NoError(t, err)
	return h
}

func bareGit(t *testing.T, r *gittest.Remote, args ...string) string {
	t.Helper()
	return gittest.Git(t, r.Dir, append([]string{"--git-dir=" + r.Dir}, args...)...)
}

func TestProposeCreateRerunReplace(t *testing.T) {
	r := newProposalRemote(t)
	s, dir := openClone(t, r)
	dirty(t, dir)
	before := snapshotCheckout(t, dir)
	head := before.head

	imported := map[string][]byte{
		"environments/staging/honua.yaml":            []byte("kind: Honua\nname: staging\n"),
		"environments/staging/services/parcels.yaml": []byte("kind: Service\n"),
		"README.md": []byte("demo, imported\n"),
	}
	h1 := propose(t, s, statebranch.Proposal{Branch: proposal, Parent: head, Files: imported, Message: "Import staging\n\nFrom https://gis.example"})
	rev := "refs/heads/" + proposal
	assert.Equal(t, h1, r.BranchTip(t, proposal), "the branch was created")
	assert.Equal(t, head, bareGit(t, r, "rev-parse", rev+"^"), "parent is HEAD")
	assert.Equal(t, h1+" "+head, bareGit(t, r, "rev-list", "--parents", "--max-count=1", rev), "one parent")
	want := map[string]string{
		"honua-gitops.yaml":                          seeded["honua-gitops.yaml"],
		"environments/dev/honua.yaml":                seeded["environments/dev/honua.yaml"],
		"README.md":                                  "demo, imported\n",
		"environments/staging/honua.yaml":            "kind: Honua\nname: staging\n",
		"environments/staging/services/parcels.yaml": "kind: Service\n",
	}
	assert.Equal(t, want, exactFiles(t, r.Dir, rev))
	assert.Equal(t, "Import staging\n\nFrom https://gis.example", bareGit(t, r, "log", "-1", "--format=%B", rev))
	assert.Equal(t, statebranch.DefaultAuthorName+" <"+statebranch.DefaultAuthorEmail+"> "+statebranch.DefaultAuthorName,
		bareGit(t, r, "log", "-1", "--format=%an <%ae> %cn", rev))
	assert.Equal(t, before, snapshotCheckout(t, dir), "HEAD, index, work tree and local branches untouched")
	gittest.FsckClean(t, r.Dir)
	gittest.FsckClean(t, dir)

	t.Run("same files again push nothing", func(t *testing.T) {
		h := propose(t, s, statebranch.Proposal{Branch: proposal, Parent: head, Files: imported, Message: "Import staging, again"})
		assert.Equal(t, h1, h)
		assert.Equal(t, h1, r.BranchTip(t, proposal))

		// A later run in a fresh checkout (the next workflow run) too.
		other, odir := openClone(t, r)
		h = propose(t, other, statebranch.Proposal{Branch: proposal, Parent: head, Files: imported, Message: "Import staging"})
		assert.Equal(t, h1, h)
		assert.Equal(t, h1, r.BranchTip(t, proposal))
		gittest.FsckClean(t, odir)
	})

	t.Run("different files replace the proposal", func(t *testing.T) {
		h2 := propose(t, s, statebranch.Proposal{Branch: proposal, Parent: head, Message: "Import staging (second try)", Files: map[string][]byte{
			"environments/staging/honua.yaml": []byte("kind: Honua\nname: staging\nsrid: 4326\n"),
			"README.md":                       nil, // deleted
			"environments/dev":                nil, // a whole directory
		}})
		assert.NotEqual(t, h1, h2)
		assert.Equal(t, h2, r.BranchTip(t, proposal))
		assert.Equal(t, head, bareGit(t, r, "rev-parse", rev+"^"), "replaces the old proposal instead of stacking on it")
		assert.Equal(t, map[string]string{
			"honua-gitops.yaml":               seeded["honua-gitops.yaml"],
			"environments/staging/honua.yaml": "kind: Honua\nname: staging\nsrid: 4326\n",
		}, exactFiles(t, r.Dir, rev))
		assert.Equal(t, before, snapshotCheckout(t, dir))
		gittest.FsckClean(t, r.Dir)
		gittest.FsckClean(t, dir)
	})

	t.Run("on a newer main", func(t *testing.T) {
		// main moves on; the next run starts from the new HEAD.
		seed := t.TempDir()
		gittest.Git(t, seed, "clone", "--quiet", r.AuthURL(), ".")
		gittest.WriteFiles(t, seed, map[string]string{"CHANGELOG.md": "one\n"})
		gittest.Git(t, seed, "add", "--all")
		gittest.Git(t, seed, "commit", "--quiet", "--message", "newer")
		gittest.Git(t, seed, "push", "--quiet", "origin", "HEAD:refs/heads/main")
		newer, ndir := openClone(t, r)
		nhead := gittest.Git(t, ndir, "rev-parse", "HEAD")
		require.NotEqual(t, head, nhead)

		h3 := propose(t, newer, statebranch.Proposal{Branch: proposal, Parent: nhead, Files: imported, Message: "Import staging"})
		assert.Equal(t, h3, r.BranchTip(t, proposal))
		assert.Equal(t, nhead, bareGit(t, r, "rev-parse", rev+"^"))
		assert.Equal(t, "one\n", exactFiles(t, r.Dir, rev)["CHANGELOG.md"])
		gittest.FsckClean(t, r.Dir)
		gittest.FsckClean(t, ndir)
	})
}

// A file:// remote goes through go-git's local transport, which computes
// the objects to send differently from the HTTP one.
func TestProposeFileRemote(t *testing.T) {
	root := t.TempDir()
	bare := filepath.Join(root, "repo.git")
	gittest.Git(t, root, "init", "--quiet", "--bare", "--initial-branch=main", bare)
	seed := t.TempDir()
	gittest.Git(t, seed, "init", "--quiet", "--initial-branch=main")
	gittest.WriteFiles(t, seed, seeded)
	gittest.Git(t, seed, "add", "--all")
	gittest.Git(t, seed, "commit", "--quiet", "--message", "seed")
	gittest.Git(t, seed, "commit", "--quiet", "--allow-empty", "--message", "second") // so depth 1 is shallow
	gittest.Git(t, seed, "push", "--quiet", bare, "HEAD:refs/heads/main")

	dir := t.TempDir()
	gittest.Git(t, dir, "clone", "--quiet", "--depth=1", "file://"+bare, ".")
	require.FileExists(t, gitPath(dir, "shallow"), "a depth-1 clone")
	dirty(t, dir)
	before := snapshotCheckout(t, dir)
	s := open(t, statebranch.Options{RepoDir: dir, Remote: "origin"})

	files1 := map[string][]byte{"environments/staging/honua.yaml": []byte("kind: Honua\n")}
	h1 := propose(t, s, statebranch.Proposal{Branch: proposal, Parent: before.head, Files: files1, Message: "Import staging"})
	tip := func() string { return gittest.Git(t, bare, "--git-dir="+bare, "rev-parse", "refs/heads/"+proposal) }
	assert.Equal(t, h1, tip())
	assert.Equal(t, "kind: Honua\n", exactFiles(t, bare, "refs/heads/"+proposal)["environments/staging/honua.yaml"])

	h := propose(t, s, statebranch.Proposal{Branch: proposal, Parent: before.head, Files: files1, Message: "Import staging"})
	assert.Equal(t, h1, h, "idempotent")

	h2 := propose(t, s, statebranch.Proposal{Branch: proposal, Parent: before.head, Files: map[string][]byte{"environments/staging/honua.yaml": []byte("kind: Honua\nsrid: 4326\n")}, Message: "Import staging"})
	assert.NotEqual(t, h1, h2)
	assert.Equal(t, h2, tip())
	assert.Equal(t, before.head, gittest.Git(t, bare, "--git-dir="+bare, "rev-parse", h2+"^"))
	assert.Equal(t, before, snapshotCheckout(t, dir))
	gittest.FsckClean(t, bare)
	gittest.FsckClean(t, dir)

	t.Run("a full clone stays full", func(t *testing.T) {
		full := t.TempDir()
		gittest.Git(t, full, "clone", "--quiet", "--no-local", bare, ".")
		fs := open(t, statebranch.Options{RepoDir: full, Remote: "origin"})
		head := gittest.Git(t, full, "rev-parse", "HEAD")
		h3 := propose(t, fs, statebranch.Proposal{Branch: proposal, Parent: head, Files: map[string][]byte{"environments/staging/honua.yaml": []byte("kind: Honua\nsrid: 3857\n")}, Message: "Import staging"})
		assert.Equal(t, h3, tip())
		assert.NoFileExists(t, gitPath(full, "shallow"))
		gittest.FsckClean(t, full)
	})
}

// Someone else pushes to the proposal branch after Propose read its tip:
// before go-git sees the remote's refs for the push (go-git's own check
// refuses) or after (receive-pack's old-value check refuses). Either way the
// other push stays and Propose reports ErrConflict.
func TestProposeConcurrentPushRefused(t *testing.T) {
	for _, exists := range []bool{true, false} {
		for _, when := range []string{"before the advertisement", "after the advertisement"} {
			name := fmt.Sprintf("branch exists %v, moved %s", exists, when)
			t.Run(name, func(t *testing.T) {
				r := newProposalRemote(t)
				s, dir := openClone(t, r)
				head := gittest.Git(t, dir, "rev-parse", "HEAD")
				if exists {
					propose(t, s, statebranch.Proposal{Branch: proposal, Parent: head, Files: map[string][]byte{"a": []byte("1")}, Message: "first"})
				}
				// The other push's commit is made on the server up front, so
				// the hook only has to move the ref.
				sneaky := bareGit(t, r, "commit-tree", "-p", "main", "-m", "by hand", "main^{tree}")

				var (
					mu      sync.Mutex
					moved   bool
					hookErr error
				)
				r.BeforeServe(func(req *http.Request) {
					mu.Lock()
					defer mu.Unlock()
					advert := req.Method == http.MethodGet && req.URL.Query().Get("service") == "git-receive-pack"
					post := req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/git-receive-pack")
					if moved || !(advert && when == "before the advertisement" || post && when == "after the advertisement") {
						return
					}
					moved = true
					out, err := execCommand(r.Dir, "--git-dir="+r.Dir, "update-ref", "refs/heads/"+proposal, sneaky).CombinedOutput()
					if err != nil {
						hookErr = fmt.Errorf("%v: %s", err, out)
					}
				})
				_, err := s.Propose(context.Background(), statebranch.Proposal{Branch: proposal, Parent: head, Files: map[string][]byte{"a": []byte("2")}, Message: "second"})
				r.BeforeServe(nil)
				mu.Lock()
				require.True(t, moved, "the push reached the server")
				require.NoError(t, hookErr)
				mu.Unlock()
				require.ErrorIs(t, err, statebranch.ErrConflict)
				t.Logf("refused: %v", err)
				assert.Equal(t, sneaky, r.BranchTip(t, proposal), "the other push is kept")
				gittest.FsckClean(t, r.Dir)
			})
		}
	}
}

func TestProposeRefusals(t *testing.T) {
	r := newProposalRemote(t)
	s, dir := openClone(t, r)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	ok := statebranch.Proposal{Branch: proposal, Parent: head, Files: map[string][]byte{"a": []byte("1")}, Message: "m"}
	ctx := context.Background()

	tests := []struct {
		name   string
		edit   func(p *statebranch.Proposal)
		target error
		text   string
	}{
		{name: "the state branch", edit: func(p *statebranch.Proposal) { p.Branch = branch }, text: "is the state branch"},
		{name: "invalid branch", edit: func(p *statebranch.Proposal) { p.Branch = "a..b" }, text: `branch "a..b"`},
		{name: "abbreviated parent", edit: func(p *statebranch.Proposal) { p.Parent = head[:12] }, text: "not a full commit hash"},
		{name: "unknown parent", edit: func(p *statebranch.Proposal) { p.Parent = strings.Repeat("ab", 20) }, text: "not in the repository"},
		{name: "no message", edit: func(p *statebranch.Proposal) { p.Message = " \n" }, text: "empty commit message"},
		{name: "no files", edit: func(p *statebranch.Proposal) { p.Files = nil }, text: "no files"},
		{name: "path into .git", edit: func(p *statebranch.Proposal) { p.Files = map[string][]byte{".git/config": []byte("x")} }, text: "reserved by git"},
		{name: "file below a file", edit: func(p *statebranch.Proposal) { p.Files = map[string][]byte{"README.md/x": []byte("x")} }, text: "not a directory"},
		{name: "files as in the parent", edit: func(p *statebranch.Proposal) {
			p.Files = map[string][]byte{"README.md": []byte(seeded["README.md"]), "absent.txt": nil}
		}, target: statebranch.ErrNoChanges},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.edit(&p)
			_, err := s.Propose(ctx, p)
			require.Error(t, err)
			if tt.target != nil {
				require.ErrorIs(t, err, tt.target)
			}
			assert.Contains(t, err.Error(), tt.text)
			assert.Empty(t, r.BranchTip(t, proposal), "nothing pushed")
			assert.Empty(t, r.BranchTip(t, branch), "the state branch is untouched")
		})
	}

	t.Run("local-only store", func(t *testing.T) {
		local := open(t, statebranch.Options{RepoDir: dir})
		_, err := local.Propose(ctx, ok)
		require.ErrorIs(t, err, statebranch.ErrNoRemote)
	})

	t.Run("token without push rights", func(t *testing.T) {
		const wrong = "ghs_thisIsNotTheTokenAtAll0123456789"
		bad := open(t, statebranch.Options{RepoDir: dir, Remote: "origin", Auth: &githttp.BasicAuth{Username: gittest.TokenUser, Password: wrong}})
		_, err := bad.Propose(ctx, ok)
		require.ErrorIs(t, err, transport.ErrAuthenticationRequired)
		assert.NotErrorIs(t, err, statebranch.ErrConflict)
		assert.NotContains(t, err.Error(), wrong)
		assert.Contains(t, err.Error(), r.URL)
	})

	t.Run("push denied", func(t *testing.T) {
		// Read access only: the fetch works, the push is refused, as with a
		// GITHUB_TOKEN that lacks contents: write.
		bareGit(t, r, "config", "http.receivepack", "false")
		defer bareGit(t, r, "config", "http.receivepack", "true")
		_, err := s.Propose(ctx, ok)
		require.Error(t, err)
		assert.NotErrorIs(t, err, statebranch.ErrConflict)
		assert.Contains(t, err.Error(), "contents: write")
		assert.NotContains(t, err.Error(), r.Token)
		t.Logf("denied: %v", err)
	})

	t.Run("own author", func(t *testing.T) {
		p := ok
		p.Author = &object.Signature{Name: "Ada", Email: "ada@example.invalid"}
		h := propose(t, s, p)
		assert.Equal(t, "Ada <ada@example.invalid> "+statebranch.DefaultAuthorName, bareGit(t, r, "log", "-1", "--format=%an <%ae> %cn", h))
	})
}
