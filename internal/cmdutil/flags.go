package cmdutil

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/state"
	"github.com/honua-io/honua-gitops/internal/statebranch"
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

// RecordedReader picks the recorded-state source: a file, a git ref, or
// the state branch of the repository at dir (empty outside a git
// repository, where nothing can have been recorded).
func RecordedReader(dir string, f StateFlags, envCount int, branch func() (*statebranch.Store, string, error)) (usecase.RecordedReader, error) {
	switch {
	case f.File != "":
		if envCount > 1 {
			return nil, app.FlagErrorf("`--state-file` holds one environment's snapshot; name it with `--env`")
		}
		return state.File{Path: f.File}, nil
	case f.Ref != "":
		return state.GitRef{RepoDir: dir, Ref: f.Ref}, nil
	}
	store, name, err := branch()
	if errors.Is(err, statebranch.ErrNotRepository) {
		return state.Empty{}, nil
	}
	if err != nil {
		return nil, err
	}
	return state.Branch{Store: store, Name: name}, nil
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
