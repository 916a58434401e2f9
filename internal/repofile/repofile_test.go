package repofile_test

import (
	"context"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/repofile"
)

// repo makes a repository with a.yaml and sub/b.yaml, and a directory
// outside it holding secret.yaml.
func repo(t *testing.T) (root, outside string) {
	t.Helper()
	root, outside = t.TempDir(), t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "a.yaml"), []byte("a: 1\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "sub/b.yaml"), []byte("b: 2\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("token: hunter2\n"), 0o644))
	return root, outside
}

func TestReadFile(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, root, outside string)
		file    string
		want    string // contents when the read succeeds
		reason  error  // errors.Is target when it fails
		message string
	}{
		{name: "regular file", file: "a.yaml", want: "a: 1\n"},
		{name: "nested file", file: "sub/b.yaml", want: "b: 2\n"},
		{
			name: "symlink to a file inside",
			setup: func(t *testing.T, root, _ string) {
				require.NoError(t, os.Symlink("../a.yaml", filepath.Join(root, "sub/link.yaml")))
			},
			file: "sub/link.yaml", want: "a: 1\n",
		},
		{
			name: "symlinked directory inside",
			setup: func(t *testing.T, root, _ string) {
				require.NoError(t, os.Symlink("sub", filepath.Join(root, "alias")))
			},
			file: "alias/b.yaml", want: "b: 2\n",
		},
		{
			name: "symlink to a file outside",
			setup: func(t *testing.T, root, outside string) {
				require.NoError(t, os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(root, "leak.yaml")))
			},
			file: "leak.yaml", reason: repofile.ErrOutside, message: "symbolic link points outside the repository",
		},
		{
			name: "relative symlink climbing out",
			setup: func(t *testing.T, root, outside string) {
				rel, err := filepath.Rel(filepath.Join(root, "sub"), filepath.Join(outside, "secret.yaml"))
				require.NoError(t, err)
				require.NoError(t, os.Symlink(rel, filepath.Join(root, "sub/leak.yaml")))
			},
			file: "sub/leak.yaml", reason: repofile.ErrOutside, message: "outside the repository",
		},
		{
			name: "directory symlinked to outside",
			setup: func(t *testing.T, root, outside string) {
				require.NoError(t, os.Symlink(outside, filepath.Join(root, "ext")))
			},
			file: "ext/secret.yaml", reason: repofile.ErrOutside, message: "outside the repository",
		},
		{name: "path with ..", file: "../x.yaml", reason: repofile.ErrOutside, message: "path leaves the repository"},
		{name: "missing", file: "nope.yaml", reason: fs.ErrNotExist},
		{
			name: "dangling symlink",
			setup: func(t *testing.T, root, _ string) {
				require.NoError(t, os.Symlink("gone.yaml", filepath.Join(root, "dangling.yaml")))
			},
			file: "dangling.yaml", reason: repofile.ErrBrokenLink, message: "broken or looping symbolic link",
		},
		{
			name: "FIFO",
			setup: func(t *testing.T, root, _ string) {
				require.NoError(t, syscall.Mkfifo(filepath.Join(root, "pipe.yaml"), 0o644))
			},
			file: "pipe.yaml", reason: repofile.ErrNotRegular, message: "file is a named pipe (FIFO), not a regular file",
		},
		{
			name: "symlink to a FIFO",
			setup: func(t *testing.T, root, _ string) {
				require.NoError(t, syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644))
				require.NoError(t, os.Symlink("pipe", filepath.Join(root, "p.yaml")))
			},
			file: "p.yaml", reason: repofile.ErrNotRegular, message: "named pipe",
		},
		{
			name: "socket",
			setup: func(t *testing.T, root, _ string) {
				// Unix socket paths are short: listen in a short directory
				// and link to it from the repository.
				dir, err := os.MkdirTemp("", "rf")
				require.NoError(t, err)
				t.Cleanup(func() { _ = os.RemoveAll(dir) })
				l, err := net.Listen("unix", filepath.Join(dir, "s"))
				require.NoError(t, err)
				t.Cleanup(func() { _ = l.Close() })
				require.NoError(t, os.Rename(filepath.Join(dir, "s"), filepath.Join(root, "sock.yaml")))
			},
			file: "sock.yaml", reason: repofile.ErrNotRegular, message: "file is a socket",
		},
		{
			name: "device (outside the repository)",
			setup: func(t *testing.T, root, _ string) {
				require.NoError(t, os.Symlink("/dev/null", filepath.Join(root, "null.yaml")))
			},
			file: "null.yaml", reason: repofile.ErrOutside, message: "outside the repository",
		},
		{name: "directory", file: "sub", reason: repofile.ErrNotRegular, message: "file is a directory"},
		{
			name: "larger than the cap",
			setup: func(t *testing.T, root, _ string) {
				f, err := os.Create(filepath.Join(root, "huge.yaml"))
				require.NoError(t, err)
				require.NoError(t, f.Truncate(repofile.MaxSize+1))
				require.NoError(t, f.Close())
			},
			file: "huge.yaml", reason: repofile.ErrTooLarge, message: "file is 33554433 bytes, larger than the limit of 33554432 bytes",
		},
		{
			name: "exactly the cap",
			setup: func(t *testing.T, root, _ string) {
				f, err := os.Create(filepath.Join(root, "max.yaml"))
				require.NoError(t, err)
				require.NoError(t, f.Truncate(repofile.MaxSize))
				require.NoError(t, f.Close())
			},
			file: "max.yaml", want: string(make([]byte, repofile.MaxSize)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, outside := repo(t)
			if tt.setup != nil {
				tt.setup(t, root, outside)
			}
			r, err := repofile.Open(root)
			require.NoError(t, err)
			done := make(chan struct{})
			var data []byte
			go func() { defer close(done); data, err = r.ReadFile(context.Background(), tt.file) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("ReadFile blocked")
			}
			if tt.reason == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.want, string(data))
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.reason)
			assert.Nil(t, data)
			var re *repofile.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.file, re.File, "the error names the file")
			assert.Contains(t, re.Message, tt.message)
			assert.NotContains(t, err.Error(), "hunter2")
			assert.Equal(t, tt.file, re.Diagnostic().Pos.File)
		})
	}
}

