package statebranch

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// treeEditor edits a tree in the object store. It decodes only the trees
// along the edited paths and writes back only the trees that changed, so its
// cost does not depend on the size of the rest of the tree.
type treeEditor struct {
	objects storer.EncodedObjectStorer
	root    *dirNode
}

// dirNode is a directory opened for editing.
type dirNode struct {
	base    plumbing.Hash               // the tree it started from; zero for a new directory
	entries map[string]object.TreeEntry // its entries; nil until loaded
	subdirs map[string]*dirNode         // opened subdirectories, which override entries
	dirty   bool                        // entries changed
}

func newTreeEditor(objects storer.EncodedObjectStorer, root plumbing.Hash) *treeEditor {
	return &treeEditor{objects: objects, root: &dirNode{base: root}}
}

func (n *dirNode) load(objects storer.EncodedObjectStorer) error {
	if n.entries != nil {
		return nil
	}
	n.entries = map[string]object.TreeEntry{}
	n.subdirs = map[string]*dirNode{}
	if n.base.IsZero() {
		return nil
	}
	t, err := object.GetTree(objects, n.base)
	if err != nil {
		return fmt.Errorf("read tree %s: %w", n.base, err)
	}
	for _, e := range t.Entries {
		n.entries[e.Name] = e
	}
	return nil
}

// open returns the directory at parts, creating missing directories when
// create is set; nil when it does not exist (or a file is in the way) and
// create is not set.
func (ed *treeEditor) open(parts []string, create bool) (*dirNode, error) {
	n := ed.root
	if err := n.load(ed.objects); err != nil {
		return nil, err
	}
	for i, name := range parts {
		sub, ok := n.subdirs[name]
		if !ok {
			e, exists := n.entries[name]
			switch {
			case exists && e.Mode == filemode.Dir:
				sub = &dirNode{base: e.Hash}
			case !create:
				return nil, nil // absent (or below a file)
			case exists:
				return nil, fmt.Errorf("%s: not a directory", strings.Join(parts[:i+1], "/"))
			default:
				sub = &dirNode{}
				n.entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir}
				n.dirty = true
			}
			n.subdirs[name] = sub
		}
		if err := sub.load(ed.objects); err != nil {
			return nil, err
		}
		n = sub
	}
	return n, nil
}

// setFile points parts at a blob, creating parent directories as needed.
func (ed *treeEditor) setFile(parts []string, blob plumbing.Hash) error {
	d, err := ed.open(parts[:len(parts)-1], true)
	if err != nil {
		return err
	}
	name := parts[len(parts)-1]
	mode := filemode.Regular
	if e, ok := d.entries[name]; ok {
		switch {
		case e.Mode == filemode.Dir:
			if sub, opened := d.subdirs[name]; !opened || !sub.empty() {
				return fmt.Errorf("%s: is a directory", strings.Join(parts, "/"))
			}
			delete(d.subdirs, name)
		case e.Mode == filemode.Executable:
			mode = filemode.Executable
		case e.Hash == blob && e.Mode == filemode.Regular:
			return nil
		}
	}
	d.entries[name] = object.TreeEntry{Name: name, Mode: mode, Hash: blob}
	d.dirty = true
	return nil
}

// remove deletes the file or directory at parts; absent paths are a no-op.
func (ed *treeEditor) remove(parts []string) error {
	d, err := ed.open(parts[:len(parts)-1], false)
	if err != nil || d == nil {
		return err
	}
	name := parts[len(parts)-1]
	if _, ok := d.entries[name]; !ok {
		return nil
	}
	delete(d.entries, name)
	delete(d.subdirs, name)
	d.dirty = true
	return nil
}

// empty reports whether the directory holds no files once edited.
func (n *dirNode) empty() bool {
	for name := range n.entries {
		sub, ok := n.subdirs[name]
		if !ok || !sub.empty() {
			return false
		}
	}
	return true
}

// write stores the edited tree and returns its root hash. Directories left
// empty are pruned; the root may be the empty tree.
func (ed *treeEditor) write() (plumbing.Hash, error) {
	h, _, err := ed.writeDir(ed.root)
	return h, err
}

func (ed *treeEditor) writeDir(n *dirNode) (h plumbing.Hash, empty bool, err error) {
	if n.entries == nil { // never opened: unchanged
		return n.base, n.base.IsZero(), nil
	}
	changed := n.dirty
	for name, sub := range n.subdirs {
		sh, subEmpty, err := ed.writeDir(sub)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		switch {
		case subEmpty:
			delete(n.entries, name)
			changed = true
		case sh != sub.base:
			n.entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: sh}
			changed = true
		}
	}
	if len(n.entries) == 0 {
		return plumbing.ZeroHash, true, nil
	}
	if !changed && !n.base.IsZero() {
		return n.base, false, nil
	}
	t := &object.Tree{Entries: make([]object.TreeEntry, 0, len(n.entries))}
	for _, e := range n.entries {
		t.Entries = append(t.Entries, e)
	}
	// git order: a directory sorts as its name plus "/" ("a.b" < "a/" < "a0").
	// go-git's Encode refuses unsorted entries rather than sorting them.
	sort.Sort(object.TreeEntrySorter(t.Entries))
	h, err = storeObject(ed.objects, t)
	return h, false, err
}

// emptyTreeHash is git's empty tree.
var emptyTreeHash = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")

type encoder interface {
	Encode(plumbing.EncodedObject) error
}

// storeObject encodes o and writes it unless the store already has it.
func storeObject(objects storer.EncodedObjectStorer, o encoder) (plumbing.Hash, error) {
	obj := objects.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode %T: %w", o, err)
	}
	h := obj.Hash()
	if objects.HasEncodedObject(h) == nil {
		return h, nil
	}
	if _, err := objects.SetEncodedObject(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write %s %s: %w", obj.Type(), h, err)
	}
	return h, nil
}

// storeBlob writes data as a blob unless the store already has it.
func storeBlob(objects storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	h := plumbing.ComputeHash(plumbing.BlobObject, data)
	if objects.HasEncodedObject(h) == nil {
		return h, nil
	}
	obj := objects.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := objects.SetEncodedObject(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write blob %s: %w", h, err)
	}
	return h, nil
}
