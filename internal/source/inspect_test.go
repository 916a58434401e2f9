package source_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/source"
)

var configPaths = []string{"environments", "honua-gitops.yaml"}

func changes(pairs ...string) []source.Change {
	var out []source.Change
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, source.Change{Path: pairs[i], Status: pairs[i+1]})
	}
	return out
}

// backdate sets the modification time of every file under dir/rel an hour
// back, so that the index's stat data no longer vouches for them and their
// content must be read.
func backdate(t testing.TB, dir, rel string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	root := filepath.Join(dir, filepath.FromSlash(rel))
	require.NoError(t, filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		return os.Chtimes(p, old, old)
	}))
}

func TestInspectMatchesGitStatus(t *testing.T) {
	tests := []struct {
		name string
		// files are committed on top of baseFiles before setup runs.
		files map[string]string
		setup func(t *testing.T, dir string)
		paths []string
		want  []source.Change
		// noOracle is set where Inspect deliberately differs from git
		// status, which also reports the index.
		noOracle bool
	}{
		{name: "clean", setup: func(*testing.T, string) {}},
		{name: "modified file", setup: func(t *testing.T, dir string) {
			write(t, dir, "environments/dev/layers.yaml", "layers: []\n")
		}, want: changes("environments/dev/layers.yaml", source.Modified)},
		{name: "configuration file at the root", setup: func(t *testing.T, dir string) {
			write(t, dir, "honua-gitops.yaml", "environments: envs\n")
		}, want: changes("honua-gitops.yaml", source.Modified)},
		{name: "changes outside the paths do not count", setup: func(t *testing.T, dir string) {
			write(t, dir, "README.md", "# changed\n")
			write(t, dir, "notes.txt", "todo\n")
			write(t, dir, "environments-old/dev.yaml", "x: 1\n")
		}},
		{name: "whole work tree without paths", paths: []string{}, setup: func(t *testing.T, dir string) {
			write(t, dir, "README.md", "# changed\n")
			write(t, dir, "notes.txt", "todo\n")
		}, want: changes("README.md", source.Modified, "notes.txt", source.Untracked)},
		{name: "untracked and staged new files", setup: func(t *testing.T, dir string) {
			write(t, dir, "environments/dev/styles.yaml", "styles: []\n")
			write(t, dir, "environments/qa/layers.yaml", "layers: []\n")
			gittest.Git(t, dir, "add", "environments/qa/layers.yaml")
		}, want: changes("environments/dev/styles.yaml", source.Untracked, "environments/qa/layers.yaml", source.Added)},
		{name: "deleted, staged or not", setup: func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, "environments/prod/services.yaml")))
			gittest.Git(t, dir, "rm", "--quiet", "environments/staging/services.yaml")
		}, want: changes("environments/prod/services.yaml", source.Deleted, "environments/staging/services.yaml", source.Deleted)},
		{name: "staged change", setup: func(t *testing.T, dir string) {
			write(t, dir, "environments/dev/layers.yaml", "layers: []\n")
			gittest.Git(t, dir, "add", "--all")
		}, want: changes("environments/dev/layers.yaml", source.Modified)},
		{name: "staged change undone in the work tree is no change", noOracle: true, setup: func(t *testing.T, dir string) {
			write(t, dir, "environments/dev/layers.yaml", "layers: []\n")
			gittest.Git(t, dir, "add", "--all")
			write(t, dir, "environments/dev/layers.yaml", baseFiles["environments/dev/layers.yaml"])
		}},
		{name: "root .gitignore", files: map[string]string{".gitignore": "*.bak\n"}, setup: func(t *testing.T, dir string) {
			write(t, dir, "environments/dev/layers.yaml.bak", "old\n")
		}},
		{name: "subdirectory .gitignore applies below it only",
			files: map[string]string{"environments/prod/.gitignore": "secret.yaml\n"},
			setup: func(t *testing.T, dir string) {
				write(t, dir, "environments/prod/secret.yaml", "x\n")
				write(t, dir, "environments/prod/nested/secret.yaml", "x\n")
				write(t, dir, "environments/dev/secret.yaml", "x\n")
			}, want: changes("environments/dev/secret.yaml", source.Untracked)},
		{name: "negation re-includes a file", files: map[string]string{".gitignore": "*.tmp\n!keep.tmp\n"}, setup: func(t *testing.T, dir string) {
			write(t, dir, "environments/dev/a.tmp", "x\n")
			write(t, dir, "environments/dev/keep.tmp", "x\n")
		}, want: changes("environments/dev/keep.tmp", source.Untracked)},
		{name: "allow-list .gitignore with a negated directory pattern",
			files: map[string]string{"environments/dev/.gitignore": "*\n!*/\n!*.yaml\n!.gitignore\n"},
			setup: func(t *testing.T, dir string) {
				write(t, dir, "environments/dev/x/notes.txt", "x\n")
				write(t, dir, "environments/dev/x/roads.yaml", "x\n")
				write(t, dir, "environments/dev/README", "x\n")
			}, want: changes("environments/dev/x/roads.yaml", source.Untracked)},
		{name: "a file in an excluded directory cannot be re-included",
			files: map[string]string{".gitignore": "environments/build/\n!environments/build/keep.yaml\n"},
			setup: func(t *testing.T, dir string) {
				write(t, dir, "environments/build/keep.yaml", "x\n")
			}},
		{name: "dir/** excludes the contents, not the directory",
			files: map[string]string{".gitignore": "environments/gen/**\n!environments/gen/keep.yaml\n"},
			setup: func(t *testing.T, dir string) {
				write(t, dir, "environments/gen/keep.yaml", "x\n")
				write(t, dir, "environments/gen/other.yaml", "x\n")
			}, want: changes("environments/gen/keep.yaml", source.Untracked)},
		{name: "pattern zoo",
			files: map[string]string{".gitignore": "" +
				"# comment\n" +
				"/environments/dev/only-here.yaml\n" +
				"**/scratch/\n" +
				"environments/**/draft-*.yaml\n" +
				"*.sw[!x]\n" +
				"trailing.yaml   \n" +
				"\\#hash.yaml\n" +
				"windows.yaml\r\n"},
			setup: func(t *testing.T, dir string) {
				for _, p := range []string{
					"environments/dev/only-here.yaml", "environments/prod/only-here.yaml",
					"environments/scratch/a.yaml", "environments/prod/scratch/b.yaml",
					"environments/draft-1.yaml", "environments/prod/deep/draft-2.yaml", "environments/prod/final-1.yaml",
					"environments/dev/a.swp", "environments/dev/a.swx",
					"environments/dev/trailing.yaml", "environments/dev/#hash.yaml", "environments/dev/windows.yaml",
				} {
					write(t, dir, p, "x\n")
				}
			}, want: changes(
				"environments/dev/a.swx", source.Untracked,
				"environments/prod/final-1.yaml", source.Untracked,
				"environments/prod/only-here.yaml", source.Untracked,
			)},
		{name: "tracked file in an ignored directory still counts",
			setup: func(t *testing.T, dir string) {
				write(t, dir, "environments/cache/tracked.yaml", "v: 1\n")
				commit(t, dir, "track it")
				write(t, dir, ".gitignore", "cache/\n")
				commit(t, dir, "then ignore the directory")
				write(t, dir, "environments/cache/tracked.yaml", "v: 2\n")
				write(t, dir, "environments/cache/new.yaml", "x\n")
			}, want: changes("environments/cache/tracked.yaml", source.Modified)},
		{name: "info/exclude", setup: func(t *testing.T, dir string) {
			write(t, dir, ".git/info/exclude", "*.local\n")
			write(t, dir, "environments/dev/x.local", "x\n")
		}},
		{name: "global excludes file", setup: func(t *testing.T, dir string) {
			xdg := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", xdg)
			write(t, xdg, "git/ignore", "*.orig\n")
			write(t, dir, "environments/dev/layers.yaml.orig", "x\n")
		}},
		{name: "CRLF checkout with core.autocrlf", setup: func(t *testing.T, dir string) {
			gittest.Git(t, dir, "config", "core.autocrlf", "true")
			recheckout(t, dir)
			backdate(t, dir, "environments")
		}},
		{name: "CRLF checkout with core.autocrlf, then an edit", setup: func(t *testing.T, dir string) {
			gittest.Git(t, dir, "config", "core.autocrlf", "true")
			recheckout(t, dir)
			backdate(t, dir, "environments")
			write(t, dir, "environments/dev/layers.yaml", "layers:\r\n  - lakes\r\n")
		}, want: changes("environments/dev/layers.yaml", source.Modified)},
		{name: "CRLF checkout from eol=crlf attributes", files: map[string]string{".gitattributes": "*.yaml text eol=crlf\n"},
			setup: func(t *testing.T, dir string) {
				recheckout(t, dir)
				backdate(t, dir, "environments")
			}},
		{name: "CRLF without conversion is a change", setup: func(t *testing.T, dir string) {
			write(t, dir, "environments/dev/layers.yaml", "layers:\r\n  - roads\r\n")
		}, want: changes("environments/dev/layers.yaml", source.Modified)},
		{name: "binary attribute turns conversion off", files: map[string]string{".gitattributes": "*.yaml binary\n"},
			setup: func(t *testing.T, dir string) {
				gittest.Git(t, dir, "config", "core.autocrlf", "true")
				write(t, dir, "environments/dev/layers.yaml", "layers:\r\n  - roads\r\n")
			}, want: changes("environments/dev/layers.yaml", source.Modified)},
		{name: "executable bit", setup: func(t *testing.T, dir string) {
			require.NoError(t, os.Chmod(filepath.Join(dir, "environments/dev/layers.yaml"), 0o755))
		}, want: changes("environments/dev/layers.yaml", source.Modified)},
		{name: "executable bit with core.fileMode off", setup: func(t *testing.T, dir string) {
			gittest.Git(t, dir, "config", "core.fileMode", "false")
			require.NoError(t, os.Chmod(filepath.Join(dir, "environments/dev/layers.yaml"), 0o755))
		}},
		{name: "symlink retargeted and file turned into a symlink", setup: func(t *testing.T, dir string) {
			require.NoError(t, os.Symlink("layers.yaml", filepath.Join(dir, "environments/dev/link.yaml")))
			commit(t, dir, "link")
			require.NoError(t, os.Remove(filepath.Join(dir, "environments/dev/link.yaml")))
			require.NoError(t, os.Symlink("../prod/layers.yaml", filepath.Join(dir, "environments/dev/link.yaml")))
			require.NoError(t, os.Remove(filepath.Join(dir, "environments/prod/services.yaml")))
			require.NoError(t, os.Symlink("layers.yaml", filepath.Join(dir, "environments/prod/services.yaml")))
		}, want: changes("environments/dev/link.yaml", source.Modified, "environments/prod/services.yaml", source.Modified)},
		{name: "file replaced by a directory", setup: func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, "environments/prod/services.yaml")))
			write(t, dir, "environments/prod/services.yaml/wms.yaml", "x\n")
		}, want: changes("environments/prod/services.yaml", source.Deleted, "environments/prod/services.yaml/wms.yaml", source.Untracked)},
		{name: "nested repository", setup: func(t *testing.T, dir string) {
			nested := newRepo(t, map[string]string{"a.yaml": "x\n"})
			require.NoError(t, os.Rename(nested, filepath.Join(dir, "environments/vendor")))
		}, want: changes("environments/vendor/", source.Untracked)},
		{name: "deleted directory given as a path", paths: []string{"environments/prod"}, setup: func(t *testing.T, dir string) {
			require.NoError(t, os.RemoveAll(filepath.Join(dir, "environments/prod")))
		}, want: changes("environments/prod/layers.yaml", source.Deleted, "environments/prod/services.yaml", source.Deleted)},
		{name: "ignored directory given as a path", paths: []string{"environments/tmp"}, files: map[string]string{".gitignore": "tmp/\n"},
			setup: func(t *testing.T, dir string) {
				write(t, dir, "environments/tmp/a.yaml", "x\n")
			}},
		{name: "path that does not exist", paths: []string{"nowhere", "environments/nowhere.yaml"}, setup: func(*testing.T, string) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newRepo(t, baseFiles)
			if len(tt.files) > 0 {
				gittest.WriteFiles(t, dir, tt.files)
				commit(t, dir, "files")
			}
			tt.setup(t, dir)
			paths := configPaths
			if tt.paths != nil {
				paths = tt.paths
			}

			info, err := source.Inspect(context.Background(), dir, paths)
			require.NoError(t, err)
			assert.Equal(t, tt.want, info.Changes)
			assert.Equal(t, len(tt.want) > 0, info.Dirty)
			assert.Equal(t, len(tt.want) > 0, info.DiffHash != "")
			if !tt.noOracle {
				assert.Equal(t, tt.want, gitStatus(t, dir, paths), "git status agrees")
			}
		})
	}
}

