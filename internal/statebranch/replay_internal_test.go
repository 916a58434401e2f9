package statebranch

import (
	"fmt"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tree stores files (path -> content) as a tree and returns its root.
func tree(t *testing.T, s *Store, files map[string]string) plumbing.Hash {
	t.Helper()
	var changes []Change
	var paths [][]string
	for p, data := range files {
		parts, err := splitPath(p)
		require.NoError(t, err)
		changes = append(changes, Change{Path: p, Data: []byte(data)})
		paths = append(paths, parts)
	}
	root, err := s.buildTree(plumbing.ZeroHash, changes, paths)
	require.NoError(t, err)
	return root
}

// treeFiles reads every file of a tree back.
func treeFiles(t *testing.T, s *Store, root plumbing.Hash) map[string]string {
	t.Helper()
	out := map[string]string{}
	if root == emptyTreeHash {
		return out
	}
	tr, err := object.GetTree(s.objects, root)
	require.NoError(t, err)
	require.NoError(t, tr.Files().ForEach(func(f *object.File) error {
		c, err := f.Contents()
		out[f.Name] = c
		return err
	}))
	return out
}

func blob(data string) plumbing.Hash { return plumbing.ComputeHash(plumbing.BlobObject, []byte(data)) }

func TestDiffTrees(t *testing.T) {
	tests := []struct {
		name     string
		from, to map[string]string
		want     []fileDiff
	}{
		{name: "same", from: map[string]string{"a/b": "1"}, to: map[string]string{"a/b": "1"}},
		{name: "write, add, delete",
			from: map[string]string{"a": "1", "d/x": "1", "d/y": "1"},
			to:   map[string]string{"a": "2", "d/x": "1", "e/z": "1"},
			want: []fileDiff{{path: "a", from: blob("1"), to: blob("2")}, {path: "d/y", from: blob("1")}, {path: "e/z", to: blob("1")}}},
		{name: "file becomes a directory: the file goes first",
			from: map[string]string{"p": "f"},
			to:   map[string]string{"p/q": "g"},
			want: []fileDiff{{path: "p", from: blob("f")}, {path: "p/q", to: blob("g")}}},
		{name: "directory becomes a file: its files go first",
			from: map[string]string{"p/q": "g", "p/r/s": "h"},
			to:   map[string]string{"p": "f"},
			want: []fileDiff{{path: "p/q", from: blob("g")}, {path: "p/r/s", from: blob("h")}, {path: "p", to: blob("f")}}},
		{name: "from nothing", to: map[string]string{"a/b": "1"}, want: []fileDiff{{path: "a/b", to: blob("1")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Store{objects: newCountingStorer()}
			var got []fileDiff
			require.NoError(t, s.diffTrees(tree(t, s, tt.from), tree(t, s, tt.to), "", &got))
			assert.Equal(t, tt.want, got)
		})
	}
}

// A diff reads only the trees whose hashes differ: two per level for one
// changed file among 10000.
func TestDiffTreesReadsOnlyChangedTrees(t *testing.T) {
	objs := newCountingStorer()
	s := &Store{objects: objs}
	root := shardedTree(t, s, 10000)
	next, err := s.buildTree(root, []Change{{Path: "a/b/07/new.json", Data: []byte("new")}}, [][]string{{"a", "b", "07", "new.json"}})
	require.NoError(t, err)
	objs.reset()
	var got []fileDiff
	require.NoError(t, s.diffTrees(root, next, "", &got))
	assert.Equal(t, []fileDiff{{path: "a/b/07/new.json", to: blob("new")}}, got)
	assert.Equal(t, map[plumbing.ObjectType]int{plumbing.TreeObject: 8}, objs.reads)
}

func TestReplayTree(t *testing.T) {
	merged := func(path string, base, ours, theirs []byte) ([]byte, error) {
		if path == "gone" {
			return nil, nil
		}
		return []byte(fmt.Sprintf("%s+%s+%s", base, ours, theirs)), nil
	}
	tests := []struct {
		name           string
		merge          func(string, []byte, []byte, []byte) ([]byte, error)
		root, from, to map[string]string
		want           map[string]string
		conflicts      string
	}{
		{name: "untouched paths take ours",
			root: map[string]string{"a": "1", "z": "theirs"}, from: map[string]string{"a": "1", "b": "1"}, to: map[string]string{"a": "2", "c": "1"},
			want: map[string]string{"a": "2", "c": "1", "z": "theirs"}},
		{name: "the same change on both sides",
			root: map[string]string{"a": "2"}, from: map[string]string{"a": "1"}, to: map[string]string{"a": "2"},
			want: map[string]string{"a": "2"}},
		{name: "changed on both sides goes through Merge", merge: merged,
			root: map[string]string{"a": "t", "gone": "t"}, from: map[string]string{"a": "b", "gone": "b"}, to: map[string]string{"a": "o", "gone": "o"},
			want: map[string]string{"a": "b+o+t"}},
		{name: "Merge sees absent files as nil", merge: merged,
			root: map[string]string{"a": "t"}, to: map[string]string{"a": "o"},
			want: map[string]string{"a": "+o+t"}},
		{name: "file swapped for a directory",
			root: map[string]string{"p": "f", "z": "1"}, from: map[string]string{"p": "f"}, to: map[string]string{"p/q": "g"},
			want: map[string]string{"p/q": "g", "z": "1"}},
		{name: "every conflicting path is named",
			root: map[string]string{"a": "t", "b": "t"}, from: map[string]string{"a": "b", "b": "b"}, to: map[string]string{"a": "o", "b": "o"},
			conflicts: "a: changed on both sides; b: changed on both sides"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Store{objects: newCountingStorer(), opts: Options{Merge: tt.merge}}
			next, conflicts, err := s.replayTree(tree(t, s, tt.root), tree(t, s, tt.from), tree(t, s, tt.to))
			require.NoError(t, err)
			if tt.conflicts != "" {
				require.NotNil(t, conflicts)
				assert.Equal(t, tt.conflicts, conflicts.Error())
				return
			}
			require.Nil(t, conflicts)
			assert.Equal(t, tt.want, treeFiles(t, s, next))
		})
	}
}
