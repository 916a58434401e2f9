package statebranch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

func TestOpen(t *testing.T) {
	repo := newRepo(t)
	tests := []struct {
		name    string
		opts    statebranch.Options
		wantIs  error
		wantMsg string
	}{
		{name: "not a repository", opts: statebranch.Options{RepoDir: t.TempDir()}, wantIs: statebranch.ErrNotRepository},
		{name: "subdirectory", opts: statebranch.Options{RepoDir: filepath.Join(repo, "environments", "dev")}},
		{name: "invalid branch", opts: statebranch.Options{RepoDir: repo, Branch: "bad..name"}, wantMsg: `state branch "bad..name"`},
		{name: "unknown remote", opts: statebranch.Options{RepoDir: repo, Remote: "origin"}, wantMsg: `remote "origin" is not configured`},
		{name: "refs/heads prefix", opts: statebranch.Options{RepoDir: repo, Branch: "refs/heads/x/y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := statebranch.Open(tt.opts)
			switch {
			case tt.wantIs != nil:
				require.ErrorIs(t, err, tt.wantIs)
			case tt.wantMsg != "":
				require.ErrorContains(t, err, tt.wantMsg)
			default:
				require.NoError(t, err)
				assert.Equal(t, "", s.RemoteURL())
			}
		})
	}
}

// The first commit is an orphan, and nothing the user sees changes: HEAD,
// the index, the work tree.
func TestLocalFirstCommitLeavesCheckoutAlone(t *testing.T) {
	dir := newRepo(t)
	gittest.WriteFiles(t, dir, map[string]string{"untracked.txt": "mine\n"})
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	symHead := gittest.Git(t, dir, "symbolic-ref", "HEAD")
	status := gittest.Git(t, dir, "status", "--porcelain")
	index := readFileBytes(t, gitPath(dir, "index"))

	s := open(t, statebranch.Options{RepoDir: dir})
	v := read(t, s)
	assert.True(t, v.Tip.IsZero(), "no branch yet")
	_, ok, err := v.File("dev/snapshot.json")
	require.NoError(t, err)
	assert.False(t, ok)
	names, err := v.List("")
	require.NoError(t, err)
	assert.Empty(t, names)

	h, err := s.Commit(context.Background(), v, statebranch.Commit{
		Subject: "deploy dev",
		Changes: []statebranch.Change{put("dev/snapshot.json", `{"v":1}`), put("dev/deployments/0001.json", `{}`)},
	})
	require.NoError(t, err)

	assert.Equal(t, h.String(), gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch))
	assert.Equal(t, h.String(), gittest.Git(t, dir, "rev-list", "--max-parents=0", "refs/heads/"+branch), "orphan")
	assert.NotContains(t, gittest.Git(t, dir, "rev-list", "refs/heads/"+branch), head, "main is not an ancestor")
	assert.Equal(t, head, gittest.Git(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, symHead, gittest.Git(t, dir, "symbolic-ref", "HEAD"))
	assert.Equal(t, status, gittest.Git(t, dir, "status", "--porcelain"))
	assert.Equal(t, "?? untracked.txt", status)
	assert.Equal(t, index, readFileBytes(t, gitPath(dir, "index")))

	v = read(t, s)
	assert.Equal(t, h, v.Tip)
	assert.Equal(t, plumbing.NewBranchReferenceName(branch), v.Ref)
	data, ok, err := v.File("dev/snapshot.json")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, `{"v":1}`, string(data))
	bh, ok, err := v.BlobHash("dev/snapshot.json")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, s.BlobHashOf([]byte(`{"v":1}`)), bh)
	assert.Equal(t, gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch+":dev/snapshot.json"), bh.String())
	blob, err := s.Blob(context.Background(), bh)
	require.NoError(t, err)
	assert.Equal(t, `{"v":1}`, string(blob))
	gittest.FsckClean(t, dir)
}

