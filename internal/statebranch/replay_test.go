package statebranch_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

var errRefused = errors.New("refused by the test merge")

// unionLines merges "*.list" files as sets of lines and refuses any other
// file, like a layout-aware merge would refuse two snapshots.
func unionLines(path string, _, ours, theirs []byte) ([]byte, error) {
	if !strings.HasSuffix(path, ".list") {
		return nil, errRefused
	}
	var lines []string
	for _, b := range [][]byte{ours, theirs} {
		for _, l := range strings.Fields(string(b)) {
			if !slices.Contains(lines, l) {
				lines = append(lines, l)
			}
		}
	}
	slices.Sort(lines)
	return []byte(strings.Join(lines, "\n") + "\n"), nil
}

// openLocal opens a local-mode store on a clone, as `apply` without --push
// does; its commits never leave the clone.
func openLocal(t *testing.T, dir string) *statebranch.Store {
	t.Helper()
	return open(t, statebranch.Options{RepoDir: dir, AuthorName: "ana", AuthorEmail: "ana@example.org",
		Now: func() time.Time { return time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC) }})
}

func openMerging(t *testing.T, dir string, r *gittest.Remote, merge func(string, []byte, []byte, []byte) ([]byte, error)) *statebranch.Store {
	t.Helper()
	return open(t, statebranch.Options{RepoDir: dir, Remote: "origin", Auth: r.Auth(), Merge: merge})
}

func fileAt(t *testing.T, v *statebranch.View, path string) string {
	t.Helper()
	data, ok, err := v.File(path)
	require.NoError(t, err)
	if !ok {
		return "<absent>"
	}
	return string(data)
}

var localCommit = statebranch.Commit{
	Subject:  "dev: apply 1 succeeded",
	Body:     "recorded without --push",
	Trailers: []statebranch.Trailer{{Key: "Honua-Environment", Value: "dev"}, {Key: "Honua-Deployment", Value: "1"}},
	Changes:  []statebranch.Change{put("dev/record", "mine"), put("shared.list", "base\nmine\n")},
}

// (a) Clone 1 records a deployment locally and never pushes; clone 2 pushes
// deployments meanwhile. Clone 1's fetching Read keeps its record, shows the
// remote's too, and its next Commit pushes both.
func TestRemoteReadReplaysUnpushedCommitsOnTheRemote(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// shared: clone 1 read the branch before committing locally, so both
		// sides start from the same commit (two commits deep, so the depth-1
		// clone lacks its parent). Otherwise clone 1's branch is an orphan
		// (an apply in a clone that never fetched the state branch).
		shared bool
		remote []statebranch.Change // one commit each, pushed by clone 2
	}{
		{name: "common base, remote two commits ahead", shared: true,
			remote: []statebranch.Change{put("prod/record", "theirs"), put("shared.list", "base\ntheirs\n")}},
		{name: "common base, disjoint files", shared: true,
			remote: []statebranch.Change{put("prod/record", "theirs")}},
		{name: "unrelated histories",
			remote: []statebranch.Change{put("prod/record", "theirs"), put("shared.list", "base\ntheirs\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRemote(t)
			dir1, dir2 := r.Checkout(t), r.Checkout(t)
			s2 := openMerging(t, dir2, r, nil)
			if tt.shared {
				commit(t, s2, "base 0", put("base", "0"), put("shared.list", "base\n"))
				commit(t, s2, "base 1", put("base", "1"))
				read(t, openMerging(t, dir1, r, unionLines))
			}
			mine, err := openLocal(t, dir1).Commit(ctx, read(t, openLocal(t, dir1)), localCommit)
			require.NoError(t, err)
			for _, ch := range tt.remote {
				commit(t, s2, "remote "+ch.Path, ch)
			}
			remoteTip := plumbing.NewHash(r.BranchTip(t, branch))

			s1 := openMerging(t, dir1, r, unionLines)
			v := read(t, s1)
			assert.Equal(t, 1, v.Replayed)
			assert.Equal(t, "mine", fileAt(t, v, "dev/record"), "the unpushed record survives")
			assert.Equal(t, "theirs", fileAt(t, v, "prod/record"), "the remote's record is there too")
			if tt.shared {
				assert.Equal(t, "1", fileAt(t, v, "base"), "the base's files stay")
			}
			if len(tt.remote) == 2 {
				assert.Equal(t, "base\nmine\ntheirs\n", fileAt(t, v, "shared.list"), "a file both changed goes through Merge")
			} else {
				assert.Equal(t, "base\nmine\n", fileAt(t, v, "shared.list"))
			}
			assert.Equal(t, v.Tip.String(), localTip(t, dir1), "the local branch holds the replayed commit")
			assert.Equal(t, remoteTip.String(), gittest.Git(t, dir1, "rev-parse", v.Tip.String()+"^"), "replayed on the remote's tip")
			assert.Equal(t, remoteTip.String(), r.BranchTip(t, branch), "a read pushes nothing")

			// The replayed commit keeps the message (trailers included) and the author.
			format := "--format=%B%x00%an <%ae> %at"
			want := gittest.Git(t, dir1, "log", "-1", format, mine.String())
			assert.Equal(t, want, gittest.Git(t, dir1, "log", "-1", format, v.Tip.String()))
			assert.Contains(t, gittest.Git(t, dir1, "log", "-1", "--format=%(trailers:key=Honua-Deployment,valueonly)", v.Tip.String()), "1")
			assert.Equal(t, statebranch.DefaultAuthorName, gittest.Git(t, dir1, "log", "-1", "--format=%cn", v.Tip.String()), "the committer is who replayed it")

			// The next Commit pushes the replayed commit and the new one.
			next, err := s1.Commit(ctx, v, statebranch.Commit{Subject: "next", Changes: []statebranch.Change{put("dev/next", "1")}})
			require.NoError(t, err)
			assert.Equal(t, next.String(), r.BranchTip(t, branch))
			got := files(t, r.Dir, branch)
			assert.Equal(t, "mine", got["dev/record"])
			assert.Equal(t, "theirs", got["prod/record"])
			assert.Equal(t, "1", got["dev/next"])
			gittest.FsckClean(t, r.Dir)
			gittest.FsckClean(t, dir1)

			// Clone 2 sees it all; a read that finds nothing unpushed replays nothing.
			v2 := read(t, s2)
			assert.Equal(t, next, v2.Tip)
			assert.Zero(t, v2.Replayed)
			assert.Zero(t, read(t, s1).Replayed)
		})
	}
}

