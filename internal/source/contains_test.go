package source_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/source"
)

// history is a repository where branch "feature" was created from main
// before commit deployed landed on main, and "merged" is feature with main
// merged in afterwards.
type history struct {
	dir                                   string
	root, base, deployed, feature, merged string
	unrelated                             string // an orphan branch's commit
}

func newHistory(t *testing.T) history {
	t.Helper()
	h := history{dir: newRepo(t, baseFiles)}
	git := func(args ...string) string { return gittest.Git(t, h.dir, args...) }
	h.root = git("rev-parse", "HEAD")
	write(t, h.dir, "environments/dev/layers.yaml", "layers: [a]\n")
	h.base = commit(t, h.dir, "base")
	git("branch", "feature")
	write(t, h.dir, "environments/prod/layers.yaml", "layers: [deployed]\n")
	h.deployed = commit(t, h.dir, "deployed from main")
	git("checkout", "--quiet", "feature")
	write(t, h.dir, "environments/staging/services.yaml", "services: [feature]\n")
	h.feature = commit(t, h.dir, "feature work")
	git("checkout", "--quiet", "-b", "merged")
	git("merge", "--quiet", "--no-edit", "main")
	h.merged = git("rev-parse", "HEAD")
	git("checkout", "--quiet", "--orphan", "orphan")
	h.unrelated = commit(t, h.dir, "orphan")
	git("checkout", "--quiet", "main")
	return h
}

func TestContains(t *testing.T) {
	h := newHistory(t)
	tests := []struct {
		name, head, ancestor string
		want                 source.Ancestry
	}{
		{name: "linear history", head: h.deployed, ancestor: h.root, want: source.Contained},
		{name: "parent", head: h.deployed, ancestor: h.base, want: source.Contained},
		{name: "head is the ancestor", head: h.deployed, ancestor: h.deployed, want: source.Contained},
		{name: "branch created before the deployed commit landed", head: h.feature, ancestor: h.deployed, want: source.NotContained},
		{name: "older commit does not contain a newer one", head: h.root, ancestor: h.deployed, want: source.NotContained},
		{name: "main merged into the branch", head: h.merged, ancestor: h.deployed, want: source.Contained},
		{name: "merge contains its first parent's history", head: h.merged, ancestor: h.feature, want: source.Contained},
		{name: "unrelated history", head: h.unrelated, ancestor: h.root, want: source.NotContained},
		{name: "upper-case SHA", head: strings.ToUpper(h.deployed), ancestor: h.base, want: source.Contained},
		{name: "revisions", head: "main", ancestor: "feature~1", want: source.Contained},
		{name: "an ancestor absent from a complete history", head: h.deployed, ancestor: strings.Repeat("e", 40), want: source.NotContained},
		{name: "unknown head", head: strings.Repeat("e", 40), ancestor: h.root, want: source.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := source.Contains(context.Background(), h.dir, tt.head, tt.ancestor)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "got %s", got)
		})
	}
}

func TestContainsShallow(t *testing.T) {
	h := newHistory(t)
	ctx := context.Background()
	clone := func(t *testing.T, args ...string) string {
		dir := filepath.Join(t.TempDir(), "clone")
		gittest.Git(t, h.dir, append(append([]string{"clone", "--quiet"}, args...), "file://"+h.dir, dir)...)
		return dir
	}

	t.Run("depth 1 lacks the ancestor", func(t *testing.T) {
		dir := clone(t, "--depth=1", "--branch=feature")
		got, err := source.Contains(ctx, dir, h.feature, h.deployed)
		require.NoError(t, err)
		assert.Equal(t, source.Unknown, got)
		// The boundary commit still names its parent.
		got, err = source.Contains(ctx, dir, h.feature, h.base)
		require.NoError(t, err)
		assert.Equal(t, source.Contained, got)
		got, err = source.Contains(ctx, dir, h.feature, h.feature)
		require.NoError(t, err)
		assert.Equal(t, source.Contained, got)
	})
	t.Run("ancestor fetched, but the walk stops at the shallow boundary", func(t *testing.T) {
		dir := clone(t, "--depth=1", "--branch=feature")
		gittest.Git(t, dir, "fetch", "--quiet", "--depth=1", "origin", "main")
		got, err := source.Contains(ctx, dir, h.feature, h.deployed)
		require.NoError(t, err)
		assert.Equal(t, source.Unknown, got)
	})
	t.Run("deep enough", func(t *testing.T) {
		dir := clone(t, "--depth=2", "--branch=main")
		got, err := source.Contains(ctx, dir, h.deployed, h.base)
		require.NoError(t, err)
		assert.Equal(t, source.Contained, got, "the parent is inside the clone's depth")
	})
	t.Run("full clone", func(t *testing.T) {
		dir := clone(t, "--no-local")
		gittest.Git(t, dir, "fetch", "--quiet", "origin", "feature")
		got, err := source.Contains(ctx, dir, h.feature, h.deployed)
		require.NoError(t, err)
		assert.Equal(t, source.NotContained, got)
	})
}

func TestContainsMissingObject(t *testing.T) {
	h := newHistory(t)
	// Loose objects as the CLI wrote them: removing the middle commit
	// breaks the history the way a damaged or partial store would.
	obj := filepath.Join(h.dir, ".git", "objects", h.base[:2], h.base[2:])
	require.FileExists(t, obj)
	require.NoError(t, os.Remove(obj))

	got, err := source.Contains(context.Background(), h.dir, h.deployed, h.root)
	require.NoError(t, err)
	assert.Equal(t, source.Unknown, got)
}

func TestContainsErrors(t *testing.T) {
	ctx := context.Background()
	_, err := source.Contains(ctx, t.TempDir(), strings.Repeat("a", 40), strings.Repeat("b", 40))
	require.ErrorIs(t, err, source.ErrNotRepository)

	dir := newRepo(t, baseFiles)
	_, err = source.Contains(ctx, dir, "no-such-branch", "HEAD")
	assert.ErrorContains(t, err, `resolve "no-such-branch"`)
	_, err = source.Contains(ctx, dir, "HEAD", "")
	assert.ErrorContains(t, err, "no commit given")

	tree := gittest.Git(t, dir, "rev-parse", "HEAD^{tree}")
	_, err = source.Contains(ctx, dir, "HEAD", tree)
	assert.Error(t, err, "a tree is not a commit")
}

func TestAncestryString(t *testing.T) {
	assert.Equal(t, "unknown", source.Ancestry(0).String(), "the zero value is Unknown")
	assert.Equal(t, "contained", source.Contained.String())
	assert.Equal(t, "not contained", source.NotContained.String())
}

func TestContainsGivesUpAfterTheCap(t *testing.T) {
	h := newHistory(t)
	source.SetMaxWalk(t, 2)
	got, err := source.Contains(context.Background(), h.dir, h.merged, h.root)
	require.NoError(t, err)
	assert.Equal(t, source.Unknown, got, "root is more than two commits away")
	got, err = source.Contains(context.Background(), h.dir, h.merged, h.feature)
	require.NoError(t, err)
	assert.Equal(t, source.Contained, got, "a parent is found within the cap")
}