func TestLocalEdits(t *testing.T) {
	type step struct {
		name      string
		changes   []statebranch.Change
		noop      bool
		wantFiles map[string]string
		wantLists map[string][]string
	}
	steps := []step{
		{
			name:      "create nested",
			changes:   []statebranch.Change{put("a/b/c/one.json", "1"), put("a/b/two.json", "2"), put("top.json", "t")},
			wantFiles: map[string]string{"a/b/c/one.json": "1", "a/b/two.json": "2", "top.json": "t"},
			wantLists: map[string][]string{"": {"a", "top.json"}, "a": {"b"}, "a/b": {"c", "two.json"}, "a/b/c": {"one.json"}},
		},
		{
			name:      "update",
			changes:   []statebranch.Change{put("a/b/c/one.json", "1b")},
			wantFiles: map[string]string{"a/b/c/one.json": "1b", "a/b/two.json": "2", "top.json": "t"},
		},
		{
			name:      "same content is a no-op",
			changes:   []statebranch.Change{put("a/b/c/one.json", "1b"), del("missing/file.json"), del("a/nothing")},
			noop:      true,
			wantFiles: map[string]string{"a/b/c/one.json": "1b", "a/b/two.json": "2", "top.json": "t"},
		},
		{
			name:      "no changes is a no-op",
			noop:      true,
			wantFiles: map[string]string{"a/b/c/one.json": "1b", "a/b/two.json": "2", "top.json": "t"},
		},
		{
			name:      "deleting the last file prunes its directories",
			changes:   []statebranch.Change{del("a/b/c/one.json")},
			wantFiles: map[string]string{"a/b/two.json": "2", "top.json": "t"},
			wantLists: map[string][]string{"a/b": {"two.json"}, "a/b/c": nil},
		},
		{
			name:      "prune up to the root",
			changes:   []statebranch.Change{del("a/b/two.json")},
			wantFiles: map[string]string{"top.json": "t"},
			wantLists: map[string][]string{"": {"top.json"}, "a": nil},
		},
		{
			name:      "write, overwrite and delete in one commit; last change wins",
			changes:   []statebranch.Change{put("x/1", "a"), put("x/2", "b"), put("x/1", "c"), del("x/2"), put("y/z/w", "")},
			wantFiles: map[string]string{"top.json": "t", "x/1": "c", "y/z/w": ""},
		},
		{
			name:      "delete a whole directory",
			changes:   []statebranch.Change{del("y")},
			wantFiles: map[string]string{"top.json": "t", "x/1": "c"},
		},
		{
			name:      "empty a directory and put a file in its place",
			changes:   []statebranch.Change{del("x/1"), put("x", "file now")},
			wantFiles: map[string]string{"top.json": "t", "x": "file now"},
		},
		{
			name:      "delete everything leaves an empty tree",
			changes:   []statebranch.Change{del("top.json"), del("x")},
			wantFiles: map[string]string{},
			wantLists: map[string][]string{"": nil},
		},
		{
			name:      "deleting on an empty tree is a no-op",
			changes:   []statebranch.Change{del("x")},
			noop:      true,
			wantFiles: map[string]string{},
		},
	}
	dir := newRepo(t)
	s := open(t, statebranch.Options{RepoDir: dir})
	ctx := context.Background()
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			v := read(t, s)
			h, err := s.Commit(ctx, v, statebranch.Commit{Subject: st.name, Changes: st.changes})
			require.NoError(t, err)
			if st.noop {
				assert.Equal(t, v.Tip, h, "no commit")
			} else {
				assert.NotEqual(t, v.Tip, h)
				parents := strings.Fields(gittest.Git(t, dir, "rev-list", "--parents", "-n1", h.String()))[1:]
				if v.Tip.IsZero() {
					assert.Empty(t, parents, "orphan")
				} else {
					assert.Equal(t, []string{v.Tip.String()}, parents, "parent is the tip read")
				}
			}
			assert.Equal(t, h.String(), gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch))

			got := files(t, dir, "refs/heads/"+branch)
			assert.Equal(t, st.wantFiles, got)
			v = read(t, s)
			for p, want := range st.wantFiles {
				data, ok, err := v.File(p)
				require.NoError(t, err)
				assert.True(t, ok, p)
				assert.Equal(t, want, string(data), p)
			}
			for d, want := range st.wantLists {
				names, err := v.List(d)
				require.NoError(t, err)
				assert.Equal(t, want, names, "List(%q)", d)
			}
			gittest.FsckClean(t, dir)
		})
	}
}

