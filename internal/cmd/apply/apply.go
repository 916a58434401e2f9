// Package apply is the `honua-gitops apply` command.
package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	engine "github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/interrupt"
	"github.com/honua-io/honua-gitops/internal/iostreams"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/redact"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// Options are the inputs of apply (and of rollback, which applies a
// recorded snapshot through the same path).
type Options struct {
	IO      *iostreams.IOStreams
	Getenv  func(string) string
	Logger  *slog.Logger
	Version string
	Now     func() time.Time
	Env     cmdutil.EnvFlags
	Targets cmdutil.TargetFlags
	Branch  cmdutil.BranchFlags
	Deploy  DeployFlags
	// Connect opens targets; tests replace it.
	Connect usecase.Connector
	// Interrupt stops the deployment gracefully on a signal; nil in tests.
	Interrupt *interrupt.Controller
}

// DeployFlags are the flags every deploying command shares.
type DeployFlags struct {
	Strategy     string
	Concurrency  int
	DryRun       bool
	DriftGuard   string
	NoVerify     bool
	ReadyTimeout time.Duration
	Rollback     bool
	PlanHash     string
	Format       string
	Actor        string
	Reason       string
	PR           int
	ClaimTimeout time.Duration
	Wait         time.Duration
	TakeOver     bool
	// Yes skips the confirmation prompt (terraform's -auto-approve).
	Yes              bool
	AllowDirty       bool
	AllowNonAncestor bool
	NoRefresh        bool
}

// AddDeployFlags registers the flags of deploying commands.
func AddDeployFlags(cmd *cobra.Command, f *DeployFlags) {
	cmd.Flags().StringVar(&f.Strategy, "strategy", "auto", "how to write: auto, manifest (one manifest apply) or resources (per-resource CRUD)")
	cmd.Flags().IntVar(&f.Concurrency, "concurrency", 8, "parallel writes within a dependency level (resources strategy)")
	cmd.Flags().BoolVar(&f.DryRun, "dry-run", false, "show what would be written, validated by the server where it can; write and record nothing")
	cmd.Flags().StringVar(&f.DriftGuard, "drift-guard", "fail", "when live state differs from recorded state: fail, warn or overwrite")
	cmd.Flags().BoolVar(&f.NoVerify, "no-verify", false, "skip reading live state back after writing")
	cmd.Flags().DurationVar(&f.ReadyTimeout, "ready-timeout", 30*time.Second, "wait this long for the server to report ready after writing (0 to skip)")
	cmd.Flags().BoolVar(&f.Rollback, "rollback-on-failure", false, "when a write fails, revert what this deployment changed")
	cmd.Flags().StringVar(&f.PlanHash, "plan-hash", "", "deploy only if the plan's hash is this one, or starts with it (12 or more hex digits: the hash that was reviewed)")
	cmdutil.AddFormatFlag(cmd, &f.Format, "output `format`: text or json", "text", "json")
	cmd.Flags().StringVar(&f.Actor, "actor", "", "who deploys (default: GITHUB_ACTOR, else the system user)")
	cmd.Flags().StringVar(&f.Reason, "reason", "", "why, recorded with the deployment")
	cmd.Flags().IntVar(&f.PR, "pr", 0, "pull request `number` being deployed, recorded with the deployment")
	cmd.Flags().DurationVar(&f.ClaimTimeout, "claim-timeout", 30*time.Minute, "a claim on an environment older than this is stale")
	cmd.Flags().DurationVar(&f.Wait, "wait", 10*time.Minute, "how long to wait while another deployment holds the environment")
	cmd.Flags().BoolVar(&f.TakeOver, "take-over-stale-claim", false, "take over a stale claim left by a deployment that died (its record is closed as abandoned)")
	cmd.Flags().BoolVarP(&f.Yes, "yes", "y", false, "do not ask for confirmation (it is only asked on a terminal, outside CI)")
	cmd.Flags().BoolVar(&f.AllowDirty, "allow-dirty", false, "apply uncommitted configuration changes (recorded as dirty, with the diff's hash)")
	cmd.Flags().BoolVar(&f.AllowNonAncestor, "allow-non-ancestor", false, "apply a commit that does not contain the environment's deployed commit (reverting what that deployment changed)")
	cmd.Flags().BoolVar(&f.NoRefresh, "no-refresh", false, "with nothing to deploy, do not contact the targets (skips the preflight and drift check)")
}

