package loader

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
)

// listFiles returns the configuration files under dir (relative to root),
// sorted by path. It never leaves the repository: a symlink whose target is
// outside root is an error, symlinked directories are followed at most once
// (so a loop cannot hang), and files other than .yaml, .yml and .json are
// ignored. skip lists relative paths to leave out (variables files).
func listFiles(root, dir string, skip map[string]bool) ([]string, diag.List) {
	var d diag.List
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		d.Addf(diag.Pos{File: dir}, "", "cannot resolve repository root: %v", err)
		return nil, d
	}
	start := filepath.Join(root, filepath.FromSlash(dir))
	info, err := os.Stat(start)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // an environment may have no directory of its own yet
	}
	if err != nil {
		d.Addf(diag.Pos{File: dir}, "", "cannot read: %v", err)
		return nil, d
	}
	if !info.IsDir() {
		d.Addf(diag.Pos{File: dir}, "point the environment path at a directory", "%s is not a directory", dir)
		return nil, d
	}
	w := walker{root: root, realRoot: realRoot, skip: skip, visited: map[string]bool{}}
	w.walk(dir)
	slices.Sort(w.files)
	return w.files, append(d, w.diags...)
}

type walker struct {
	root, realRoot string
	skip           map[string]bool
	visited        map[string]bool
	files          []string
	diags          diag.List
}

func (w *walker) inside(real string) bool {
	rel, err := filepath.Rel(w.realRoot, real)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func (w *walker) walk(dir string) {
	abs := filepath.Join(w.root, filepath.FromSlash(dir))
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		w.diags.Addf(diag.Pos{File: dir}, "fix or remove the symbolic link", "cannot resolve directory: %v", err)
		return
	}
	if !w.inside(real) {
		w.diags.Addf(diag.Pos{File: dir}, "keep configuration inside the repository", "directory resolves outside the repository")
		return
	}
	if w.visited[real] {
		return // reached again through a symlink: already read
	}
	w.visited[real] = true
	entries, err := os.ReadDir(abs)
	if err != nil {
		w.diags.Addf(diag.Pos{File: dir}, "", "cannot read directory: %v", err)
		return
	}
	for _, e := range entries {
		rel := path.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), ".") {
			continue // hidden files and directories (.git, editor files)
		}
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(filepath.Join(w.root, filepath.FromSlash(rel)))
			if err != nil {
				w.diags.Addf(diag.Pos{File: rel}, "fix or remove the symbolic link", "broken or looping symbolic link: %v", unwrapPathErr(err))
				continue
			}
			if !w.inside(target) {
				w.diags.Addf(diag.Pos{File: rel}, "copy the file into the repository instead of linking to it", "symbolic link points outside the repository")
				continue
			}
			st, err := os.Stat(target)
			if err != nil {
				w.diags.Addf(diag.Pos{File: rel}, "", "cannot read: %v", err)
				continue
			}
			if st.IsDir() {
				w.walk(rel)
				continue
			}
			mode = st.Mode().Type()
		}
		switch {
		case e.IsDir():
			w.walk(rel)
		case mode.IsRegular() || mode&fs.ModeSymlink != 0 || mode == 0:
			if _, ok := document.FormatOf(e.Name()); ok && !w.skip[rel] {
				w.files = append(w.files, rel)
			}
		}
	}
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