func TestLocalEditErrors(t *testing.T) {
	dir := newRepo(t)
	s := open(t, statebranch.Options{RepoDir: dir})
	commit(t, s, "seed", put("a/file", "1"), put("d/x/y", "2"))
	tests := []struct {
		name   string
		commit statebranch.Commit
		want   string
	}{
		{name: "empty subject", commit: statebranch.Commit{Changes: []statebranch.Change{put("n", "")}}, want: "commit subject is empty"},
		{name: "two-line subject", commit: statebranch.Commit{Subject: "a\nb"}, want: "must be a single line"},
		{name: "file as directory", commit: statebranch.Commit{Subject: "s", Changes: []statebranch.Change{put("a/file/x", "")}}, want: "a/file: not a directory"},
		{name: "directory as file", commit: statebranch.Commit{Subject: "s", Changes: []statebranch.Change{put("d/x", "")}}, want: "d/x: is a directory"},
		{name: "leading slash", commit: statebranch.Commit{Subject: "s", Changes: []statebranch.Change{put("/a", "")}}, want: "empty component"},
		{name: "trailing slash", commit: statebranch.Commit{Subject: "s", Changes: []statebranch.Change{put("a/", "")}}, want: "empty component"},
		{name: "double slash", commit: statebranch.Commit{Subject: "s", Changes: []statebranch.Change{put("a//b", "")}}, want: "empty component"},
		{name: "dot dot", commit: statebranch.Commit{Subject: "s", Changes: []statebranch.Change{put("a/../b", "")}}, want: `".." is not allowed`},
		{name: "dot git", commit: statebranch.Commit{Subject: "s", Changes: []statebranch.Change{put("x/.git/config", "")}}, want: "reserved by git"},
		{name: "dot GIT with trailing dot", commit: statebranch.Commit{Subject: "s", Changes: []statebranch.Change{put(".GIT./config", "")}}, want: "reserved by git"},
		{name: "empty path", commit: statebranch.Commit{Subject: "s", Changes: []statebranch.Change{put("", "")}}, want: "empty path"},
		{name: "trailer value with newline", commit: statebranch.Commit{Subject: "s", Trailers: []statebranch.Trailer{{Key: "K", Value: "a\nb"}}}, want: "single line"},
		{name: "trailer key with space", commit: statebranch.Commit{Subject: "s", Trailers: []statebranch.Trailer{{Key: "My Key", Value: "v"}}}, want: "trailer key"},
		{name: "trailer value with trailing space", commit: statebranch.Commit{Subject: "s", Trailers: []statebranch.Trailer{{Key: "K", Value: "v "}}}, want: "leading or trailing space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch)
			_, err := s.Commit(context.Background(), read(t, s), tt.commit)
			require.ErrorContains(t, err, tt.want)
			assert.Equal(t, before, gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch), "branch unchanged")
		})
	}
	_, err := s.Commit(context.Background(), nil, statebranch.Commit{Subject: "s"})
	require.ErrorContains(t, err, "call Read first")
	v0 := read(t, s)
	h, err := s.Commit(context.Background(), v0, statebranch.Commit{Subject: "s", Changes: []statebranch.Change{del("a/file/x")}})
	require.NoError(t, err, "deleting below a file is deleting nothing")
	assert.Equal(t, v0.Tip, h)

	v := read(t, s)
	_, _, err = v.File("a/../x")
	require.Error(t, err)
	_, _, err = v.File("d/x")
	require.ErrorContains(t, err, "is a directory")
	_, err = v.List("a/file")
	require.ErrorContains(t, err, "not a directory")
	_, ok, err := v.File("a/file/below")
	require.NoError(t, err)
	assert.False(t, ok, "a path through a file is absent")
}