// Check validates deploy flags.
func (f DeployFlags) Check() error {
	switch engine.Strategy(f.Strategy) {
	case engine.StrategyAuto, engine.StrategyManifest, engine.StrategyResources:
	default:
		return app.FlagErrorf("`--strategy` must be auto, manifest or resources, not %q", f.Strategy)
	}
	switch engine.GuardMode(f.DriftGuard) {
	case engine.GuardFail, engine.GuardWarn, engine.GuardOverwrite:
	default:
		return app.FlagErrorf("`--drift-guard` must be fail, warn or overwrite, not %q", f.DriftGuard)
	}
	if f.Concurrency < 1 || f.Concurrency > 64 {
		return app.FlagErrorf("`--concurrency` must be between 1 and 64")
	}
	if f.Format != "text" && f.Format != "json" {
		return app.FlagErrorf("`--format` must be text or json, not %q", f.Format)
	}
	return usecase.CheckPlanHash(f.PlanHash)
}

// NewCmdApply builds the command; runF replaces the run in tests.
func NewCmdApply(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv, Logger: f.Logger, Version: f.Version, Now: f.Now, Interrupt: f.Interrupt}
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Apply an environment to its Honua targets and record the deployment",
		Long: `Plan the environment against its recorded state on the state branch, claim
the environment there (an intent commit), apply the operations to each
target in dependency order, verify the result by reading it back, and
record the deployment (a result commit with the new snapshot).

Only resources honua-gitops applied before, and that still carry its
gitops.honua.io/managed-by annotation on the server, are ever deleted.
Before writing, the drift guard compares live state with recorded state:
fail (default) refuses with exit code 4, warn applies and reports it,
overwrite also restores drifted resources.

Before anything is recorded, every target is checked: it answers, accepts
the credential, is a generation honua-gitops drives, and has no drift the
guard refuses. On a terminal (outside CI) the plan is shown and apply asks
before writing; --yes skips the question.

If another deployment holds the environment, apply waits (--wait), saying
who holds it. If another deployment changes the environment first, apply
re-plans; when the plan is no longer the one computed before waiting, it
stops with "state moved" (exit code 4) instead of applying something nobody
reviewed. It also refuses (exit 4) to apply a commit that lacks the
environment's deployed commit, and (exit 2) uncommitted changes.

Ctrl-C (or SIGTERM) stops gracefully: no new writes, the ones in flight
finish, what landed is recorded as an interrupted deployment and the
environment is released. A second Ctrl-C stops at once and still records.

Credentials come from HONUA_API_KEY, or the variable honua-gitops.yaml
names for the target. ${secret:NAME} placeholders are resolved from the
environment at this point only.`,
		Example: `  HONUA_API_KEY=... honua-gitops apply --env staging
  honua-gitops apply --env development --target http://127.0.0.1:8080 --strategy resources --yes
  honua-gitops apply --env production --plan-hash 3b1f9c2a07de --push --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Env.Env == "" {
				return app.FlagErrorf("name the environment to apply with `--env`")
			}
			if err := opts.Deploy.Check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts, nil)
		},
	}
	cmdutil.AddEnvFlags(cmd, &opts.Env, "")
	cmdutil.AddTargetFlags(cmd, &opts.Targets)
	cmd.Flags().BoolVar(&opts.Branch.Push, "push", false, "record on origin's state branch (fetch before, push after, with a lease); on by default in GitHub Actions")
	AddDeployFlags(cmd, &opts.Deploy)
	return cmd
}

// Rollback says what a rollback deploys instead of the repository.
type Rollback struct {
	To       string
	Snapshot []*resource.Resource
	// Source is the source of the deployment returned to.
	Source deploy.Source
	// Restore is what the server held before the deployments undone wrote
	// (usecase.RollbackPriors), by target name.
	Restore map[string]map[resource.Identity][]engine.Prior
}

// Run deploys; with rb it deploys a recorded snapshot as a rollback.
func Run(ctx context.Context, opts *Options, rb *Rollback) error {
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
	cmdutil.MaskCredentials(red, targets, errOut)
	store, err := cmdutil.RequireStateBranch(opts.Env.Dir, ws.Config, opts.Branch, opts.Getenv)
	if err != nil {
		return err
	}
	connect := opts.Connect
	if connect == nil {
		connect = cmdutil.Connector(opts.Logger)
	}
	f := opts.Deploy
	checkout, err := cmdutil.InspectCheckout(ctx, ws.Config, env)
	if err != nil {
		return err
	}
	src := deploy.Source{Commit: checkout.Commit, Ref: checkout.Ref, PR: f.PR}
	stop, release := opts.Interrupt.Guard()
	defer release()
	color := opts.IO.ColorEnabled()
	planShown := false
	progress := newProgress(errOut, opts.IO.IsStderrTTY() && f.Format == "text")
	req := usecase.DeployRequest{
		Environment: env.Name, Targets: targets, Connect: connect, Branch: store, BranchName: ws.Config.StateBranch,
		ApprovedPlanHash: f.PlanHash, Actor: cmdutil.Actor(f.Actor, opts.Getenv), Reason: f.Reason, Source: src,
		Worktree: checkout.Worktree, AllowDirty: f.AllowDirty, AllowNonAncestor: f.AllowNonAncestor, NoRefresh: f.NoRefresh,
		Contains:     checkout.Contains,
		ClaimTimeout: f.ClaimTimeout, WaitForClaim: f.Wait, TakeOverStaleClaim: f.TakeOver, Now: opts.Now, Log: opts.Logger,
		Stop:     stop,
		Redact:   red.Bytes,
		Notice:   func(msg string) { progress.notice(msg) },
		Progress: progress.result,
		Review: func(ctx context.Context, p *plan.Plan) error {
			if f.Format == "json" {
				return nil
			}
			planShown = true
			if err := render.Text(out, []*plan.Plan{p}, render.TextOptions{Color: color, Compact: true}); err != nil {
				return err
			}
			return confirm(opts, f, p)
		},
		Engine: engine.Request{
			Secrets: func(name string) (string, bool) { v := opts.Getenv(name); return v, v != "" },
			Redact:  red.Add,
			Guard:   engine.GuardMode(f.DriftGuard),
			Options: engine.Options{Strategy: engine.Strategy(f.Strategy), Concurrency: f.Concurrency, DryRun: f.DryRun},
			Verify:  !f.NoVerify, ReadyTimeout: f.ReadyTimeout, RollbackOnFailure: f.Rollback,
		},
	}
	if rb != nil {
		req.Kind, req.Desired, req.RollbackTo, req.Source, req.Restore = deploy.KindRollback, rb.Snapshot, rb.To, rb.Source, rb.Restore
	}
	short := red.Short()
	report, err := ws.Deploy(ctx, req)
	progress.finish()
	if n := red.Short() - short; n > 0 {
		fmt.Fprintln(errOut, "warning: "+redact.ShortWarning(n))
	}
	if report != nil && (err == nil || report.Plan != nil) {
		if werr := write(out, report, f.Format, color, ws.Config.StateBranch, planShown); werr != nil {
			return werr
		}
	}
	if err != nil {
		return red.Error(err)
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

func write(w io.Writer, report *usecase.DeployReport, format string, color bool, branch string, planShown bool) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(report)
	}
	if report.Plan != nil && !planShown {
		if err := render.Text(w, []*plan.Plan{report.Plan}, render.TextOptions{Color: color, Compact: true}); err != nil {
			return err
		}
	}
	if report.NoChanges {
		fmt.Fprintln(w, "Nothing to deploy; no deployment recorded.")
		return nil
	}
	writeJournal(w, report.DryRun, report.Targets, color)
	if d := report.Deployment; d != nil && report.Recorded {
		fmt.Fprintf(w, "Deployment %s %s; recorded on %s (%s).\n", d.ID, d.Status, branch, recordedCommit(report.Commits))
	}
	return nil
}

// recordedCommit names the last state-branch commit of a deployment.
func recordedCommit(commits []string) string {
	if len(commits) == 0 {
		return "no commit"
	}
	return "commit " + render.ShortSHA(commits[len(commits)-1])
}
