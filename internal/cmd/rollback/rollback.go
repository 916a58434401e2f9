// Package rollback is the `honua-gitops rollback` command.
package rollback

import (
	"cmp"
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	cmdapply "github.com/honua-io/honua-gitops/internal/cmd/apply"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// NewCmdRollback builds the command.
func NewCmdRollback(f *cmdutil.Factory) *cobra.Command {
	opts := &cmdapply.Options{IO: f.IOStreams, Getenv: f.Getenv, Logger: f.Logger, Version: f.Version, Now: f.Now}
	var to string
	var steps int
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Return an environment to the state an earlier deployment left",
		Long: `Plan from the recorded state to the snapshot an earlier deployment left — the
one named by --to, or the one --steps successful deployments back (default
1: the state before the last deployment) — show the plan, apply it through
the same engine and gates as any apply, and record a rollback deployment
that names the deployment it returned to.

The environment then shows as rolled back, and the next plan of it says so:
applying the repository again re-applies what was rolled back.`,
		Example: "  honua-gitops rollback --env production --steps 1\n  honua-gitops rollback --env staging --to 20261129T064512345Z-3fa9c2 --dry-run",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Env.Env == "" {
				return app.FlagErrorf("name the environment to roll back with `--env`")
			}
			if to != "" && cmd.Flags().Changed("steps") {
				return app.FlagErrorf("specify only one of `--to` or `--steps`")
			}
			if err := opts.Deploy.Check(); err != nil {
				return err
			}
			return run(cmd.Context(), opts, to, steps)
		},
	}
	cmdutil.AddEnvFlags(cmd, &opts.Env, "")
	cmdutil.AddTargetFlags(cmd, &opts.Targets)
	cmd.Flags().BoolVar(&opts.Branch.Push, "push", false, "record on origin's state branch (fetch before, push after, with a lease); on by default in GitHub Actions")
	cmd.Flags().StringVar(&to, "to", "", "deployment `id` whose state to return to")
	cmd.Flags().IntVar(&steps, "steps", 1, "return to the state N successful deployments back")
	cmdapply.AddDeployFlags(cmd, &opts.Deploy)
	return cmd
}

func run(ctx context.Context, opts *cmdapply.Options, to string, steps int) error {
	ws, err := usecase.OpenWorkspace(opts.Env.Dir)
	if err != nil {
		return err
	}
	if _, err := ws.Environments(opts.Env.Env, false); err != nil {
		return err
	}
	store, err := cmdutil.RequireStateBranch(opts.Env.Dir, ws.Config, opts.Branch, opts.Getenv)
	if err != nil {
		return err
	}
	target, resources, err := usecase.RollbackTarget(ctx, store, opts.Env.Env, to, steps)
	if err != nil {
		return err
	}
	restore, err := usecase.RollbackPriors(ctx, store, opts.Env.Env, target.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Rolling %s back to deployment %s (%s of %s by %s).\n", opts.Env.Env, target.ID, target.Kind, cmp.Or(render.ShortSHA(target.SourceCommit), "an unknown commit"), target.Actor)
	// What runs after a rollback is the configuration the target deployment
	// applied: record its source, so status shows how far git is ahead.
	return cmdapply.Run(ctx, opts, &cmdapply.Rollback{To: target.ID, Snapshot: resources,
		Source: deploy.Source{Commit: target.SourceCommit, PR: target.PR}, Restore: restore})
}