// Tree entries follow git's order (a directory sorts as name+"/"): the
// trees are byte-identical to the ones git itself writes, and fsck --strict
// is clean.
func TestTreeOrderMatchesGit(t *testing.T) {
	content := map[string]string{
		"a":          "file a is a directory below",
		"a.b":        "1",
		"a-b":        "2",
		"a0":         "3",
		"a b":        "4",
		"a_b":        "5",
		"A":          "6",
		"ab/c":       "7",
		"b/a.json":   "8",
		"b/a/x.json": "9",
		"b/a-":       "10",
		"b/a~":       "11",
		"é/ü":        "12",
	}
	// "a" is a directory here (a/x) next to a.b, a-b and a0.
	delete(content, "a")
	content["a/x"] = "0"

	dir := newRepo(t)
	s := open(t, statebranch.Options{RepoDir: dir})
	var changes []statebranch.Change
	for p, c := range content {
		changes = append(changes, put(p, c))
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path > changes[j].Path }) // worst order
	h := commit(t, s, "order", changes...)

	ref := t.TempDir()
	gittest.Git(t, ref, "init", "--quiet")
	gittest.WriteFiles(t, ref, content)
	gittest.Git(t, ref, "add", "--all")
	want := gittest.Git(t, ref, "write-tree")
	assert.Equal(t, want, gittest.Git(t, dir, "rev-parse", h.String()+"^{tree}"))
	gittest.FsckClean(t, dir)

	v := read(t, s)
	names, err := v.List("")
	require.NoError(t, err)
	lsTree := strings.Split(gittest.Git(t, ref, "-c", "core.quotePath=false", "ls-tree", "--name-only", want), "\n")
	assert.Equal(t, lsTree, names)
	assert.Equal(t, []string{"A", "a b", "a-b", "a.b", "a", "a0", "a_b", "ab", "b", "é"}, names)
}

func TestLocalConflict(t *testing.T) {
	ctx := context.Background()
	t.Run("stale view", func(t *testing.T) {
		dir := newRepo(t)
		s := open(t, statebranch.Options{RepoDir: dir})
		commit(t, s, "one", put("x", "1"))
		stale := read(t, s)
		h2, err := s.Commit(ctx, stale, statebranch.Commit{Subject: "two", Changes: []statebranch.Change{put("y", "2")}})
		require.NoError(t, err)
		_, err = s.Commit(ctx, stale, statebranch.Commit{Subject: "three", Changes: []statebranch.Change{put("z", "3")}})
		require.ErrorIs(t, err, statebranch.ErrConflict)
		assert.Equal(t, h2.String(), gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch))
		// A no-op commit on a stale view makes no commit and no conflict.
		h, err := s.Commit(ctx, stale, statebranch.Commit{Subject: "noop", Changes: []statebranch.Change{put("x", "1")}})
		require.NoError(t, err)
		assert.Equal(t, stale.Tip, h)
	})
	t.Run("branch created by someone else", func(t *testing.T) {
		dir := newRepo(t)
		a := open(t, statebranch.Options{RepoDir: dir})
		b := open(t, statebranch.Options{RepoDir: dir})
		va, vb := read(t, a), read(t, b)
		require.True(t, va.Tip.IsZero())
		ha, err := a.Commit(ctx, va, statebranch.Commit{Subject: "a", Changes: []statebranch.Change{put("a", "1")}})
		require.NoError(t, err)
		_, err = b.Commit(ctx, vb, statebranch.Commit{Subject: "b", Changes: []statebranch.Change{put("b", "1")}})
		require.ErrorIs(t, err, statebranch.ErrConflict)
		assert.Contains(t, err.Error(), "not nothing (no branch)")
		assert.Equal(t, ha.String(), gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch))
	})
	t.Run("moved by the git CLI", func(t *testing.T) {
		dir := newRepo(t)
		s := open(t, statebranch.Options{RepoDir: dir})
		h1 := commit(t, s, "one", put("x", "1"))
		v := read(t, s)
		commit(t, s, "two", put("x", "2"))
		gittest.Git(t, dir, "update-ref", "refs/heads/"+branch, h1.String()) // back to h1, as a packed or loose ref
		gittest.Git(t, dir, "pack-refs", "--all")
		commit(t, s, "three", put("x", "3"))
		_, err := s.Commit(ctx, v, statebranch.Commit{Subject: "four", Changes: []statebranch.Change{put("x", "4")}})
		require.ErrorIs(t, err, statebranch.ErrConflict)
	})
}

