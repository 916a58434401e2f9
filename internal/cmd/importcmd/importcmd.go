// Package importcmd is the `honua-gitops import` command: adopt what a
// Honua server already runs by writing it into the repository.
package importcmd

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
	"github.com/honua-io/honua-gitops/internal/redact"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// Options are the inputs of import.
type Options struct {
	IO        *iostreams.IOStreams
	Getenv    func(string) string
	Logger    *slog.Logger
	Version   string
	Env       cmdutil.EnvFlags
	Targets   cmdutil.TargetFlags
	Branch    cmdutil.BranchFlags
	Kinds     []string
	Namespace string
	Select    []string
	Force     bool
	Observe   bool
	DryRun    bool
	Actor     string
	Format    string
	Connect   usecase.Connector
}

// NewCmdImport builds the command; runF replaces the run in tests.
func NewCmdImport(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv, Logger: f.Logger, Version: f.Version}
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Write what a Honua server already runs into the repository, and adopt it",
		Long: `Read every resource the target holds (Generation 1: its resources; Generation 2:
services, connections, layers with their facets, default styles, relationships)
and write them into the environment's directory, one file per kind, in the
repository format. Secrets are written only as ${secret:NAME} placeholders.
Then record an import deployment on the state branch whose snapshot is what
was imported, so the next plan shows no changes. Nothing is written to the
server; existing files are refused unless --force.

With --observe the resources are recorded as observed, not owned: plans make
no operation for them (only a note), drift reports their changes, and they
are never updated or deleted. To manage one later, add the annotation
gitops.honua.io/adopt: "true" to it (the next apply writes git's version and
owns it), or import it again without --observe.`,
		Example: "  honua-gitops import --env staging --target https://honua-staging.example.org\n  honua-gitops import --env staging --target staging --kind Layer --dry-run\n  honua-gitops import --env production --observe",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Env.Env == "" {
				return app.FlagErrorf("name the environment with `--env`")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmdutil.AddEnvFlags(cmd, &opts.Env, "")
	cmdutil.AddTargetFlags(cmd, &opts.Targets)
	cmd.Flags().StringArrayVar(&opts.Kinds, "kind", nil, "import only this `kind` (repeatable)")
	cmd.Flags().StringVar(&opts.Namespace, "namespace", "", "import only this `namespace`")
	cmd.Flags().StringArrayVar(&opts.Select, "select", nil, "import only the resource with this `name` (repeatable)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace files that exist")
	cmd.Flags().BoolVar(&opts.Observe, "observe", false, "record the resources as observed, not owned: never updated or deleted until adopted")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the files instead of writing them; record nothing")
	cmd.Flags().BoolVar(&opts.Branch.Push, "push", false, "record on origin's state branch (fetch before, push after, with a lease); on by default in GitHub Actions")
	cmd.Flags().StringVar(&opts.Actor, "actor", "", "who imports (default: GITHUB_ACTOR, else the system user)")
	cmdutil.AddFormatFlag(cmd, &opts.Format, "output `format`: text or json", "text", "json")
	return cmd
}

// Run imports.
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
	if len(opts.Targets.Targets) > 1 {
		return app.FlagErrorf("import reads one target; give `--target` once")
	}
	targets, err := opts.Targets.Resolve(env, opts.Getenv, true, "honua-gitops/"+opts.Version)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return app.FlagErrorf("environment %s has no targets: name one with `--target URL`, or add targets to honua-gitops.yaml", env.Name)
	}
	cmdutil.MaskCredentials(red, targets, opts.IO.ErrOut)
	req := usecase.ImportRequest{Environment: env.Name, Target: targets[0], Kinds: opts.Kinds, Namespace: opts.Namespace,
		Select: opts.Select, Force: opts.Force, DryRun: opts.DryRun, Observe: opts.Observe, Actor: cmdutil.Actor(opts.Actor, opts.Getenv),
		BranchName: ws.Config.StateBranch, Log: opts.Logger, Connect: opts.Connect}
	if req.Connect == nil {
		req.Connect = cmdutil.Connector(opts.Logger)
	}
	if !opts.DryRun {
		store, err := cmdutil.RequireStateBranch(opts.Env.Dir, ws.Config, opts.Branch, opts.Getenv)
		if err != nil {
			return err
		}
		req.Branch = store
	}
	report, err := ws.Import(ctx, req)
	if err != nil {
		if report != nil {
			writeSkipped(out, report)
		}
		return red.Error(err)
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	writeText(out, report, opts.DryRun)
	return nil
}

func writeText(w io.Writer, r *usecase.ImportReport, dryRun bool) {
	verb := "Wrote"
	if dryRun {
		verb = "Would write"
	}
	fmt.Fprintf(w, "Imported from %s into %s:\n", render.Sanitize(r.Target), render.Sanitize(r.Environment))
	for _, f := range r.Files {
		fmt.Fprintf(w, "  %s %s (%d resources)\n", verb, render.Sanitize(f.Path), len(f.Resources))
		if dryRun {
			fmt.Fprint(w, render.SanitizeLines(f.Content))
		}
	}
	writeSkipped(w, r)
	if len(r.Secrets) > 0 {
		fmt.Fprintf(w, "Secrets the server holds but never returns are placeholders; set them before an apply needs them:\n")
		for _, s := range r.Secrets {
			fmt.Fprintf(w, "  ${secret:%s}\n", render.Sanitize(s))
		}
	}
	if r.Deployment != nil && r.Observed {
		fmt.Fprintf(w, "Deployment %s (import) recorded on the state branch (commit %s): these resources are observed, not owned; plans make no operation for them. To manage one, add the annotation %s: \"true\" to it.\n",
			r.Deployment.ID, render.ShortSHA(r.Commit), resource.AnnotationAdopt)
	} else if r.Deployment != nil {
		fmt.Fprintf(w, "Deployment %s (import) recorded on the state branch (commit %s): these resources are now owned; commit the files, and `plan` shows no changes.\n",
			r.Deployment.ID, render.ShortSHA(r.Commit))
	}
}

func writeSkipped(w io.Writer, r *usecase.ImportReport) {
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "  skipped %s\n", render.Sanitize(s))
	}
}
