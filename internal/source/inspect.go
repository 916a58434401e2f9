package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Change statuses: how a path in the work tree differs from the commit
// checked out.
const (
	// Modified: tracked, with other content, kind or executable bit.
	Modified = "modified"
	// Added: not in the commit but staged (git add).
	Added = "added"
	// Deleted: in the commit, gone from the work tree.
	Deleted = "deleted"
	// Untracked: neither in the commit nor staged, and not ignored.
	Untracked = "untracked"
)

// Info is what is being deployed from a work tree.
type Info struct {
	// Commit is HEAD's commit, full hex; "" before the first commit.
	Commit string
	// Ref is the branch checked out, e.g. "refs/heads/main"; "" when HEAD
	// is detached, as in a CI checkout.
	Ref string
	// Dirty is set when Changes is not empty: what is deployed is not
	// exactly Commit.
	Dirty bool
	// Changes are the differences between the work tree and Commit under
	// the inspected paths, sorted by path.
	Changes []Change
	// DiffHash identifies the uncommitted state: the hex SHA-256 over the
	// changed paths, their status, mode and work-tree content. The same
	// edits give the same hash in any clone; "" when Dirty is false.
	DiffHash string
}

// Change is one path that differs from the commit.
type Change struct {
	// Path is slash-separated and relative to the work tree root. An
	// untracked nested repository is one change, its directory with a
	// trailing slash, as git status shows it.
	Path string
	// Status is Modified, Added, Deleted or Untracked.
	Status string
}

// Inspect describes the work tree that contains repoDir (a subdirectory
// will do): HEAD's commit and branch, and how the work tree differs from
// HEAD under paths.
//
// paths are relative to the work tree root (see Root), files or
// directories, e.g. "environments" and "honua-gitops.yaml"; none (or ".")
// means the whole work tree. Files ignored by .gitignore, .git/info/exclude
// or core.excludesFile never count unless tracked, and files whose content
// git would see as unchanged after line-end conversion (core.autocrlf, the
// text and eol attributes) are unchanged. Submodules are not looked into.
// The index only tells staged new files (Added) from Untracked ones and,
// through its stat data as git uses it, spares reading unchanged files: a
// change staged and then undone in the work tree is no change.
//
// Outside a git work tree the error wraps ErrNotRepository.
func Inspect(ctx context.Context, repoDir string, paths []string) (*Info, error) {
	scopes, err := cleanPaths(paths)
	if err != nil {
		return nil, err
	}
	repo, err := open(repoDir)
	if err != nil {
		return nil, err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("source: work tree of %s: %w", repoDir, err)
	}
	info, tree, err := head(repo)
	if err != nil {
		return nil, err
	}
	cfg, err := readConfig(repo)
	if err != nil {
		return nil, err
	}
	idx, err := repo.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("source: read the index: %w", err)
	}

	w := &walker{
		ctx: ctx, root: wt.Filesystem.Root(), cfg: cfg,
		head: map[string]tracked{}, index: make(map[string]*index.Entry, len(idx.Entries)),
		dirs: map[string]bool{}, submodules: map[string]bool{}, seen: map[string]bool{},
		indexTime: idx.ModTime,
	}
	for _, e := range idx.Entries {
		if _, ok := w.index[e.Name]; !ok || e.Stage == stageMerged {
			w.index[e.Name] = e
		}
		w.addDirs(e.Name)
	}
	if tree != nil {
		for _, s := range scopes {
			if err := w.loadTree(tree, s); err != nil {
				return nil, err
			}
		}
	}
	if err := w.loadBase(repo); err != nil {
		return nil, err
	}
	for _, s := range scopes {
		if err := w.walkScope(s); err != nil {
			return nil, err
		}
	}
	for p := range w.head {
		if !w.seen[p] {
			if e := w.index[p]; e != nil && e.SkipWorktree {
				continue // left out by a sparse checkout, not deleted
			}
			w.changes = append(w.changes, change{Change: Change{Path: p, Status: Deleted}})
		}
	}

	slices.SortFunc(w.changes, func(a, b change) int { return strings.Compare(a.Path, b.Path) })
	if len(w.changes) > 0 {
		info.Dirty = true
		h := sha256.New()
		for _, c := range w.changes {
			info.Changes = append(info.Changes, c.Change)
			fmt.Fprintf(h, "%s\x00%s\x00%o\x00%x\n", c.Status, c.Path, uint32(c.mode), c.sum)
		}
		info.DiffHash = hex.EncodeToString(h.Sum(nil))
	}
	return info, nil
}

