package statebranch

import (
	"fmt"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingStorer counts object reads and writes by type.
type countingStorer struct {
	storer.EncodedObjectStorer
	mu     sync.Mutex
	reads  map[plumbing.ObjectType]int
	writes map[plumbing.ObjectType]int
}

func newCountingStorer() *countingStorer {
	return &countingStorer{EncodedObjectStorer: memory.NewStorage(), reads: map[plumbing.ObjectType]int{}, writes: map[plumbing.ObjectType]int{}}
}

func (c *countingStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := c.EncodedObjectStorer.EncodedObject(t, h)
	if err == nil {
		c.mu.Lock()
		c.reads[o.Type()]++
		c.mu.Unlock()
	}
	return o, err
}

func (c *countingStorer) SetEncodedObject(o plumbing.EncodedObject) (plumbing.Hash, error) {
	c.mu.Lock()
	c.writes[o.Type()]++
	c.mu.Unlock()
	return c.EncodedObjectStorer.SetEncodedObject(o)
}

func (c *countingStorer) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.reads)
	clear(c.writes)
}

// shardedTree builds a tree of n files spread over 256 shard directories,
// a/b/<shard>/rec-<i>.json.
func shardedTree(t *testing.T, s *Store, n int) plumbing.Hash {
	t.Helper()
	changes := make([]Change, n)
	paths := make([][]string, n)
	for i := range changes {
		changes[i] = Change{Path: fmt.Sprintf("a/b/%02x/rec-%05d.json", i%256, i), Data: []byte(fmt.Sprint(i))}
		paths[i] = []string{"a", "b", fmt.Sprintf("%02x", i%256), fmt.Sprintf("rec-%05d.json", i)}
	}
	root, err := s.buildTree(plumbing.ZeroHash, changes, paths)
	require.NoError(t, err)
	return root
}

// Reads decode, and commits rewrite, only the trees along the path: 4 for
// a/b/<shard>/<file>, whatever the number of files.
func TestOnlyTreesAlongThePath(t *testing.T) {
	for _, n := range []int{10, 10000} {
		t.Run(fmt.Sprintf("files=%d", n), func(t *testing.T) {
			objs := newCountingStorer()
			s := &Store{objects: objs}
			root := shardedTree(t, s, n)
			v := &View{Tip: plumbing.NewHash("1111111111111111111111111111111111111111"), store: s, root: root}

			objs.reset()
			data, ok, err := v.File("a/b/07/rec-00007.json")
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, "7", string(data))
			assert.Equal(t, map[plumbing.ObjectType]int{plumbing.TreeObject: 4, plumbing.BlobObject: 1}, objs.reads)

			objs.reset()
			_, ok, err = v.BlobHash("a/b/09/missing.json")
			require.NoError(t, err)
			assert.False(t, ok)
			assert.Equal(t, map[plumbing.ObjectType]int{plumbing.TreeObject: 4}, objs.reads)

			objs.reset()
			names, err := v.List("a/b/07")
			require.NoError(t, err)
			assert.Equal(t, "rec-00007.json", names[0])
			assert.Equal(t, map[plumbing.ObjectType]int{plumbing.TreeObject: 4}, objs.reads)

			objs.reset()
			changes := []Change{{Path: "a/b/07/new.json", Data: []byte("new")}}
			next, err := s.buildTree(root, changes, [][]string{{"a", "b", "07", "new.json"}})
			require.NoError(t, err)
			assert.NotEqual(t, root, next)
			assert.Equal(t, map[plumbing.ObjectType]int{plumbing.TreeObject: 4}, objs.reads)
			assert.Equal(t, map[plumbing.ObjectType]int{plumbing.TreeObject: 4, plumbing.BlobObject: 1}, objs.writes)

			objs.reset()
			again, err := s.buildTree(next, []Change{{Path: "a/b/07/new.json", Delete: true}}, [][]string{{"a", "b", "07", "new.json"}})
			require.NoError(t, err)
			assert.Equal(t, root, again, "deleting the file gives back the first tree")
			assert.Empty(t, objs.writes, "the trees already exist")
		})
	}
}
