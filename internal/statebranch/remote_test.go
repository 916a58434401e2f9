package statebranch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// newRemote is a served bare repository with main seeded.
func newRemote(t *testing.T) *gittest.Remote {
	t.Helper()
	r := gittest.NewRemote(t)
	r.Seed(t, map[string]string{"environments/dev/honua.yaml": "kind: Honua\n"})
	return r
}

// openClone opens a Store in remote mode on a fresh actions/checkout-like
// clone of r.
func openClone(t *testing.T, r *gittest.Remote) (*statebranch.Store, string) {
	t.Helper()
	dir := r.Checkout(t)
	return open(t, statebranch.Options{RepoDir: dir, Remote: "origin", Auth: r.Auth()}), dir
}

func TestRemoteFirstPushAndReadBack(t *testing.T) {
	ctx := context.Background()
	r := newRemote(t)
	s, dir := openClone(t, r)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	assert.Equal(t, r.URL, s.RemoteURL())

	v := read(t, s)
	assert.True(t, v.Tip.IsZero(), "missing branch on the remote is an empty view")
	_, ok, err := v.File("dev/snapshot.json")
	require.NoError(t, err)
	assert.False(t, ok)

	h1, err := s.Commit(ctx, v, statebranch.Commit{Subject: "deploy dev", Changes: []statebranch.Change{put("dev/snapshot.json", "1")}})
	require.NoError(t, err)
	assert.Equal(t, h1.String(), r.BranchTip(t, branch), "push created the branch")
	assert.Equal(t, h1.String(), gittest.Git(t, r.Dir, "--git-dir="+r.Dir, "rev-list", "--parents", "-n1", branch), "orphan")
	assert.Equal(t, h1.String(), gittest.Git(t, dir, "rev-parse", "refs/remotes/origin/"+branch))

	h2, err := s.Commit(ctx, read(t, s), statebranch.Commit{Subject: "deploy dev again", Changes: []statebranch.Change{put("dev/snapshot.json", "2")}})
	require.NoError(t, err)
	assert.Equal(t, h2.String(), r.BranchTip(t, branch))
	assert.Equal(t, h1.String(), gittest.Git(t, r.Dir, "--git-dir="+r.Dir, "rev-parse", h2.String()+"^"))

	// No-op: no push, no new commit.
	h3, err := s.Commit(ctx, read(t, s), statebranch.Commit{Subject: "same", Changes: []statebranch.Change{put("dev/snapshot.json", "2")}})
	require.NoError(t, err)
	assert.Equal(t, h2, h3)

	// The checkout is untouched.
	assert.Equal(t, head, gittest.Git(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, "HEAD", gittest.Git(t, dir, "rev-parse", "--abbrev-ref", "HEAD"))
	assert.Empty(t, gittest.Git(t, dir, "status", "--porcelain"))

	// Another depth-1 clone reads it.
	other, _ := openClone(t, r)
	v = read(t, other)
	assert.Equal(t, h2, v.Tip)
	data, ok, err := v.File("dev/snapshot.json")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "2", string(data))
	gittest.FsckClean(t, r.Dir)
	gittest.FsckClean(t, dir)
}

func TestRemoteReadEmptyRepository(t *testing.T) {
	r := gittest.NewRemote(t) // no refs at all
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "--quiet")
	gittest.Git(t, dir, "remote", "add", "origin", r.URL)
	s := open(t, statebranch.Options{RepoDir: dir, Remote: "origin", Auth: r.Auth()})
	v := read(t, s)
	assert.True(t, v.Tip.IsZero())
	h, err := s.Commit(context.Background(), v, statebranch.Commit{Subject: "first", Changes: []statebranch.Change{put("a", "1")}})
	require.NoError(t, err)
	assert.Equal(t, h.String(), r.BranchTip(t, branch))
}

