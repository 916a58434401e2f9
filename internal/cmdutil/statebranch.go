package cmdutil

import (
	"errors"
	"fmt"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// BranchFlags say where the state branch is written.
type BranchFlags struct {
	// Push sends state-branch commits to origin.
	Push bool
}

// OpenStateBranch opens the state branch of the repository at dir. It
// pushes to origin with --push, with pushStateBranch in honua-gitops.yaml,
// and always in GitHub Actions; the token comes from
// HONUA_GITOPS_GIT_TOKEN or GITHUB_TOKEN. Outside a git repository it
// returns statebranch.ErrNotRepository.
func OpenStateBranch(dir string, cfg *config.Config, f BranchFlags, getenv func(string) string) (*statebranch.Store, error) {
	opts := statebranch.Options{RepoDir: dir, Branch: cfg.StateBranch, Depth: 1, Merge: deploy.MergeFile}
	if f.Push || cfg.PushStateBranch || getenv("GITHUB_ACTIONS") == "true" {
		opts.Remote = "origin"
		token := getenv("HONUA_GITOPS_GIT_TOKEN")
		if token == "" {
			token = getenv("GITHUB_TOKEN")
		}
		if token != "" {
			opts.Auth = &githttp.BasicAuth{Username: "x-access-token", Password: token}
		}
	}
	s, err := statebranch.Open(opts)
	if err != nil && !errors.Is(err, statebranch.ErrNotRepository) {
		return nil, fmt.Errorf("open state branch %s: %w", cfg.StateBranch, err)
	}
	return s, err
}

// RequireStateBranch is OpenStateBranch for commands that record
// deployments: outside a git repository there is nowhere to record, which
// is invalid input.
func RequireStateBranch(dir string, cfg *config.Config, f BranchFlags, getenv func(string) string) (*statebranch.Store, error) {
	s, err := OpenStateBranch(dir, cfg, f, getenv)
	if errors.Is(err, statebranch.ErrNotRepository) {
		return nil, &app.InputError{Err: fmt.Errorf("%s is not a git repository: deployments are recorded on its state branch %s (run in the configuration repository)", dir, cfg.StateBranch)}
	}
	return s, err
}

// History is what the commands that read deployment history work on.
type History struct {
	Workspace    *usecase.Workspace
	Environments []string
	Branch       *statebranch.Store
}

// OpenHistory opens the configuration repository at env.Dir, resolves the
// environments (the named one, or all) and its state branch.
func OpenHistory(env EnvFlags, f BranchFlags, getenv func(string) string) (*History, error) {
	ws, err := usecase.OpenWorkspace(env.Dir)
	if err != nil {
		return nil, err
	}
	envs, err := ws.Environments(env.Env, false)
	if err != nil {
		return nil, err
	}
	store, err := RequireStateBranch(env.Dir, ws.Config, f, getenv)
	if err != nil {
		return nil, err
	}
	return &History{Workspace: ws, Environments: envs, Branch: store}, nil
}
