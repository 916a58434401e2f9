// Package drift is the `honua-gitops drift` command.
package drift

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/iostreams"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/redact"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// Options are the inputs of drift.
type Options struct {
	IO               *iostreams.IOStreams
	Getenv           func(string) string
	Logger           *slog.Logger
	Version          string
	Env              cmdutil.EnvFlags
	State            cmdutil.StateFlags
	Targets          cmdutil.TargetFlags
	Branch           cmdutil.BranchFlags
	Format           string
	DetailedExitCode bool
	// Accept writes the server's values into the environment's files and
	// records them (the other remedy for drift); DryRun only shows them.
	Accept, DryRun bool
	Actor          string
	Connect        usecase.Connector
}

// NewCmdDrift builds the command; runF replaces the run in tests.
func NewCmdDrift(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv, Logger: f.Logger, Version: f.Version}
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Show where live Honua state differs from what was last applied",
		Long: `Read each target's live resources and compare them with the environment's
recorded state: resources changed on the server since they were applied
(spec-drift), deleted from it (missing), and resources the repository would
create that already exist there (unmanaged). Secret fields are not compared.

Drift has two remedies. Overwrite the server from git:
  honua-gitops apply --env E --drift-guard=overwrite
or accept the server's values into git:
  honua-gitops drift --env E --accept
which rewrites the affected resource files (a changed value in place; an
override in environments/E/accepted-drift.yaml for a resource shared
through environments/common), checks the repository reads back as the
server's values, and records an accept-drift deployment that writes
nothing. Commit the files; the next plan is empty and drift is clean.`,
		Example: "  honua-gitops drift --env production\n  honua-gitops drift --env staging --target http://127.0.0.1:8080 --format json --detailed-exitcode\n  honua-gitops drift --env staging --accept --dry-run",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Env.Env == "" {
				return app.FlagErrorf("name the environment with `--env`")
			}
			if opts.DryRun && !opts.Accept {
				return app.FlagErrorf("`--dry-run` previews `--accept`; give both")
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
	cmd.Flags().BoolVar(&opts.Branch.Push, "fetch", false, "read the state branch from origin (always in GitHub Actions)")
	cmdutil.AddFormatFlag(cmd, &opts.Format, "output `format`: text or json", "text", "json")
	cmd.Flags().BoolVar(&opts.DetailedExitCode, "detailed-exitcode", false, "exit 3 when drift is found (terraform uses 2; here 2 means invalid input)")
	cmd.Flags().BoolVar(&opts.Accept, "accept", false, "accept the server's values into git: rewrite the drifted resources' files and record it")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "with --accept: print the files instead of writing them; record nothing")
	cmd.Flags().StringVar(&opts.Actor, "actor", "", "who accepts the drift, for the record (default: $GITHUB_ACTOR, else git user.name)")
	return cmd
}

// Run reports drift.
func Run(ctx context.Context, opts *Options) error {
	red := &redact.Redactor{}
	out := red.Writer(opts.IO.Out)
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
	if len(targets) == 0 {
		return app.FlagErrorf("environment %s has no targets: name one with `--target URL`, or add targets to honua-gitops.yaml", env.Name)
	}
	cmdutil.MaskCredentials(red, targets, opts.IO.ErrOut)
	recorded, err := cmdutil.RecordedReader(opts.Env.Dir, opts.State, 1, func() (*statebranch.Store, string, error) {
		s, err := cmdutil.OpenStateBranch(opts.Env.Dir, ws.Config, opts.Branch, opts.Getenv)
		return s, ws.Config.StateBranch, err
	})
	if err != nil {
		return err
	}
	connect := opts.Connect
	if connect == nil {
		connect = cmdutil.Connector(opts.Logger)
	}
	if opts.Accept {
		return accept(ctx, opts, ws, usecase.AcceptRequest{Environment: env.Name, Targets: targets, Recorded: recorded, Connect: connect,
			DryRun: opts.DryRun, Actor: cmdutil.Actor(opts.Actor, opts.Getenv), BranchName: ws.Config.StateBranch, Log: opts.Logger}, out, red)
	}
	reports, err := ws.Drift(ctx, env.Name, targets, recorded, connect)
	if err != nil {
		return err
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if reports == nil {
			reports = []usecase.DriftReport{}
		}
		// An object, not a bare array, so fields can be added later.
		doc := struct {
			Environment string                `json:"environment"`
			Targets     []usecase.DriftReport `json:"targets"`
		}{env.Name, reports}
		if err := enc.Encode(doc); err != nil {
			return err
		}
	} else {
		writeText(out, reports)
	}
	drifted, failed := false, false
	for _, r := range reports {
		drifted = drifted || len(r.Drift) > 0
		failed = failed || r.Error != ""
	}
	switch {
	case failed:
		return app.ErrSilent
	case drifted && opts.DetailedExitCode:
		return app.ErrChangesPresent
	}
	return nil
}

func writeText(w io.Writer, reports []usecase.DriftReport) {
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(w)
		}
		where := r.Target
		if r.URL != r.Target {
			where += " (" + r.URL + ")"
		}
		fmt.Fprintf(w, "Drift of %s on %s\n", render.Sanitize(r.Environment), render.Sanitize(where))
		switch {
		case r.Error != "":
			fmt.Fprintf(w, "  could not read live state: %s\n", render.Sanitize(r.Error))
		case len(r.Drift) == 0:
			fmt.Fprintln(w, "  No drift: live state matches recorded state.")
		default:
			for _, d := range r.Drift {
				what := words(d.Type)
				if d.Observed {
					what += " (observed, not owned: reported, never overwritten)"
				}
				fmt.Fprintf(w, "  %s %s: %s\n", symbol(d.Type), render.Sanitize(d.Subject()), what)
				for _, f := range d.Changes {
					fmt.Fprintln(w, render.FieldText(f))
				}
			}
			fmt.Fprintf(w, "  %d drifted. Either restore git's values on the server:\n    honua-gitops apply --env %s --drift-guard=overwrite\n  or accept the server's values into git (then commit the files):\n    honua-gitops drift --env %s --accept\n",
				len(r.Drift), render.Sanitize(r.Environment), render.Sanitize(r.Environment))
		}
		for _, n := range r.Unowned {
			fmt.Fprintf(w, "  note: %s\n", render.Sanitize(n))
		}
		if r.PendingChanges > 0 {
			noun := "changes"
			if r.PendingChanges == 1 {
				noun = "change"
			}
			fmt.Fprintf(w, "  (%d %s in the repository not applied yet: see `honua-gitops plan --env %s`)\n", r.PendingChanges, noun, r.Environment)
		}
	}
}

func symbol(t plan.DriftType) string {
	switch t {
	case plan.Missing:
		return "-"
	case plan.Unmanaged:
		return "+"
	}
	return "~"
}

func words(t plan.DriftType) string {
	switch t {
	case plan.Missing:
		return "applied, but missing from the server"
	case plan.Unmanaged:
		return "exists on the server but was never applied by honua-gitops"
	}
	return "changed on the server since it was applied"
}
