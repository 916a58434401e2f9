// Package repofile is the one way the tool reads files of the configuration
// repository (honua-gitops.yaml, variables files, resource files). A file is
// read only if, after following symbolic links, it is a regular file inside
// the repository and no larger than MaxSize; anything else is an *Error that
// names the file and says why. Checking the type before opening means a FIFO
// is never opened for reading, so a hostile link cannot block a run.
package repofile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/honua-io/honua-gitops/internal/diag"
)

// MaxSize is the largest file read, in bytes (32 MiB): Honua accepts
// requests up to 30,000,000 bytes, so no valid configuration file is larger.
const MaxSize = 32 << 20

// readChunk is how much is read between checks of the context.
const readChunk = 1 << 20

// Reasons a file is refused; test them with errors.Is.
var (
	// ErrOutside means the file resolves outside the repository.
	ErrOutside = errors.New("outside the repository")
	// ErrNotRegular means the file is a FIFO, device, socket or directory.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge means the file is larger than MaxSize.
	ErrTooLarge = errors.New("file too large")
	// ErrBrokenLink means a symbolic link is dangling or loops.
	ErrBrokenLink = errors.New("broken symbolic link")
)

// Error is a file the repository reader refused or failed to read.
type Error struct {
	// File is the path relative to the repository root, with forward slashes.
	File string
	// Message says what is wrong, lowercase, for a diagnostic.
	Message string
	// Hint says how to fix it; may be empty.
	Hint string
	// Err is one of the Err* reasons, fs.ErrNotExist, a context error or the
	// underlying system error.
	Err error
}

func (e *Error) Error() string { return e.File + ": " + e.Message }

// Unwrap returns the reason.
func (e *Error) Unwrap() error { return e.Err }

// Diagnostic renders the error as a diagnostic at the file.
func (e *Error) Diagnostic() diag.Diagnostic {
	return diag.Diagnostic{Pos: diag.Pos{File: e.File}, Message: e.Message, Hint: e.Hint}
}

// AddTo appends err to d as a diagnostic at file: an *Error keeps its own
// message and hint, anything else becomes "cannot read".
func AddTo(d *diag.List, file string, err error) {
	var re *Error
	if errors.As(err, &re) {
		*d = append(*d, re.Diagnostic())
		return
	}
	d.Addf(diag.Pos{File: file}, "", "cannot read: %v", err)
}

// Root is a repository root, resolved once.
type Root struct {
	dir  string // as given
	real string // after symbolic links
}

// Open resolves the repository root dir.
func Open(dir string) (*Root, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot resolve repository root %s: %w", dir, err)
	}
	return &Root{dir: dir, real: real}, nil
}

func (r *Root) abs(rel string) string { return filepath.Join(r.dir, filepath.FromSlash(rel)) }

// inside reports whether real, a path without symbolic links, is the root or
// below it.
func (r *Root) inside(real string) bool {
	rel, err := filepath.Rel(r.real, real)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// resolve follows rel's symbolic links and checks the result stays inside
// the repository. It returns the resolved path and its (Lstat) info. A
// missing file is an *Error wrapping fs.ErrNotExist.
func (r *Root) resolve(rel string) (string, fs.FileInfo, error) {
	if rel == "" || path.IsAbs(rel) || filepath.IsAbs(rel) || slices.Contains(strings.Split(path.Clean(rel), "/"), "..") {
		return "", nil, &Error{File: rel, Message: "path leaves the repository", Hint: "paths are relative to the repository root", Err: ErrOutside}
	}
	abs := r.abs(rel)
	if _, err := os.Lstat(abs); err != nil {
		return "", nil, &Error{File: rel, Message: "cannot read: " + unwrapPathErr(err).Error(), Err: err}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		// The name exists but its target does not, or links loop: saying so
		// beats treating a typo in a link as an absent file.
		return "", nil, &Error{File: rel, Message: "broken or looping symbolic link: " + unwrapPathErr(err).Error(),
			Hint: "fix or remove the symbolic link", Err: fmt.Errorf("%w: %w", ErrBrokenLink, err)}
	}
	if !r.inside(real) {
		return "", nil, &Error{File: rel, Message: "symbolic link points outside the repository",
			Hint: "copy the file into the repository instead of linking to it", Err: ErrOutside}
	}
	// real has no symbolic links left, so Lstat describes the file itself.
	st, err := os.Lstat(real)
	if err != nil {
		return "", nil, &Error{File: rel, Message: "cannot read: " + unwrapPathErr(err).Error(), Err: err}
	}
	return real, st, nil
}

// ReadFile returns the contents of rel, a slash-separated path relative to
// the root. It refuses, before opening anything, a file that resolves
// outside the repository, is not a regular file, or is larger than MaxSize,
// and stops early when ctx is cancelled. Every error is an *Error; a file
// that does not exist wraps fs.ErrNotExist.
func (r *Root) ReadFile(ctx context.Context, rel string) ([]byte, error) {
	real, st, err := r.resolve(rel)
	if err != nil {
		return nil, err
	}
	if err := checkFile(rel, st); err != nil {
		return nil, err
	}
	// O_NONBLOCK: should the file be swapped for a FIFO after the check,
	// opening it still cannot block.
	f, err := os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, &Error{File: rel, Message: "cannot read: " + unwrapPathErr(err).Error(), Err: err}
	}
	defer f.Close()
	if st2, err := f.Stat(); err != nil || !os.SameFile(st, st2) {
		return nil, &Error{File: rel, Message: "file changed while it was being read", Hint: "run again", Err: ErrNotRegular}
	}
	data := make([]byte, 0, st.Size()+1)
	lr := io.LimitReader(f, MaxSize+1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, &Error{File: rel, Message: "reading stopped: " + err.Error(), Err: err}
		}
		n, err := lr.Read(data[len(data):min(cap(data), len(data)+readChunk)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &Error{File: rel, Message: "cannot read: " + unwrapPathErr(err).Error(), Err: err}
		}
		if len(data) == cap(data) {
			data = slices.Grow(data, readChunk)
		}
	}
	if len(data) > MaxSize {
		return nil, tooLarge(rel, int64(len(data)), "more than")
	}
	return data, nil
}

// checkFile refuses anything but a regular file of at most MaxSize bytes.
func checkFile(rel string, st fs.FileInfo) error {
	if !st.Mode().IsRegular() {
		return &Error{File: rel, Message: "file is " + describe(st.Mode()) + ", not a regular file",
			Hint: "configuration files must be regular files", Err: ErrNotRegular}
	}
	if st.Size() > MaxSize {
		return tooLarge(rel, st.Size(), "")
	}
	return nil
}

func tooLarge(rel string, size int64, qualifier string) error {
	if qualifier != "" {
		qualifier += " "
	}
	return &Error{File: rel, Message: fmt.Sprintf("file is %s%d bytes, larger than the limit of %d bytes (32 MiB)", qualifier, size, MaxSize),
		Hint: "split it into several files; Honua accepts requests up to 30,000,000 bytes", Err: ErrTooLarge}
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
