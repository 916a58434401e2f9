package validate_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
)

// runPromptly runs validate and fails, instead of hanging, if it blocks: a
// regression that opens a FIFO for reading would otherwise wait forever.
func runPromptly(t *testing.T, dir string, fifos ...string) cmdtest.Result {
	t.Helper()
	done := make(chan cmdtest.Result, 1)
	go func() { done <- cmdtest.Run(t, nil, "validate", "--dir", dir) }()
	select {
	case r := <-done:
		return r
	case <-time.After(10 * time.Second):
		// Unblock the stuck reader so the test binary can finish.
		for _, f := range fifos {
			if w, err := os.OpenFile(f, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				_ = w.Close()
			}
		}
		t.Fatal("validate blocked reading a file that is not a regular file")
		return cmdtest.Result{}
	}
}

// Files that are not regular files, or are too large, are refused before
// anything reads them, with the file named, and validate exits 2.
func TestValidateRefusesUnreadableFiles(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) []string // returns FIFOs made
		file    string
		message string
	}{
		{
			name: "resource file is a symlink to a FIFO",
			setup: func(t *testing.T, dir string) []string {
				fifo := filepath.Join(dir, "environments/staging/pipe")
				require.NoError(t, syscall.Mkfifo(fifo, 0o644))
				require.NoError(t, os.Symlink("pipe", filepath.Join(dir, "environments/staging/zz-pipe.yaml")))
				return []string{fifo}
			},
			file:    "environments/staging/zz-pipe.yaml",
			message: "named pipe",
		},
		{
			name: "resource file is a FIFO",
			setup: func(t *testing.T, dir string) []string {
				fifo := filepath.Join(dir, "environments/common/zz-pipe.json")
				require.NoError(t, syscall.Mkfifo(fifo, 0o644))
				return []string{fifo}
			},
			file:    "environments/common/zz-pipe.json",
			message: "named pipe",
		},
		{
			name: "variables file is a symlink to a FIFO",
			setup: func(t *testing.T, dir string) []string {
				fifo := filepath.Join(dir, "pipe")
				require.NoError(t, syscall.Mkfifo(fifo, 0o644))
				vars := filepath.Join(dir, "environments/development/variables.yaml")
				require.NoError(t, os.Remove(vars))
				require.NoError(t, os.Symlink("../../pipe", vars))
				return []string{fifo}
			},
			file:    "environments/development/variables.yaml",
			message: "named pipe",
		},
		{
			name: "honua-gitops.yaml is a symlink to a FIFO",
			setup: func(t *testing.T, dir string) []string {
				fifo := filepath.Join(dir, "pipe")
				require.NoError(t, syscall.Mkfifo(fifo, 0o644))
				cfg := filepath.Join(dir, "honua-gitops.yaml")
				require.NoError(t, os.Remove(cfg))
				require.NoError(t, os.Symlink("pipe", cfg))
				return []string{fifo}
			},
			file:    "honua-gitops.yaml",
			message: "named pipe",
		},
		{
			name: "resource file is larger than the cap",
			setup: func(t *testing.T, dir string) []string {
				// A sparse file: the size is refused before reading.
				f, err := os.Create(filepath.Join(dir, "environments/common/zz-huge.yaml"))
				require.NoError(t, err)
				require.NoError(t, f.Truncate(32<<20+1))
				require.NoError(t, f.Close())
				return nil
			},
			file:    "environments/common/zz-huge.yaml",
			message: "33554433 bytes",
		},
		{
			name: "resource file is a directory named like a file",
			setup: func(t *testing.T, dir string) []string {
				require.NoError(t, os.Mkdir(filepath.Join(dir, "environments/common/zz-dir.d"), 0o755))
				require.NoError(t, os.Symlink("zz-dir.d", filepath.Join(dir, "environments/common/zz-dir.yaml")))
				return nil
			},
			file:    "", // a linked directory is walked, not read: it is simply empty
			message: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := cmdtest.CopyExample(t)
			fifos := tt.setup(t, dir)
			r := runPromptly(t, dir, fifos...)
			if tt.file == "" {
				assert.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
				return
			}
			assert.Equal(t, app.ExitInvalid, r.Code, r.Stdout+r.Stderr)
			assert.Contains(t, r.Stdout+r.Stderr, tt.file+": ")
			assert.Contains(t, r.Stdout+r.Stderr, tt.message)
		})
	}
}

// A symbolic link to a file elsewhere inside the repository is read as that
// file.
func TestValidateFollowsSymlinksInsideRepository(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	move := func(rel, to string) {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(to)), 0o755))
		require.NoError(t, os.Rename(filepath.Join(dir, rel), filepath.Join(dir, to)))
		target, err := filepath.Rel(filepath.Join(dir, filepath.Dir(rel)), filepath.Join(dir, to))
		require.NoError(t, err)
		require.NoError(t, os.Symlink(target, filepath.Join(dir, rel)))
	}
	move("environments/staging/services.yaml", "shared/staging-services.yaml")
	move("environments/development/variables.yaml", "shared/dev-variables.yaml")
	move("honua-gitops.yaml", "shared/honua-gitops.yaml")
	r := runPromptly(t, dir)
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
	assert.Equal(t, "valid: development, staging, production\n", r.Stdout)
}