// cleanPaths normalises paths to slash-separated, root-relative form and
// drops those inside another; "" stands for the whole work tree.
func cleanPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		c := path.Clean(filepath.ToSlash(p))
		if path.IsAbs(c) || filepath.IsAbs(p) || c == ".." || strings.HasPrefix(c, "../") {
			return nil, fmt.Errorf("source: path %q is not inside the work tree; give it relative to the root", p)
		}
		if c == "." {
			return []string{""}, nil
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return []string{""}, nil
	}
	slices.Sort(out)
	out = slices.Compact(out)
	kept := out[:0]
	for _, p := range out {
		if len(kept) > 0 && strings.HasPrefix(p, kept[len(kept)-1]+"/") {
			continue
		}
		kept = append(kept, p)
	}
	return kept, nil
}

// head reads HEAD: the commit and branch for Info, and the commit's tree
// (nil before the first commit).
func head(repo *git.Repository) (*Info, *object.Tree, error) {
	info := &Info{}
	ref, err := repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return nil, nil, fmt.Errorf("source: read HEAD: %w", err)
	}
	if ref.Type() == plumbing.SymbolicReference {
		if ref.Target().IsBranch() {
			info.Ref = ref.Target().String()
		}
		ref, err = repo.Reference(ref.Target(), true)
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return info, nil, nil // unborn branch: nothing committed yet
		}
		if err != nil {
			return nil, nil, fmt.Errorf("source: resolve HEAD: %w", err)
		}
	}
	info.Commit = ref.Hash().String()
	commit, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, nil, fmt.Errorf("source: read HEAD commit %s: %w", info.Commit, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("source: read the tree of %s: %w", info.Commit, err)
	}
	return info, tree, nil
}

// stageMerged is the stage of an index entry outside a merge conflict.
// go-git's index.Merged is 1, the ancestor's stage, not this.
const stageMerged index.Stage = 0

// tracked is a file of HEAD's tree.
type tracked struct {
	hash plumbing.Hash
	mode filemode.FileMode
}

// change is a Change with what DiffHash covers.
type change struct {
	Change
	mode filemode.FileMode // 0 for deleted paths
	sum  []byte            // SHA-256 of the content; nil for deleted paths
}

// walker compares the work tree with HEAD's tree.
type walker struct {
	ctx  context.Context
	root string // work tree root, OS path
	cfg  gitConfig

	head       map[string]tracked      // HEAD's files under the scopes
	index      map[string]*index.Entry // the index, stage 0 preferred
	dirs       map[string]bool         // directories holding a tracked path
	submodules map[string]bool         // gitlinks in HEAD under the scopes
	indexTime  time.Time               // when the index was written; zero: unknown

	baseIgnore []ignoreRule // core.excludesFile, then info/exclude
	baseAttrs  []attrRule   // core.attributesFile
	infoAttrs  []attrRule   // info/attributes, above every .gitattributes

	seen    map[string]bool // HEAD files found in the work tree
	changes []change
	visited int
}

// dirState is what a directory's descendants inherit.
type dirState struct {
	ignored bool // the directory is ignored: untracked files below never count
	ignore  []ignoreRule
	attrs   []attrRule
}

func (w *walker) addDirs(p string) {
	for d := path.Dir(p); d != "." && !w.dirs[d]; d = path.Dir(d) {
		w.dirs[d] = true
	}
}

// loadTree records HEAD's files under scope.
func (w *walker) loadTree(tree *object.Tree, scope string) error {
	if scope != "" {
		e, err := tree.FindEntry(scope)
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("source: look up %s in HEAD: %w", scope, err)
		}
		if e.Mode != filemode.Dir {
			w.addTracked(scope, e)
			return nil
		}
		if tree, err = tree.Tree(scope); err != nil {
			return fmt.Errorf("source: read %s in HEAD: %w", scope, err)
		}
	}
	tw := object.NewTreeWalker(tree, true, nil)
	defer tw.Close()
	for {
		name, e, err := tw.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("source: walk HEAD's tree: %w", err)
		}
		if e.Mode != filemode.Dir {
			w.addTracked(path.Join(scope, name), &e)
		}
	}
}

func (w *walker) addTracked(p string, e *object.TreeEntry) {
	if e.Mode == filemode.Submodule {
		w.submodules[p] = true
		return
	}
	w.head[p] = tracked{hash: e.Hash, mode: e.Mode}
	w.addDirs(p)
}