// In local mode a missing local branch falls back to refs/remotes/origin/B;
// committing on that view creates the local branch on top of it.
func TestLocalFallbackToRemoteTracking(t *testing.T) {
	dir := newRepo(t)
	s := open(t, statebranch.Options{RepoDir: dir})
	h1 := commit(t, s, "one", put("x", "1"))
	gittest.Git(t, dir, "update-ref", "refs/remotes/origin/"+branch, h1.String())
	gittest.Git(t, dir, "update-ref", "-d", "refs/heads/"+branch)

	v := read(t, s)
	assert.Equal(t, h1, v.Tip)
	assert.Equal(t, plumbing.NewRemoteReferenceName("origin", branch), v.Ref)
	data, ok, err := v.File("x")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "1", string(data))

	h2, err := s.Commit(context.Background(), v, statebranch.Commit{Subject: "two", Changes: []statebranch.Change{put("y", "2")}})
	require.NoError(t, err)
	assert.Equal(t, h1.String(), gittest.Git(t, dir, "rev-parse", h2.String()+"^"))
	assert.Equal(t, h1.String(), gittest.Git(t, dir, "rev-parse", "refs/remotes/origin/"+branch), "tracking ref is read-only")
}

func TestLocalBranchCheckedOut(t *testing.T) {
	dir := newRepo(t)
	s := open(t, statebranch.Options{RepoDir: dir})
	commit(t, s, "one", put("x", "1"))
	v := read(t, s)
	gittest.Git(t, dir, "symbolic-ref", "HEAD", "refs/heads/"+branch)
	_, err := s.Commit(context.Background(), v, statebranch.Commit{Subject: "two", Changes: []statebranch.Change{put("x", "2")}})
	require.ErrorIs(t, err, statebranch.ErrBranchCheckedOut)
}

func TestLocalLockTimeout(t *testing.T) {
	dir := newRepo(t)
	s := open(t, statebranch.Options{RepoDir: dir, LockTimeout: 50 * 1e6})
	lock := filepath.Join(dir, ".git", "honua-gitops", "honua-gitops%2Fstate.lock")
	require.NoError(t, os.MkdirAll(filepath.Dir(lock), 0o755))
	require.NoError(t, os.WriteFile(lock, []byte("pid 1 at 2026-01-01T00:00:00Z\n"), 0o644))
	_, err := s.Read(context.Background())
	require.ErrorIs(t, err, statebranch.ErrLocked)
	assert.Contains(t, err.Error(), "pid 1")
	require.NoError(t, os.Remove(lock))
	read(t, s)
}

func TestBlob(t *testing.T) {
	dir := newRepo(t)
	s := open(t, statebranch.Options{RepoDir: dir})
	data := []byte("{\"hello\": \"world\"}\n")
	commit(t, s, "one", statebranch.Change{Path: "f.json", Data: data})
	h := s.BlobHashOf(data)
	assert.Equal(t, gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch+":f.json"), h.String())
	got, err := s.Blob(context.Background(), h)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	assert.Equal(t, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", s.BlobHashOf(nil).String())

	_, err = s.Blob(context.Background(), s.BlobHashOf([]byte("never stored")))
	require.ErrorIs(t, err, statebranch.ErrBlobNotFound)
	commitHash := gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch)
	_, err = s.Blob(context.Background(), plumbing.NewHash(commitHash))
	require.Error(t, err, "a commit is not a blob")
}

