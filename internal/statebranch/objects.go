package statebranch

import (
	"errors"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// freshObjects retries a missing object once after reloading the packfile
// index. go-git's filesystem storage loads the list of packs once and keeps
// it, so objects that another process packed after that (git gc, git
// repack, a fetch in the same clone) look missing: their loose files are
// gone and their new pack is unknown.
type freshObjects struct {
	storer.EncodedObjectStorer
	reindex func()
}

func (f freshObjects) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := f.EncodedObjectStorer.EncodedObject(t, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		f.reindex()
		o, err = f.EncodedObjectStorer.EncodedObject(t, h)
	}
	return o, err
}
