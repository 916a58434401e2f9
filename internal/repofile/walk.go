package repofile

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diag"
)

// List returns the files under dir (slash-separated, relative to the root)
// for which keep returns true, sorted by path. It never leaves the
// repository: a symbolic link whose target is outside is a diagnostic,
// symlinked directories are followed at most once (so a loop cannot hang),
// and hidden entries (.git, editor files) are skipped. A missing dir yields
// nothing. Files are listed whatever their type; ReadFile refuses those that
// are not regular, so a FIFO named like a configuration file is reported
// rather than silently ignored.
func (r *Root) List(dir string, keep func(rel string) bool) ([]string, diag.List) {
	var d diag.List
	info, err := os.Stat(r.abs(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		d.Addf(diag.Pos{File: dir}, "", "cannot read: %v", unwrapPathErr(err))
		return nil, d
	}
	if !info.IsDir() {
		d.Addf(diag.Pos{File: dir}, "point the environment path at a directory", "%s is not a directory", dir)
		return nil, d
	}
	w := walker{root: r, keep: keep, visited: map[string]bool{}}
	w.walk(dir)
	slices.Sort(w.files)
	return w.files, append(d, w.diags...)
}

type walker struct {
	root    *Root
	keep    func(rel string) bool
	visited map[string]bool
	files   []string
	diags   diag.List
}

func (w *walker) walk(dir string) {
	real, _, err := w.root.resolve(dir)
	if err != nil {
		AddTo(&w.diags, dir, err)
		return
	}
	if w.visited[real] {
		return // reached again through a symlink: already read
	}
	w.visited[real] = true
	entries, err := os.ReadDir(w.root.abs(dir))
	if err != nil {
		w.diags.Addf(diag.Pos{File: dir}, "", "cannot read directory: %v", unwrapPathErr(err))
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue // hidden files and directories (.git, editor files)
		}
		rel := path.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			_, st, err := w.root.resolve(rel)
			if err != nil {
				AddTo(&w.diags, rel, err)
				continue
			}
			isDir = st.IsDir()
		}
		switch {
		case isDir:
			w.walk(rel)
		case w.keep(rel):
			w.files = append(w.files, rel)
		}
	}
}