func TestRemoteAuthErrors(t *testing.T) {
	ctx := context.Background()
	r := newRemote(t)
	good, dir := openClone(t, r)
	commit(t, good, "one", put("a", "1"))

	const wrong = "ghs_thisIsNotTheTokenAtAll0123456789"
	tests := []struct {
		name string
		auth transport.AuthMethod
	}{
		{name: "wrong token", auth: &githttp.BasicAuth{Username: gittest.TokenUser, Password: wrong}},
		{name: "no auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := open(t, statebranch.Options{RepoDir: dir, Remote: "origin", Auth: tt.auth})
			_, err := bad.Read(ctx)
			require.ErrorIs(t, err, transport.ErrAuthenticationRequired)
			assert.Contains(t, err.Error(), r.URL)
			assert.NotContains(t, err.Error(), wrong)
			assert.NotContains(t, err.Error(), r.Token)

			// Push with a view read by a good store.
			v := read(t, good)
			_, err = bad.Commit(ctx, v, statebranch.Commit{Subject: "two", Changes: []statebranch.Change{put("b", "2")}})
			require.ErrorIs(t, err, transport.ErrAuthenticationRequired)
			assert.False(t, errors.Is(err, statebranch.ErrConflict))
			assert.Contains(t, err.Error(), "push "+branch+" to "+r.URL)
			assert.NotContains(t, err.Error(), wrong)
			assert.NotContains(t, err.Error(), r.Token)
			assert.Equal(t, v.Tip.String(), gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch), "local branch restored")
			assert.Equal(t, v.Tip.String(), r.BranchTip(t, branch))
		})
	}

	t.Run("credentials in the remote URL are never printed", func(t *testing.T) {
		const secret = "ghs_urlEmbeddedSecret0123456789abcdef"
		dir := t.TempDir()
		gittest.Git(t, dir, "init", "--quiet")
		u := strings.Replace(r.URL, "http://", "http://"+gittest.TokenUser+":"+secret+"@", 1)
		gittest.Git(t, dir, "remote", "add", "origin", u)
		s := open(t, statebranch.Options{RepoDir: dir, Remote: "origin"})
		assert.Equal(t, r.URL, s.RemoteURL())
		_, err := s.Read(ctx)
		require.ErrorIs(t, err, transport.ErrAuthenticationRequired)
		assert.NotContains(t, err.Error(), secret)
	})
}

// Two depth-1 clones read the same tip; the second to push gets ErrConflict,
// its local branch goes back, and a re-read lets it land.
func TestRemoteConflictBetweenClones(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		setup bool // the branch exists before both read
	}{
		{name: "existing branch (lease)", setup: true},
		{name: "both create the branch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRemote(t)
			a, _ := openClone(t, r)
			b, bdir := openClone(t, r)
			if tt.setup {
				commit(t, a, "zero", put("base", "0"))
			}
			va, vb := read(t, a), read(t, b)
			require.Equal(t, va.Tip, vb.Tip)

			ha, err := a.Commit(ctx, va, statebranch.Commit{Subject: "a", Changes: []statebranch.Change{put("a", "1")}})
			require.NoError(t, err)
			_, err = b.Commit(ctx, vb, statebranch.Commit{Subject: "b", Changes: []statebranch.Change{put("b", "1")}})
			require.ErrorIs(t, err, statebranch.ErrConflict)
			assert.Equal(t, ha.String(), r.BranchTip(t, branch))
			if vb.Tip.IsZero() {
				assert.Equal(t, "", localTip(t, bdir))
			} else {
				assert.Equal(t, vb.Tip.String(), localTip(t, bdir), "local branch restored")
			}

			vb = read(t, b)
			assert.Equal(t, ha, vb.Tip)
			hb, err := b.Commit(ctx, vb, statebranch.Commit{Subject: "b", Changes: []statebranch.Change{put("b", "1")}})
			require.NoError(t, err)
			assert.Equal(t, hb.String(), r.BranchTip(t, branch))
			assert.Equal(t, ha.String(), gittest.Git(t, r.Dir, "--git-dir="+r.Dir, "rev-parse", hb.String()+"^"))
			gittest.FsckClean(t, r.Dir)
		})
	}
}

// The remote branch moves after go-git checked the lease against the
// advertised refs but before receive-pack updates the ref: receive-pack's
// own old-value check rejects the push, which maps to ErrConflict too.
func TestRemoteServerSideRace(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		setup bool
	}{
		{name: "update with lease", setup: true},
		{name: "creation without lease"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRemote(t)
			bare := func(args ...string) string {
				return gittest.Git(t, r.Dir, append([]string{"--git-dir=" + r.Dir}, args...)...)
			}
			s, _ := openClone(t, r)
			other, _ := openClone(t, r)
			if tt.setup {
				commit(t, s, "zero", put("base", "0"))
			}
			before := r.BranchTip(t, branch)
			// other lands a commit, which is then taken back: the server
			// keeps its objects for the race below.
			sneaky := commit(t, other, "sneaky", put("sneaky", "1"))
			if before == "" {
				bare("update-ref", "-d", "refs/heads/"+branch)
			} else {
				bare("update-ref", "refs/heads/"+branch, before)
			}
			v := read(t, s)
			require.Equal(t, before, tipString(v.Tip))

			var (
				mu      sync.Mutex
				moved   bool
				hookErr error
			)
			r.BeforeServe(func(req *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if moved || req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/git-receive-pack") {
					return
				}
				moved = true
				out, err := execCommand(r.Dir, "--git-dir="+r.Dir, "update-ref", "refs/heads/"+branch, sneaky.String()).CombinedOutput()
				if err != nil {
					hookErr = fmt.Errorf("%v: %s", err, out)
				}
			})
			_, err := s.Commit(ctx, v, statebranch.Commit{Subject: "mine", Changes: []statebranch.Change{put("mine", "1")}})
			r.BeforeServe(nil)
			mu.Lock()
			require.True(t, moved, "the push reached receive-pack")
			require.NoError(t, hookErr)
			mu.Unlock()
			require.ErrorIs(t, err, statebranch.ErrConflict)
			t.Logf("server-side rejection: %v", err)
			assert.Equal(t, sneaky.String(), r.BranchTip(t, branch))
			gittest.FsckClean(t, r.Dir)
		})
	}
}