func TestReadFileHonoursCancellation(t *testing.T) {
	root, _ := repo(t)
	r, err := repofile.Open(root)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = r.ReadFile(ctx, "a.yaml")
	assert.ErrorIs(t, err, context.Canceled)
}

// A repository reached through a symbolic link is still one repository:
// links inside it resolve against the real root.
func TestRootBehindSymlink(t *testing.T) {
	root, _ := repo(t)
	link := filepath.Join(t.TempDir(), "checkout")
	require.NoError(t, os.Symlink(root, link))
	require.NoError(t, os.Symlink("../a.yaml", filepath.Join(root, "sub/link.yaml")))
	r, err := repofile.Open(link)
	require.NoError(t, err)
	data, err := r.ReadFile(context.Background(), "sub/link.yaml")
	require.NoError(t, err)
	assert.Equal(t, "a: 1\n", string(data))
}

func TestOpenMissingRoot(t *testing.T) {
	_, err := repofile.Open(filepath.Join(t.TempDir(), "nope"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestList(t *testing.T) {
	root, outside := repo(t)
	require.NoError(t, os.WriteFile(filepath.Join(root, "sub/readme.md"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, ".hidden.yaml"), nil, 0o644))
	require.NoError(t, os.Symlink("..", filepath.Join(root, "sub/up")))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "ext")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(root, "pipe.yaml"), 0o644))
	r, err := repofile.Open(root)
	require.NoError(t, err)
	files, d := r.List(".", func(rel string) bool { return filepath.Ext(rel) == ".yaml" })
	assert.Equal(t, []string{"a.yaml", "pipe.yaml", "sub/b.yaml"}, files, "a FIFO is listed so that reading it reports it")
	require.Len(t, d, 1)
	assert.Equal(t, "ext: symbolic link points outside the repository (copy the file into the repository instead of linking to it)", d[0].String())

	files, d = r.List("missing", func(string) bool { return true })
	assert.Empty(t, files)
	assert.Empty(t, d)
}