// loadBase reads the ignore and attribute files that are not in the work
// tree.
func (w *walker) loadBase(repo *git.Repository) error {
	read := func(name string) ([]byte, error) {
		if name == "" {
			return nil, nil
		}
		data, err := readOptional(name)
		if err != nil {
			return nil, fmt.Errorf("source: read %s: %w", name, err)
		}
		return data, nil
	}
	readGitDir := func(name string) ([]byte, error) {
		st, ok := repo.Storer.(*filesystem.Storage)
		if !ok {
			return nil, nil
		}
		f, err := st.Filesystem().Open(name)
		if os.IsNotExist(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("source: read .git/%s: %w", name, err)
		}
		defer f.Close()
		return io.ReadAll(f)
	}
	data, err := read(w.cfg.excludesFile)
	if err != nil {
		return err
	}
	w.baseIgnore = parseIgnore("", data)
	if data, err = readGitDir("info/exclude"); err != nil {
		return err
	}
	w.baseIgnore = append(w.baseIgnore, parseIgnore("", data)...)
	if data, err = read(w.cfg.attributesFile); err != nil {
		return err
	}
	w.baseAttrs = parseAttributes("", data)
	if data, err = readGitDir("info/attributes"); err != nil {
		return err
	}
	w.infoAttrs = parseAttributes("", data)
	return nil
}

func (w *walker) abs(rel string) string {
	return filepath.Join(w.root, filepath.FromSlash(rel))
}

// enter returns the state inside directory rel: st plus its .gitignore and
// .gitattributes.
func (w *walker) enter(rel string, st dirState) (dirState, error) {
	if !st.ignored {
		data, err := readOptional(filepath.Join(w.abs(rel), ".gitignore"))
		if err != nil {
			return st, fmt.Errorf("source: read %s/.gitignore: %w", rel, err)
		}
		if rules := parseIgnore(rel, data); len(rules) > 0 {
			st.ignore = append(slices.Clip(st.ignore), rules...)
		}
	}
	data, err := readOptional(filepath.Join(w.abs(rel), ".gitattributes"))
	if err != nil {
		return st, fmt.Errorf("source: read %s/.gitattributes: %w", rel, err)
	}
	if rules := parseAttributes(rel, data); len(rules) > 0 {
		st.attrs = append(slices.Clip(st.attrs), rules...)
	}
	return st, nil
}

// walkScope compares the work tree under scope, first reading the ignore
// and attribute files of the directories above it.
func (w *walker) walkScope(scope string) error {
	st := dirState{ignore: w.baseIgnore, attrs: w.baseAttrs}
	if scope == "" {
		return w.walkDir("", st)
	}
	parts := strings.Split(scope, "/")
	for i := range parts {
		parent, rel := path.Join(parts[:i]...), path.Join(parts[:i+1]...)
		var err error
		if st, err = w.enter(parent, st); err != nil {
			return err
		}
		fi, err := os.Lstat(w.abs(rel))
		if os.IsNotExist(err) || isNotDir(err) {
			return nil // HEAD's files below, if any, are deleted
		}
		if err != nil {
			return fmt.Errorf("source: %w", err)
		}
		if !fi.IsDir() {
			if i == len(parts)-1 {
				return w.file(rel, fi, st)
			}
			return nil
		}
		if w.submodules[rel] {
			return nil
		}
		st.ignored = st.ignored || ignored(st.ignore, rel, true)
	}
	if !w.dirs[scope] && !st.ignored && isRepo(w.abs(scope)) {
		w.changes = append(w.changes, change{Change: Change{Path: scope + "/", Status: Untracked}})
		return nil
	}
	return w.walkDir(scope, st)
}

// walkDir enters directory rel and compares what is in it.
func (w *walker) walkDir(rel string, st dirState) error {
	st, err := w.enter(rel, st)
	if err != nil {
		return err
	}
	return w.walkDirIn(rel, st)
}

// walkDirIn compares what is in directory rel, whose state st already is.
func (w *walker) walkDirIn(rel string, st dirState) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(w.abs(rel))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	for _, e := range entries {
		if e.Name() == ".git" {
			continue
		}
		child := path.Join(rel, e.Name())
		if !e.IsDir() {
			fi, err := e.Info()
			if os.IsNotExist(err) {
				continue // removed while we looked
			}
			if err != nil {
				return fmt.Errorf("source: %w", err)
			}
			if err := w.file(child, fi, st); err != nil {
				return err
			}
			continue
		}
		if w.submodules[child] {
			continue
		}
		sub := st
		sub.ignored = st.ignored || ignored(st.ignore, child, true)
		if !w.dirs[child] {
			if sub.ignored {
				continue // nothing tracked below, and nothing else counts
			}
			if isRepo(w.abs(child)) {
				w.changes = append(w.changes, change{Change: Change{Path: child + "/", Status: Untracked}})
				continue
			}
		}
		if err := w.walkDir(child, sub); err != nil {
			return err
		}
	}
	return nil
}