// A local commit whose changes the remote already has is dropped, as git
// rebase drops it, and the local branch follows the remote.
func TestRemoteReadDropsCommitsTheRemoteHas(t *testing.T) {
	ctx := context.Background()
	r := newRemote(t)
	dir1, dir2 := r.Checkout(t), r.Checkout(t)
	s2 := openMerging(t, dir2, r, nil)
	commit(t, s2, "base", put("base", "0"))
	read(t, openMerging(t, dir1, r, nil))
	_, err := openLocal(t, dir1).Commit(ctx, read(t, openLocal(t, dir1)), statebranch.Commit{Subject: "same", Changes: []statebranch.Change{put("x", "1")}})
	require.NoError(t, err)
	commit(t, s2, "same elsewhere", put("x", "1"))

	v := read(t, openMerging(t, dir1, r, nil))
	assert.Zero(t, v.Replayed)
	assert.Equal(t, r.BranchTip(t, branch), v.Tip.String())
	assert.Equal(t, v.Tip.String(), localTip(t, dir1))
}

// (b) The local branch is ahead of the remote (or the remote has no branch):
// Read keeps it as it is and the next Commit pushes all of it, with a lease
// on the remote's tip.
func TestRemoteReadKeepsLocalBranchAhead(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		existing bool // the remote has the branch
	}{
		{name: "remote branch unchanged", existing: true},
		{name: "no remote branch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRemote(t)
			dir := r.Checkout(t)
			s := openMerging(t, dir, r, nil)
			var remoteTip plumbing.Hash
			if tt.existing {
				remoteTip = commit(t, s, "base", put("base", "0"))
			}
			local := openLocal(t, dir)
			commit(t, local, "local 1", put("dev/a", "1"))
			l2 := commit(t, local, "local 2", put("dev/b", "2"), del("base"))

			v := read(t, s)
			assert.Equal(t, l2, v.Tip, "the view reads the local state")
			assert.Zero(t, v.Replayed)
			assert.Equal(t, l2.String(), localTip(t, dir), "the local branch is kept")
			assert.Equal(t, tipString(remoteTip), r.BranchTip(t, branch))
			assert.Equal(t, "2", fileAt(t, v, "dev/b"))

			next, err := s.Commit(ctx, v, statebranch.Commit{Subject: "pushed", Changes: []statebranch.Change{put("dev/c", "3")}})
			require.NoError(t, err)
			assert.Equal(t, next.String(), r.BranchTip(t, branch))
			bare := func(args ...string) string {
				return gittest.Git(t, r.Dir, append([]string{"--git-dir=" + r.Dir}, args...)...)
			}
			want := "3"
			if tt.existing {
				want = "4"
			}
			assert.Equal(t, want, bare("rev-list", "--count", "refs/heads/"+branch), "the local commits went along")
			assert.Equal(t, l2.String(), bare("rev-parse", next.String()+"^"))
			assert.Equal(t, map[string]string{"dev/a": "1", "dev/b": "2", "dev/c": "3"}, files(t, r.Dir, branch))
			gittest.FsckClean(t, r.Dir)
		})
	}
}

