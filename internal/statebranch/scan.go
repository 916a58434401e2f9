package statebranch

import (
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// findInTree looks one name up in a tree by scanning its raw encoding
// ("<mode> <name>\0<20-byte hash>" per entry) without building an entry
// list or index: a lookup in a directory of 256 shards then costs about
// what a lookup in a directory of 3 does.
func findInTree(objects storer.EncodedObjectStorer, h plumbing.Hash, name string) (object.TreeEntry, bool, error) {
	o, err := objects.EncodedObject(plumbing.TreeObject, h)
	if err != nil {
		return object.TreeEntry{}, false, err
	}
	r, err := o.Reader()
	if err != nil {
		return object.TreeEntry{}, false, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return object.TreeEntry{}, false, err
	}
	want := []byte(name)
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp < 0 || nul < sp || len(data) < nul+1+20 {
			return object.TreeEntry{}, false, fmt.Errorf("tree %s is malformed", h)
		}
		if bytes.Equal(data[sp+1:nul], want) {
			mode, err := strconv.ParseUint(string(data[:sp]), 8, 32)
			if err != nil {
				return object.TreeEntry{}, false, fmt.Errorf("tree %s: bad mode: %w", h, err)
			}
			var hash plumbing.Hash
			copy(hash[:], data[nul+1:nul+21])
			return object.TreeEntry{Name: name, Mode: filemode.FileMode(mode), Hash: hash}, true, nil
		}
		data = data[nul+21:]
	}
	return object.TreeEntry{}, false, nil
}