// isRepo reports whether dir is the top of another repository, which git
// status shows as one untracked directory.
func isRepo(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil
}

// file compares the work-tree file rel with HEAD.
func (w *walker) file(rel string, fi os.FileInfo, st dirState) error {
	mode, ok := modeOf(fi)
	if !ok {
		return nil // sockets, pipes and devices are not content git tracks
	}
	w.visited++
	if w.visited%1024 == 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
	}
	if t, ok := w.head[rel]; ok {
		w.seen[rel] = true
		return w.compare(rel, fi, mode, t, st)
	}
	status := Added
	if _, staged := w.index[rel]; !staged {
		if st.ignored || ignored(st.ignore, rel, false) {
			return nil
		}
		status = Untracked
	}
	content, err := w.read(rel, mode)
	if err != nil {
		return err
	}
	w.add(rel, status, mode, content)
	return nil
}

// compare decides whether tracked file rel differs from HEAD's t.
func (w *walker) compare(rel string, fi os.FileInfo, mode filemode.FileMode, t tracked, st dirState) error {
	want := t.mode
	if want == filemode.Deprecated {
		want = filemode.Regular
	}
	if !w.cfg.fileMode && mode != filemode.Symlink && want != filemode.Symlink {
		mode = want // the executable bit does not count
	}
	if mode != want {
		content, err := w.read(rel, mode)
		if err != nil {
			return err
		}
		w.add(rel, Modified, mode, content)
		return nil
	}
	if h, ok := w.cached(rel, fi, mode); ok {
		if h == t.hash {
			return nil
		}
		content, err := w.read(rel, mode)
		if err != nil {
			return err
		}
		w.add(rel, Modified, mode, content)
		return nil
	}
	content, err := w.read(rel, mode)
	if err != nil {
		return err
	}
	if plumbing.ComputeHash(plumbing.BlobObject, content) == t.hash {
		return nil
	}
	if mode != filemode.Symlink && hasCRLF(content) &&
		convertsEOL(rel, content, w.cfg.autoCRLF, w.infoAttrs, st.attrs) &&
		plumbing.ComputeHash(plumbing.BlobObject, crlfToLF(content)) == t.hash {
		return nil
	}
	w.add(rel, Modified, mode, content)
	return nil
}

// cached returns the blob hash the index records for rel when the file's
// stat data still matches the index entry, as git trusts it: same size and
// modification time, and modified before the index was written (a file
// changed in the same instant as the index is "racily clean" and must be
// read).
func (w *walker) cached(rel string, fi os.FileInfo, mode filemode.FileMode) (plumbing.Hash, bool) {
	e := w.index[rel]
	if e == nil || w.indexTime.IsZero() || e.Stage != stageMerged || e.IntentToAdd || e.SkipWorktree {
		return plumbing.ZeroHash, false
	}
	if (e.Mode == filemode.Symlink) != (mode == filemode.Symlink) || e.Size != uint32(fi.Size()) ||
		!e.ModifiedAt.Equal(fi.ModTime()) || !fi.ModTime().Before(w.indexTime) {
		return plumbing.ZeroHash, false
	}
	return e.Hash, true
}

func (w *walker) read(rel string, mode filemode.FileMode) ([]byte, error) {
	if mode == filemode.Symlink {
		target, err := os.Readlink(w.abs(rel))
		if err != nil {
			return nil, fmt.Errorf("source: %w", err)
		}
		return []byte(filepath.ToSlash(target)), nil
	}
	data, err := os.ReadFile(w.abs(rel))
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	return data, nil
}

func (w *walker) add(rel, status string, mode filemode.FileMode, content []byte) {
	sum := sha256.Sum256(content)
	w.changes = append(w.changes, change{Change: Change{Path: rel, Status: status}, mode: mode, sum: sum[:]})
}

// modeOf maps a work-tree file to the git mode it would be committed with.
func modeOf(fi os.FileInfo) (filemode.FileMode, bool) {
	switch m := fi.Mode(); {
	case m&os.ModeSymlink != 0:
		return filemode.Symlink, true
	case m.IsRegular() && m&0o111 != 0:
		return filemode.Executable, true
	case m.IsRegular():
		return filemode.Regular, true
	}
	return 0, false
}

func hasCRLF(b []byte) bool { return bytes.Contains(b, []byte("\r\n")) }

func crlfToLF(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")) }