// The lease is the remote's tip, not the local one: when the remote moves
// between Read and Commit, the push is refused, the local branch goes back
// to its unpushed commits, and the next Read replays them.
func TestRemoteCommitAheadLeasesTheRemoteTip(t *testing.T) {
	ctx := context.Background()
	r := newRemote(t)
	dir1, dir2 := r.Checkout(t), r.Checkout(t)
	s1, s2 := openMerging(t, dir1, r, unionLines), openMerging(t, dir2, r, nil)
	commit(t, s2, "base", put("base", "0"))
	read(t, s1)
	l1 := commit(t, openLocal(t, dir1), "local", put("dev/record", "mine"))

	v := read(t, s1)
	require.Equal(t, l1, v.Tip)
	commit(t, s2, "theirs", put("prod/record", "theirs"))
	_, err := s1.Commit(ctx, v, statebranch.Commit{Subject: "mine", Changes: []statebranch.Change{put("dev/next", "1")}})
	require.ErrorIs(t, err, statebranch.ErrConflict)
	assert.Equal(t, l1.String(), localTip(t, dir1), "the unpushed commit stays")

	v = read(t, s1)
	assert.Equal(t, 1, v.Replayed)
	_, err = s1.Commit(ctx, v, statebranch.Commit{Subject: "mine", Changes: []statebranch.Change{put("dev/next", "1")}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"base": "0", "dev/record": "mine", "prod/record": "theirs", "dev/next": "1"}, files(t, r.Dir, branch))
}

// (c) Both sides changed a file the merge cannot combine: Read fails with
// ErrDiverged, names the file and what to do, and changes nothing.
func TestRemoteReadDivergedConflict(t *testing.T) {
	tests := []struct {
		name  string
		merge func(string, []byte, []byte, []byte) ([]byte, error)
		is    error
		why   string
	}{
		{name: "no merge function", why: "changed on both sides"},
		{name: "merge refuses", merge: unionLines, is: errRefused, why: errRefused.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRemote(t)
			dir1, dir2 := r.Checkout(t), r.Checkout(t)
			s2 := openMerging(t, dir2, r, nil)
			commit(t, s2, "base", put("dev/snapshot.json", "0"))
			read(t, openMerging(t, dir1, r, tt.merge))
			commit(t, openLocal(t, dir1), "local deploy", put("dev/snapshot.json", "mine"), put("dev/record", "mine"))
			l2 := commit(t, openLocal(t, dir1), "local deploy 2", put("dev/other", "x"))
			remoteTip := commit(t, s2, "remote deploy", put("dev/snapshot.json", "theirs"))

			s1 := openMerging(t, dir1, r, tt.merge)
			for range 2 { // and again: nothing was half done
				_, err := s1.Read(context.Background())
				require.ErrorIs(t, err, statebranch.ErrDiverged)
				if tt.is != nil {
					require.ErrorIs(t, err, tt.is)
				}
				msg := err.Error()
				assert.Contains(t, msg, "dev/snapshot.json: "+tt.why)
				assert.Contains(t, msg, "2 commit(s) that were never pushed")
				assert.Contains(t, msg, `"local deploy"`)
				assert.Contains(t, msg, "`git log "+branch+" origin/"+branch+"`")
				assert.NotContains(t, msg, r.Token)
				assert.Equal(t, l2.String(), localTip(t, dir1), "the local branch is unchanged")
				assert.Equal(t, remoteTip.String(), r.BranchTip(t, branch))
			}
			gittest.FsckClean(t, dir1)
		})
	}
}

// A local branch behind the remote follows it, whether the clone knows it
// holds nothing unpushed (it is at the tip last fetched) or has to walk the
// history to find out; a remote that rewrote its branch is followed too
// when the local branch holds nothing unpushed.
func TestRemoteReadFollowsTheRemote(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string, old plumbing.Hash)
		rewrite bool
	}{
		{name: "at the tip last fetched"},
		{name: "no tracking ref, behind", prepare: func(t *testing.T, dir string, old plumbing.Hash) {
			gittest.Git(t, dir, "update-ref", "-d", "refs/remotes/origin/"+branch)
		}},
		{name: "rewritten remote", rewrite: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRemote(t)
			dir1, dir2 := r.Checkout(t), r.Checkout(t)
			s1, s2 := openMerging(t, dir1, r, nil), openMerging(t, dir2, r, nil)
			commit(t, s2, "base 0", put("base", "0"))
			old := commit(t, s2, "base 1", put("base", "1"))
			read(t, s1)
			if tt.prepare != nil {
				tt.prepare(t, dir1, old)
			}
			if tt.rewrite {
				gittest.Git(t, r.Dir, "--git-dir="+r.Dir, "update-ref", "refs/heads/"+branch, old.String()+"^")
				read(t, s2)
			}
			for i := range 3 {
				commit(t, s2, "remote", put("remote", strings.Repeat("x", i+1)))
			}
			v := read(t, s1)
			assert.Equal(t, r.BranchTip(t, branch), v.Tip.String())
			assert.Equal(t, v.Tip.String(), localTip(t, dir1))
			assert.Zero(t, v.Replayed)
			assert.Equal(t, "xxx", fileAt(t, v, "remote"))
			gittest.FsckClean(t, dir1)
		})
	}
}