func TestLog(t *testing.T) {
	dir := newRepo(t)
	s := open(t, statebranch.Options{RepoDir: dir})
	ctx := context.Background()
	var hashes []plumbing.Hash
	for i, env := range []string{"dev", "staging", "production"} {
		h, err := s.Commit(ctx, read(t, s), statebranch.Commit{
			Subject:  "deploy " + env,
			Body:     "Applied 3 changes.",
			Trailers: []statebranch.Trailer{{Key: "Honua-Environment", Value: env}, {Key: "Honua-Deployment", Value: string(rune('1' + i))}},
			Changes:  []statebranch.Change{put(env+"/snapshot.json", env)},
		})
		require.NoError(t, err)
		hashes = append(hashes, h)
	}
	entries, err := s.Log(ctx, hashes[2], 0)
	require.NoError(t, err)
	require.Len(t, entries, 3)
	for i, e := range entries {
		assert.Equal(t, hashes[2-i], e.Hash)
	}
	assert.Equal(t, "deploy production", entries[0].Subject)
	assert.Equal(t, "deploy production\n\nApplied 3 changes.\n\nHonua-Environment: production\nHonua-Deployment: 3\n", entries[0].Message)
	assert.Equal(t, map[string]string{"Honua-Environment": "production", "Honua-Deployment": "3"}, entries[0].Trailers)
	assert.True(t, entries[0].When.Equal(entries[0].When.UTC()))
	assert.Equal(t, int64(1772366400), entries[0].When.Unix())

	entries, err = s.Log(ctx, hashes[2], 2)
	require.NoError(t, err)
	assert.Len(t, entries, 2)
	entries, err = s.Log(ctx, plumbing.ZeroHash, 0)
	require.NoError(t, err)
	assert.Empty(t, entries)
	_, err = s.Log(ctx, plumbing.NewHash("1234567890123456789012345678901234567890"), 0)
	require.True(t, errors.Is(err, plumbing.ErrObjectNotFound), "%v", err)
}

func TestLocalBareAndLinkedWorktree(t *testing.T) {
	t.Run("bare repository", func(t *testing.T) {
		dir := t.TempDir()
		gittest.Git(t, dir, "init", "--quiet", "--bare")
		s := open(t, statebranch.Options{RepoDir: dir})
		h := commit(t, s, "one", put("a", "1"))
		assert.Equal(t, h.String(), gittest.Git(t, dir, "rev-parse", "refs/heads/"+branch))
		assert.DirExists(t, filepath.Join(dir, "honua-gitops"), "lock directory")
		assert.NoFileExists(t, filepath.Join(dir, "honua-gitops", "honua-gitops%2Fstate.lock"), "lock released")
	})
	t.Run("linked worktree", func(t *testing.T) {
		main := newRepo(t)
		wt := filepath.Join(t.TempDir(), "wt")
		gittest.Git(t, main, "worktree", "add", "--quiet", "--detach", wt)
		s := open(t, statebranch.Options{RepoDir: wt})
		h := commit(t, s, "one", put("a", "1"))
		assert.Equal(t, h.String(), gittest.Git(t, main, "rev-parse", "refs/heads/"+branch), "the branch lives in the common dir")
		assert.DirExists(t, filepath.Join(main, ".git", "honua-gitops"), "one lock for all worktrees")
		other := open(t, statebranch.Options{RepoDir: main})
		assert.Equal(t, h, read(t, other).Tip)
		assert.Empty(t, gittest.Git(t, wt, "status", "--porcelain"))
	})
}

// Reading a repository the process cannot write (so cannot lock) still works.
func TestLocalReadOnlyRepository(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores file permissions")
	}
	dir := newRepo(t)
	s := open(t, statebranch.Options{RepoDir: dir})
	h := commit(t, s, "one", put("a", "1"))
	require.NoError(t, os.RemoveAll(filepath.Join(dir, ".git", "honua-gitops")))
	require.NoError(t, os.Chmod(filepath.Join(dir, ".git"), 0o555))
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(dir, ".git"), 0o755) })
	v := read(t, s)
	assert.Equal(t, h, v.Tip)
}
