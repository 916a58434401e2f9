// Package apply is the `honua-gitops apply` command.
package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	engine "github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/iostreams"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/redact"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// Options are the inputs of apply.
type Options struct {
	IO       *iostreams.IOStreams
	Getenv   func(string) string
	Logger   *slog.Logger
	Version  string
	Env      cmdutil.EnvFlags
	State    cmdutil.StateFlags
	Targets  cmdutil.TargetFlags
	Strategy string
	// Concurrency bounds parallel writes within a dependency level.
	Concurrency  int
	DryRun       bool
	DriftGuard   string
	NoVerify     bool
	ReadyTimeout time.Duration
	Rollback     bool
	PlanHash     string
	Format       string
	// Connect opens targets; tests replace it.
	Connect usecase.Connector
}

// NewCmdApply builds the command; runF replaces the run in tests.
func NewCmdApply(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv, Logger: f.Logger, Version: f.Version}
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Apply an environment to its Honua targets and record what was applied",
		Long: `Plan the environment against its recorded state, then apply the operations to
each target in dependency order, verify the result by reading it back, and
record exactly what was applied (the next plan starts from there).

Only resources honua-gitops applied before, and that still carry its
gitops.honua.io/managed-by annotation on the server, are ever deleted.
Before writing, the drift guard compares live state with recorded state:
fail (default) refuses with exit code 4, warn applies and reports it,
overwrite also restores drifted resources.

Credentials come from HONUA_API_KEY, or the variable honua-gitops.yaml
names for the target. ${secret:NAME} placeholders are resolved from the
environment at this point only.`,
		Example: `  HONUA_API_KEY=... honua-gitops apply --env staging
  honua-gitops apply --env dev --target http://127.0.0.1:8080 --strategy resources
  honua-gitops apply --env production --plan-hash 3b1f... --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Env.Env == "" {
				return app.FlagErrorf("name the environment to apply with `--env`")
			}
			switch engine.Strategy(opts.Strategy) {
			case engine.StrategyAuto, engine.StrategyManifest, engine.StrategyResources:
			default:
				return app.FlagErrorf("`--strategy` must be auto, manifest or resources, not %q", opts.Strategy)
			}
			switch engine.GuardMode(opts.DriftGuard) {
			case engine.GuardFail, engine.GuardWarn, engine.GuardOverwrite:
			default:
				return app.FlagErrorf("`--drift-guard` must be fail, warn or overwrite, not %q", opts.DriftGuard)
			}
			if opts.Concurrency < 1 || opts.Concurrency > 64 {
				return app.FlagErrorf("`--concurrency` must be between 1 and 64")
			}
			if opts.Format != "text" && opts.Format != "json" {
				return app.FlagErrorf("`--format` must be text or json, not %q", opts.Format)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmdutil.AddEnvFlags(cmd, &opts.Env, "")
	cmdutil.AddStateFlags(cmd, &opts.State)
	cmdutil.AddTargetFlags(cmd, &opts.Targets)
	cmd.Flags().StringVar(&opts.Strategy, "strategy", "auto", "how to write: auto, manifest (one manifest apply) or resources (per-resource CRUD)")
	cmd.Flags().IntVar(&opts.Concurrency, "concurrency", 8, "parallel writes within a dependency level (resources strategy)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show what would be written, validated by the server where it can; write nothing")
	cmd.Flags().StringVar(&opts.DriftGuard, "drift-guard", "fail", "when live state differs from recorded state: fail, warn or overwrite")
	cmd.Flags().BoolVar(&opts.NoVerify, "no-verify", false, "skip reading live state back after writing")
	cmd.Flags().DurationVar(&opts.ReadyTimeout, "ready-timeout", 30*time.Second, "wait this long for the server to report ready after writing (0 to skip)")
	cmd.Flags().BoolVar(&opts.Rollback, "rollback-on-failure", false, "when a write fails, revert what this apply changed")
	cmd.Flags().StringVar(&opts.PlanHash, "plan-hash", "", "apply only if the plan's hash is this one (the hash that was reviewed)")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output `format`: text or json")
	return cmd
}

// Run applies.
func Run(ctx context.Context, opts *Options) error {
	red := &redact.Redactor{}
	out, errOut := red.Writer(opts.IO.Out), red.Writer(opts.IO.ErrOut)
	ws, err := usecase.OpenWorkspace(opts.Env.Dir)
	if err != nil {
		return err
	}
	if _, err := ws.Environments(opts.Env.Env, false); err != nil {
		return err
	}
	env := ws.Config.Environment(opts.Env.Env)
	targets, err := opts.Targets.Resolve(env, opts.Getenv, true, "honua-gitops/"+opts.Version)
	if err != nil {
		return err
	}
	for _, t := range targets {
		red.Add(t.Credential)
	}
	recorded, err := cmdutil.RecordedReader(opts.Env.Dir, opts.State, 1)
	if err != nil {
		return err
	}
	var store usecase.RecordedWriter
	if !opts.DryRun {
		if store, err = cmdutil.RecordedWriter(opts.Env.Dir, opts.State); err != nil {
			return err
		}
	}
	connect := opts.Connect
	if connect == nil {
		connect = cmdutil.Connector(opts.Logger)
	}
	report, err := ws.Apply(ctx, usecase.ApplyRequest{
		Environment: env.Name, Targets: targets, Recorded: recorded, Store: store, Connect: connect,
		ExpectedPlanHash: opts.PlanHash, Log: opts.Logger,
		Engine: engine.Request{
			Secrets: func(name string) (string, bool) { v := opts.Getenv(name); return v, v != "" },
			Redact:  red.Add,
			Guard:   engine.GuardMode(opts.DriftGuard),
			Options: engine.Options{Strategy: engine.Strategy(opts.Strategy), Concurrency: opts.Concurrency, DryRun: opts.DryRun},
			Verify:  !opts.NoVerify, ReadyTimeout: opts.ReadyTimeout, RollbackOnFailure: opts.Rollback,
		},
	})
	if err != nil {
		return red.Error(err)
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(report); err != nil {
			return err
		}
	} else {
		color := opts.IO.ColorEnabled()
		if err := render.Text(out, []*plan.Plan{report.Plan}, render.TextOptions{Color: color, Compact: true}); err != nil {
			return err
		}
		writeJournal(out, report, color)
		if report.Recorded {
			where := opts.State.File
			if where == "" {
				where = ".git/honua-gitops/" + env.Name + "/snapshot.json"
			}
			fmt.Fprintf(out, "State recorded: %s\n", where)
		}
	}
	if err := report.Err(); err != nil {
		if _, refused := err.(*app.RefusedError); !refused {
			fmt.Fprintln(errOut, red.String(err.Error()))
			return app.ErrSilent
		}
		return err
	}
	return nil
}
