package cmdutil

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/state"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// EnvFlags are the environment-selection flags shared by commands.
type EnvFlags struct {
	Dir string
	Env string
	All bool
}

// AddEnvFlags registers --dir, --env and --all.
func AddEnvFlags(cmd *cobra.Command, f *EnvFlags, allHelp string) {
	cmd.Flags().StringVarP(&f.Dir, "dir", "d", ".", "configuration repository `directory`")
	cmd.Flags().StringVarP(&f.Env, "env", "e", "", "environment `name`")
	if allHelp != "" {
		cmd.Flags().BoolVar(&f.All, "all", false, allHelp)
	}
}

// StateFlags select where recorded state is read.
type StateFlags struct {
	File string
	Ref  string
}

// AddStateFlags registers --state-file and --state-ref.
func AddStateFlags(cmd *cobra.Command, f *StateFlags) {
	cmd.Flags().StringVar(&f.File, "state-file", "", "read recorded state from a snapshot `file`")
	cmd.Flags().StringVar(&f.Ref, "state-ref", "", "read recorded state from <env>/snapshot.json at a git `ref`")
	cmd.MarkFlagsMutuallyExclusive("state-file", "state-ref")
}

// RecordedReader picks the recorded-state source: a file, a git ref, or the
// local store of the repository at dir (empty outside a git repository).
func RecordedReader(dir string, f StateFlags, envCount int) (usecase.RecordedReader, error) {
	switch {
	case f.File != "":
		if envCount > 1 {
			return nil, app.FlagErrorf("`--state-file` holds one environment's snapshot; name it with `--env`")
		}
		return state.File{Path: f.File}, nil
	case f.Ref != "":
		return state.GitRef{RepoDir: dir, Ref: f.Ref}, nil
	}
	gitDir, err := GitDir(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return state.Empty{}, nil
	}
	if err != nil {
		return nil, err
	}
	return state.Local{GitDir: gitDir}, nil
}

// GitDir returns the .git directory of the repository containing dir.
func GitDir(dir string) (string, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return "", err
	}
	fs, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return "", fmt.Errorf("repository at %s has no file storage", dir)
	}
	return fs.Filesystem().Root(), nil
}

// RecordedWriter picks where apply records state: the --state-file, or the
// local store of the git repository at dir. Outside a git repository there
// is nowhere safe to record, which is an error.
func RecordedWriter(dir string, f StateFlags) (usecase.RecordedWriter, error) {
	switch {
	case f.File != "":
		return state.File{Path: f.File}, nil
	case f.Ref != "":
		return nil, app.FlagErrorf("`--state-ref` is read-only; apply records state in the repository (or in `--state-file`)")
	}
	gitDir, err := GitDir(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, &app.InputError{Err: fmt.Errorf("%s is not a git repository, so apply has nowhere to record what it applied (run it in the configuration repository, or pass `--state-file`)", dir)}
	}
	if err != nil {
		return nil, err
	}
	return state.Local{GitDir: gitDir}, nil
}
