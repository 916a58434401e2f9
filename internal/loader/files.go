package loader

import (
	"context"
	"errors"
	"io/fs"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/repofile"
)

// repo returns the repository root, resolved once; every file the loader
// reads goes through it so none can leave the repository or block.
func (l *Loader) repo() (*repofile.Root, error) {
	l.rootOnce.Do(func() { l.root, l.rootErr = repofile.Open(l.cfg.Root) })
	return l.root, l.rootErr
}

// listFiles returns the configuration files under dir (relative to the
// root), sorted by path: .yaml, .yml and .json files except those in skip
// (variables files). See repofile.Root.List for how links are treated.
func (l *Loader) listFiles(dir string, skip map[string]bool) ([]string, diag.List) {
	root, err := l.repo()
	if err != nil {
		var d diag.List
		d.Addf(diag.Pos{File: dir}, "", "%v", err)
		return nil, d
	}
	return root.List(dir, func(rel string) bool {
		_, ok := document.FormatOf(rel)
		return ok && !skip[rel]
	})
}

// readFile reads rel from the repository; missing reports a file that does
// not exist (variables files are optional), any other problem is a
// diagnostic naming the file.
func (l *Loader) readFile(ctx context.Context, rel string) (data []byte, missing bool, d diag.List) {
	root, err := l.repo()
	if err == nil {
		data, err = root.ReadFile(ctx, rel)
	}
	switch {
	case err == nil:
		return data, false, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, true, nil
	}
	repofile.AddTo(&d, rel, err)
	return nil, false, d
}