// recheckout writes the work tree again from the index, as a fresh clone
// would, applying the line-end configuration.
func recheckout(t *testing.T, dir string) {
	t.Helper()
	gittest.Git(t, dir, "rm", "--quiet", "-r", "--cached", ".")
	gittest.Git(t, dir, "reset", "--quiet", "--hard")
	data, err := os.ReadFile(filepath.Join(dir, "environments/dev/layers.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(data), "\r\n", "the checkout has CRLF line ends")
}

func TestInspectRacyEdit(t *testing.T) {
	dir := newRepo(t, baseFiles)
	file := filepath.Join(dir, "environments/dev/layers.yaml")
	fi, err := os.Stat(file)
	require.NoError(t, err)
	// Same size, same modification time as the index records, and the
	// index written in that same instant: only the content can tell.
	write(t, dir, "environments/dev/layers.yaml", "layers:\n  - lakes\n"[:fi.Size()])
	require.NoError(t, os.Chtimes(file, fi.ModTime(), fi.ModTime()))
	require.NoError(t, os.Chtimes(filepath.Join(dir, ".git/index"), fi.ModTime(), fi.ModTime()))

	info, err := source.Inspect(context.Background(), dir, configPaths)
	require.NoError(t, err)
	assert.Equal(t, changes("environments/dev/layers.yaml", source.Modified), info.Changes)
	assert.Equal(t, info.Changes, gitStatus(t, dir, configPaths))
}

func TestInspectHead(t *testing.T) {
	ctx := context.Background()
	t.Run("branch", func(t *testing.T) {
		dir := newRepo(t, baseFiles)
		info, err := source.Inspect(ctx, dir, configPaths)
		require.NoError(t, err)
		assert.Equal(t, &source.Info{Commit: gittest.Git(t, dir, "rev-parse", "HEAD"), Ref: "refs/heads/main"}, info)
	})
	t.Run("detached, as in CI", func(t *testing.T) {
		dir := newRepo(t, baseFiles)
		gittest.Git(t, dir, "checkout", "--quiet", "--detach")
		info, err := source.Inspect(ctx, dir, configPaths)
		require.NoError(t, err)
		assert.Equal(t, gittest.Git(t, dir, "rev-parse", "HEAD"), info.Commit)
		assert.Empty(t, info.Ref)
	})
	t.Run("before the first commit", func(t *testing.T) {
		dir := t.TempDir()
		gittest.Git(t, dir, "init", "--quiet", "--initial-branch=trunk")
		write(t, dir, "environments/dev/layers.yaml", "x\n")
		write(t, dir, "honua-gitops.yaml", "x\n")
		gittest.Git(t, dir, "add", "honua-gitops.yaml")
		info, err := source.Inspect(ctx, dir, configPaths)
		require.NoError(t, err)
		assert.Empty(t, info.Commit)
		assert.Equal(t, "refs/heads/trunk", info.Ref)
		assert.Equal(t, changes("environments/dev/layers.yaml", source.Untracked, "honua-gitops.yaml", source.Added), info.Changes)
		assert.Equal(t, info.Changes, gitStatus(t, dir, configPaths))
	})
	t.Run("from a subdirectory", func(t *testing.T) {
		dir := newRepo(t, baseFiles)
		write(t, dir, "environments/dev/layers.yaml", "layers: []\n")
		info, err := source.Inspect(ctx, filepath.Join(dir, "environments", "dev"), configPaths)
		require.NoError(t, err)
		assert.Equal(t, changes("environments/dev/layers.yaml", source.Modified), info.Changes)
		root, err := source.Root(filepath.Join(dir, "environments", "dev"))
		require.NoError(t, err)
		assert.Equal(t, dir, root)
	})
	t.Run("linked work tree", func(t *testing.T) {
		dir := newRepo(t, baseFiles)
		linked := filepath.Join(t.TempDir(), "linked")
		gittest.Git(t, dir, "worktree", "add", "--quiet", "-b", "other", linked)
		write(t, linked, "environments/dev/layers.yaml", "layers: []\n")
		info, err := source.Inspect(ctx, linked, configPaths)
		require.NoError(t, err)
		assert.Equal(t, "refs/heads/other", info.Ref)
		assert.Equal(t, changes("environments/dev/layers.yaml", source.Modified), info.Changes)
	})
}

func TestInspectErrors(t *testing.T) {
	ctx := context.Background()
	_, err := source.Inspect(ctx, t.TempDir(), configPaths)
	require.ErrorIs(t, err, source.ErrNotRepository)
	_, err = source.Root(t.TempDir())
	require.ErrorIs(t, err, source.ErrNotRepository)

	dir := newRepo(t, baseFiles)
	for _, p := range []string{"../elsewhere", "/etc", "environments/../../x"} {
		_, err := source.Inspect(ctx, dir, []string{p})
		assert.ErrorContains(t, err, "is not inside the work tree", p)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = source.Inspect(cancelled, dir, configPaths)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestDiffHash(t *testing.T) {
	ctx := context.Background()
	hash := func(edit func(dir string)) string {
		dir := newRepo(t, baseFiles)
		edit(dir)
		info, err := source.Inspect(ctx, dir, configPaths)
		require.NoError(t, err)
		return info.DiffHash
	}
	edit := func(content string) func(string) {
		return func(dir string) { write(t, dir, "environments/dev/layers.yaml", content) }
	}
	a := hash(edit("layers: []\n"))
	assert.Len(t, a, 64)
	assert.Equal(t, a, hash(edit("layers: []\n")), "the same edit in another clone")
	assert.NotEqual(t, a, hash(edit("layers: [lakes]\n")), "another edit")
	assert.NotEqual(t, a, hash(func(dir string) {
		edit("layers: []\n")(dir)
		gittest.Git(t, dir, "add", "--all")
		write(t, dir, "environments/dev/new.yaml", "x\n")
	}), "one more file")
	assert.NotEqual(t, hash(func(dir string) { write(t, dir, "environments/dev/x.yaml", "x\n") }),
		hash(func(dir string) { write(t, dir, "environments/dev/x.yaml", "x\n"); gittest.Git(t, dir, "add", "--all") }),
		"untracked and added differ")
	assert.Empty(t, hash(func(string) {}), "clean")
}