func tipString(h plumbing.Hash) string {
	if h.IsZero() {
		return ""
	}
	return h.String()
}

func localTip(t *testing.T, dir string) string {
	t.Helper()
	out := gittest.Git(t, dir, "for-each-ref", "--format=%(objectname)", "refs/heads/"+branch)
	return out
}

// 8 processes, each in its own depth-1 clone, race 5 commits each.
func TestRemoteConcurrentProcesses(t *testing.T) {
	r := newRemote(t)
	const perWorker = 5
	dirs := make([]string, workers)
	for w := range dirs {
		dirs[w] = r.Checkout(t)
	}
	conflicts := runWorkers(t, workers, perWorker, func(w int) []string {
		return []string{helperRepo + "=" + dirs[w], helperRemote + "=origin", helperToken + "=" + r.Token}
	})
	t.Logf("%d conflicts retried", conflicts)
	rev := "refs/heads/" + branch
	git := func(args ...string) string {
		return gittest.Git(t, r.Dir, append([]string{"--git-dir=" + r.Dir}, args...)...)
	}
	assert.Equal(t, "40", git("rev-list", "--count", rev))
	assert.Equal(t, "0", git("rev-list", "--count", "--min-parents=2", rev))
	assert.Len(t, strings.Fields(git("rev-list", "--max-parents=0", rev)), 1)
	assert.Len(t, strings.Fields(git("ls-tree", "-r", "--name-only", rev)), 40)
	gittest.FsckClean(t, r.Dir)
	for _, d := range dirs {
		gittest.FsckClean(t, d)
	}
}

// An old blob is not in a depth-1 clone; Blob fetches the full history once
// and finds it.
func TestRemoteBlobUnshallow(t *testing.T) {
	ctx := context.Background()
	r := newRemote(t)
	writer, _ := openClone(t, r)
	old := []byte(`{"version": 1}`)
	for i, data := range [][]byte{old, []byte(`{"version": 2}`), []byte(`{"version": 3}`)} {
		_, err := writer.Commit(ctx, read(t, writer), statebranch.Commit{
			Subject: "v" + string(rune('1'+i)),
			Changes: []statebranch.Change{{Path: "dev/snapshot.json", Data: data}},
		})
		require.NoError(t, err)
	}

	reader, dir := openClone(t, r)
	v := read(t, reader)
	oldHash := reader.BlobHashOf(old)
	assert.Error(t, execCommand(dir, "cat-file", "-e", oldHash.String()).Run(), "not in the depth-1 clone")
	entries, err := reader.Log(ctx, v.Tip, 0)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "log stops at the shallow boundary")

	data, err := reader.Blob(ctx, oldHash)
	require.NoError(t, err)
	assert.Equal(t, old, data)
	entries, err = reader.Log(ctx, v.Tip, 0)
	require.NoError(t, err)
	assert.Len(t, entries, 3, "full history after the unshallow")
	assert.Equal(t, "3", gittest.Git(t, dir, "rev-list", "--count", "refs/heads/"+branch), "git sees the full history too")
	gittest.FsckClean(t, dir)

	_, err = reader.Blob(ctx, plumbing.ComputeHash(plumbing.BlobObject, []byte("never")))
	require.ErrorIs(t, err, statebranch.ErrBlobNotFound)

	// Still consistent for the next round of read, commit and push.
	h, err := reader.Commit(ctx, read(t, reader), statebranch.Commit{Subject: "v4", Changes: []statebranch.Change{put("dev/snapshot.json", "4")}})
	require.NoError(t, err)
	assert.Equal(t, h.String(), r.BranchTip(t, branch))
	gittest.FsckClean(t, r.Dir)
}

func TestRemoteReadDepth(t *testing.T) {
	ctx := context.Background()
	r := newRemote(t)
	writer, _ := openClone(t, r)
	for i := 1; i <= 4; i++ {
		commit(t, writer, "v", put("v", strings.Repeat("x", i)))
	}
	tests := []struct {
		name  string
		depth int
		want  int
	}{
		{name: "default is 1", depth: 0, want: 1},
		{name: "2", depth: 2, want: 2},
		{name: "negative is the full history", depth: -1, want: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, statebranch.Options{RepoDir: r.Checkout(t), Remote: "origin", Auth: r.Auth(), Depth: tt.depth})
			v := read(t, s)
			entries, err := s.Log(ctx, v.Tip, 0)
			require.NoError(t, err)
			assert.Len(t, entries, tt.want)
		})
	}
}
