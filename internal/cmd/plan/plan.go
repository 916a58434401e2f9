// Package plan is the `honua-gitops plan` command.
package plan

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/iostreams"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
	"github.com/honua-io/honua-gitops/internal/validate"
)

// Options are the inputs of plan.
type Options struct {
	IO               *iostreams.IOStreams
	Getenv           func(string) string
	Logger           *slog.Logger
	Version          string
	Targets          cmdutil.TargetFlags
	Branch           cmdutil.BranchFlags
	Connect          usecase.Connector
	Env              cmdutil.EnvFlags
	State            cmdutil.StateFlags
	Format           render.Format
	Out              string
	DetailedExitCode bool
	Compact          bool
	// Strict refuses to plan when validation reports any warning (exit 2).
	Strict bool
}

// NewCmdPlan builds the command; runF replaces the run in tests.
func NewCmdPlan(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv, Logger: f.Logger, Version: f.Version}
	var format string
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what applying the repository would change",
		Long: `Compare an environment's desired state (environments/common overlaid with
environments/<env>, variables substituted) with its recorded state (the last
applied snapshot) and print the operations, field by field, in apply order.

Recorded state is read from the state branch (honua-gitops/state by
default; empty when nothing was applied yet), from --state-file, or from
<env>/snapshot.json at --state-ref. With --target, live state is read from that Honua server
too, and drift (live differs from recorded) is shown; it never changes the
operations or the plan hash.`,
		Example: `  honua-gitops plan --env staging
  honua-gitops plan --all --format markdown --out plan.md
  honua-gitops plan --env production --format json --detailed-exitcode
  honua-gitops plan --env staging --target staging`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmtv, err := render.ParseFormat(format)
			if err != nil {
				return &app.FlagError{Err: err}
			}
			opts.Format = fmtv
			if opts.Env.Env == "" && !opts.Env.All {
				return app.FlagErrorf("name an environment with `--env`, or plan every environment with `--all`")
			}
			if opts.Env.Env != "" && opts.Env.All {
				return app.FlagErrorf("specify only one of `--env` or `--all`")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmdutil.AddEnvFlags(cmd, &opts.Env, "plan every environment")
	cmdutil.AddStateFlags(cmd, &opts.State)
	cmdutil.AddTargetFlags(cmd, &opts.Targets)
	cmd.Flags().BoolVar(&opts.Branch.Push, "fetch", false, "read the state branch from origin (always in GitHub Actions)")
	cmdutil.AddFormatFlag(cmd, &format, "output `format`: text, markdown or json", "text", "markdown", "json")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the plan to `file` instead of stdout")
	cmd.Flags().BoolVar(&opts.Compact, "compact", false, "text format: list creates and deletes without their fields")
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "treat warnings (unknown spec keys, unused variables) as errors: exit 2")
	cmd.Flags().BoolVar(&opts.DetailedExitCode, "detailed-exitcode", false, "exit 3 when the plan has changes (terraform uses 2; here 2 means invalid input)")
	return cmd
}

// Run plans and renders.
func Run(ctx context.Context, opts *Options) error {
	ws, err := usecase.OpenWorkspace(opts.Env.Dir)
	if err != nil {
		return err
	}
	envs, err := ws.Environments(opts.Env.Env, opts.Env.All)
	if err != nil {
		return err
	}
	recorded, err := cmdutil.RecordedReader(opts.Env.Dir, opts.State, len(envs), func() (*statebranch.Store, string, error) {
		s, err := cmdutil.OpenStateBranch(opts.Env.Dir, ws.Config, opts.Branch, opts.Getenv)
		return s, ws.Config.StateBranch, err
	})
	if err != nil {
		return err
	}
	if opts.Strict {
		// Plans ignore warnings; strict mode fails on them before planning.
		if d := validate.Strict(ws.Validate(ctx, envs)); d.HasErrors() {
			return &app.InvalidInputError{Diagnostics: d}
		}
	}
	if len(opts.Targets.Targets) > 0 && len(envs) > 1 {
		return app.FlagErrorf("`--target` reads one server's live state; plan one environment with `--env`")
	}
	plans := make([]*plan.Plan, 0, len(envs))
	var invalid []error
	for _, env := range envs {
		req := usecase.PlanRequest{Environment: env, Recorded: recorded}
		if len(opts.Targets.Targets) > 0 {
			live, err := liveReader(opts, ws.Config.Environment(env))
			if err != nil {
				return err
			}
			req.Live = live
		}
		p, err := ws.Plan(ctx, req)
		if err != nil {
			if app.CodeFor(err) == app.ExitInvalid {
				invalid = append(invalid, err)
				continue
			}
			return err
		}
		plans = append(plans, p)
	}
	if len(invalid) > 0 {
		return mergeInvalid(invalid)
	}
	var buf bytes.Buffer
	color := opts.Out == "" && opts.IO.ColorEnabled() && opts.Format == render.FormatText
	if err := render.Render(&buf, plans, opts.Format, render.RenderOptions{Color: color, Compact: opts.Compact}); err != nil {
		return fmt.Errorf("render plan: %w", err)
	}
	if err := write(opts, buf.Bytes()); err != nil {
		return err
	}
	if opts.DetailedExitCode {
		for _, p := range plans {
			if p.HasChanges() {
				return app.ErrChangesPresent
			}
		}
	}
	return nil
}

func write(opts *Options, data []byte) error {
	var w io.Writer = opts.IO.Out
	if opts.Out != "" {
		if err := os.WriteFile(opts.Out, data, 0o644); err != nil {
			return fmt.Errorf("write plan: %w", err)
		}
		fmt.Fprintf(opts.IO.ErrOut, "plan written to %s\n", opts.Out)
		return nil
	}
	_, err := w.Write(data)
	return err
}

// mergeInvalid joins the diagnostics of several environments into one
// error, reporting a shared file's problem once.
func mergeInvalid(errs []error) error {
	merged := &app.InvalidInputError{}
	for _, err := range errs {
		if inv, ok := err.(*app.InvalidInputError); ok {
			merged.Diagnostics = append(merged.Diagnostics, inv.Diagnostics...)
		}
	}
	merged.Diagnostics = merged.Diagnostics.Sort()
	return merged
}

func liveReader(opts *Options, env *config.Environment) (usecase.LiveReader, error) {
	if len(opts.Targets.Targets) > 1 {
		return nil, app.FlagErrorf("plan reads live state from one target; give `--target` once")
	}
	targets, err := opts.Targets.Resolve(env, opts.Getenv, false, "honua-gitops/"+opts.Version)
	if err != nil {
		return nil, err
	}
	connect := opts.Connect
	if connect == nil {
		connect = cmdutil.Connector(opts.Logger)
	}
	return usecase.TargetLive{Target: targets[0], Connect: connect}, nil
}
