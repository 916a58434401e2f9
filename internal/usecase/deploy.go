package usecase

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/ledger"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// StateBranch is the git branch that records deployments.
type StateBranch = ledger.Branch

// DeployRequest is one deployment of one environment.
type DeployRequest struct {
	Environment string
	Kind        deploy.Kind
	// Desired replaces the repository's desired state (a rollback's target
	// snapshot); nil means the repository.
	Desired []*resource.Resource
	// Restore, in a rollback, is what the server held before the
	// deployments being undone wrote, by target name (RollbackPriors).
	Restore map[string]map[resource.Identity][]apply.Prior
	// RollbackTo names the deployment a rollback returns to.
	RollbackTo string
	Targets    []driver.Target
	Connect    Connector
	// Engine carries the engine settings; Desired, Recorded and
	// Environment are filled in here.
	Engine apply.Request
	Branch StateBranch
	// BranchName is shown in messages ("honua-gitops/state").
	BranchName string
	// ApprovedPlanHash is the plan that was reviewed (the full hash or a
	// unique prefix of 12 or more hex digits); empty means the plan
	// computed at the start of this run. A different plan is refused,
	// unless what remains is part of the reviewed plan (a re-run after a
	// partial failure).
	ApprovedPlanHash string
	Actor, Reason    string
	Source           deploy.Source
	// Worktree is the state of the checkout; uncommitted changes are
	// refused unless AllowDirty.
	Worktree   *Worktree
	AllowDirty bool
	// Contains reports whether the commit being deployed contains another
	// commit (the environment's deployed one); known is false when the
	// clone's history cannot tell. Nil skips the check.
	Contains         func(ctx context.Context, ancestor string) (contains, known bool, err error)
	AllowNonAncestor bool
	// NoRefresh skips contacting the targets before claiming when there is
	// nothing to deploy.
	NoRefresh bool
	Approvers []string
	RunURL    string
	// Repository and RunID name the GitHub Actions run (recorded in the
	// claim, so that another run can tell whether it is alive).
	Repository string
	RunID      int64
	// RunAlive asks GitHub whether a claim's run is still in progress.
	RunAlive func(ctx context.Context, c *deploy.Claim) (alive, known bool)
	// ClaimTimeout is how long a claim holds before it counts as stale.
	ClaimTimeout time.Duration
	// WaitForClaim bounds how long to wait for another deployment's claim.
	WaitForClaim time.Duration
	// TakeOverStaleClaim allows taking a stale claim over.
	TakeOverStaleClaim bool
	// Stop, when closed, stops the deployment gracefully: no new writes,
	// in-flight ones finish, and what landed is recorded as interrupted.
	Stop <-chan struct{}
	// Review is called with the plan (drift included) once every target
	// passed its preflight, before anything is claimed; an error stops the
	// deployment with nothing recorded (the CLI asks for confirmation here).
	Review func(ctx context.Context, p *plan.Plan) error
	// Progress receives each operation's result as it finishes.
	Progress func(target string, r apply.Result)
	// Notice receives progress messages for people (waiting for a claim).
	Notice func(msg string)
	// Redact masks secret values in what is committed to the state branch.
	Redact func([]byte) []byte
	Now    func() time.Time
	Rand   io.Reader
	Sleep  func(context.Context, time.Duration) error
	Log    *slog.Logger
}

// Worktree is what the checkout holds beyond its commit.
type Worktree struct {
	// Dirty is set when configuration files differ from the commit.
	Dirty bool
	// Changes name the changed files ("environments/staging/x.yaml (modified)").
	Changes []string
	// DiffHash identifies the uncommitted diff.
	DiffHash string
}

// DeployReport is what a deployment did.
type DeployReport struct {
	Deployment *deploy.Deployment `json:"deployment,omitempty"`
	Plan       *plan.Plan         `json:"plan"`
	Targets    []TargetReport     `json:"targets"`
	// Recorded is true when the result was committed to the state branch.
	Recorded bool `json:"recorded"`
	// Commits are the state-branch commits written (intent, result).
	Commits []string `json:"commits,omitempty"`
	// NoChanges is true when there was nothing to deploy.
	NoChanges bool `json:"noChanges,omitempty"`
	DryRun    bool `json:"dryRun,omitempty"`
	// Interrupted is true when a signal stopped the deployment.
	Interrupted bool `json:"interrupted,omitempty"`
	// recorded is the snapshot the plan was computed against.
	recorded []*resource.Resource
}

// Err is the error that sets the exit code: a drift refusal wins over a
// failure.
func (r *DeployReport) Err() error {
	return targetsErr(r.envName(), r.Deployment, r.Targets, r.Interrupted)
}

func (r *DeployReport) envName() string {
	if r.Plan != nil {
		return r.Plan.Environment
	}
	return ""
}

// Deploy deploys one environment:
//
//  1. plan against the state branch (before any wait: this is the plan a
//     later re-plan must equal) and check it against what was reviewed,
//     the checkout (uncommitted changes) and the deployed commit (a branch
//     that lacks it would revert it);
//  2. preflight every target — reachable, authenticated, a generation we
//     drive, no drift the guard refuses — before anything is recorded;
//  3. claim the environment with an intent commit (package ledger);
//  4. apply to every target, stopping gracefully on Stop;
//  5. record exactly what landed and release the claim.
func (w *Workspace) Deploy(ctx context.Context, req DeployRequest) (*DeployReport, error) {
	req = withDeployDefaults(req)
	env := req.Environment
	desired := req.Desired
	if desired == nil {
		loaded, _, err := w.Desired(ctx, env)
		if err != nil {
			return nil, err
		}
		desired = loaded.Resources()
	}
	// Secrets are checked before anything is claimed or contacted.
	for _, r := range desired {
		if _, _, err := secret.Resolve(r, req.Engine.Secrets); err != nil {
			return nil, &app.InputError{Err: fmt.Errorf("%s: %w", r.ID(), err)}
		}
	}
	if len(req.Targets) == 0 {
		return nil, app.FlagErrorf("environment %s has no targets: name one with `--target URL`, or add targets to honua-gitops.yaml", env)
	}
	if err := checkWorktree(req); err != nil {
		return nil, err
	}
	id, err := deploy.NewID(req.Now(), req.Rand)
	if err != nil {
		return nil, err
	}
	d := deploy.New(id, env, req.Kind, req.Now())
	d.Actor, d.Reason, d.Source, d.Approvers, d.RunURL, d.RollbackTo = req.Actor, req.Reason, req.Source, req.Approvers, req.RunURL, req.RollbackTo
	if req.Worktree != nil && req.Worktree.Dirty {
		d.Dirty, d.DirtyHash = true, req.Worktree.DiffHash
	}
	must(d.Advance(deploy.Planning, req.Now(), "planning against the state branch"))
	report := &DeployReport{DryRun: req.Engine.Options.DryRun}
	l := ledger.New(req.Branch, ledger.Options{Name: req.BranchName, Now: req.Now, Sleep: req.Sleep, Log: req.Log, Notice: req.Notice, Redact: req.Redact})

	// 1. The plan before any wait, and the checks that need no server.
	pos, err := l.Position(ctx, env)
	if err != nil {
		return nil, err
	}
	first := planAt(pos, env, desired, req.BranchName)
	report.Plan, report.recorded = first, pos.Snapshot.Resources
	d.Plan = deploy.PlanInfo{Hash: first.Hash, Summary: first.Summary}
	note, err := w.checkReviewed(ctx, l, pos, desired, req.ApprovedPlanHash, first)
	if err != nil {
		return report, err
	}
	if note != "" {
		first.Notes = append(first.Notes, note)
	}
	if err := checkContains(ctx, req, pos); err != nil {
		return report, err
	}
	repair := req.Engine.Guard == apply.GuardOverwrite
	if !first.HasChanges() && !repair && req.NoRefresh {
		report.NoChanges = true
		return report, nil
	}

	// 2. Preflight: every target, before anything is recorded.
	engine := req.Engine
	engine.Environment, engine.Desired, engine.Recorded, engine.Observed, engine.Adopted = env, desired, pos.Snapshot.Resources, pos.Snapshot.Observed, pos.Snapshot.Adopted
	drivers, err := preflight(ctx, req, engine, first)
	if err != nil {
		return report, err
	}
	if !first.HasChanges() && !repair {
		report.NoChanges = true
		return report, nil
	}
	if !first.HasChanges() {
		d.Kind = deploy.KindDriftRepair
	}
	if req.Review != nil {
		if err := req.Review(ctx, first); err != nil {
			return report, err
		}
	}
	if stopped(req.Stop) {
		return report, ledger.ErrStopped
	}
	if report.DryRun {
		return w.dryRun(ctx, req, engine, drivers, report)
	}

	// 3. Claim. A re-plan after a wait or a lost race must equal the first.
	var observed []*resource.Resource
	var adopted map[resource.Identity]bool
	decide := func(pos *ledger.Position, waited bool) (string, error) {
		observed, adopted = pos.Snapshot.Observed, pos.Snapshot.Adopted
		p := planAt(pos, env, desired, req.BranchName)
		p.Notes, p.Drift, p.LiveRead = first.Notes, first.Drift, first.LiveRead
		report.Plan, report.recorded = p, pos.Snapshot.Resources
		if waited && p.Hash != first.Hash {
			return "", stateMoved(ctx, l, req, d, first, p, report)
		}
		if err := checkContains(ctx, req, pos); err != nil {
			return "", err
		}
		return fmt.Sprintf("claimed %s; applying %d changes to %d target(s)", env, p.Summary.Total(), len(req.Targets)), nil
	}
	claimed, err := l.Claim(ctx, d, ledger.ClaimPolicy{Timeout: req.ClaimTimeout, Wait: req.WaitForClaim, TakeOver: req.TakeOverStaleClaim,
		RunAlive: req.RunAlive, Stop: req.Stop, RunURL: req.RunURL, Repository: req.Repository, RunID: req.RunID}, decide)
	if err != nil || claimed == nil {
		return report, err
	}
	report.Deployment = d
	report.Commits = append(report.Commits, claimed.Commit)

	// 4. Apply, target by target.
	engine.Recorded, engine.Observed, engine.Adopted = report.recorded, observed, adopted
	engine.Options.Stop = req.Stop
	for i, t := range req.Targets {
		tr := TargetReport{Name: t.Name, URL: t.URL}
		if stopped(req.Stop) {
			tr.err, tr.Error = ledger.ErrInterruptedBeforeTarget, ledger.ErrInterruptedBeforeTarget.Error()
			report.Interrupted = true
			report.Targets = append(report.Targets, tr)
			continue
		}
		e := engine
		e.Restore = req.Restore[t.Name]
		if req.Progress != nil {
			name := t.Name
			e.Options.Progress = func(r apply.Result) { req.Progress(name, r) }
		}
		tr.Outcome, err = apply.Run(ctx, drivers[i], e)
		if err != nil {
			tr.err, tr.Error = err, err.Error()
		}
		if tr.Outcome != nil && tr.Outcome.Interrupted {
			report.Interrupted = true
		}
		report.Targets = append(report.Targets, tr)
	}
	if ctx.Err() != nil {
		report.Interrupted = true
	}

	// 5. Record exactly what landed, and release the claim.
	ledger.Finish(d, req.Now(), outcomes(report.Targets), report.Interrupted, req.Engine.Verify, report.Err())
	next := agreed(report.recorded, report.Targets)
	snapChanged := changed(report.recorded, next) || len(report.recorded) == 0
	commit, err := l.Record(ctx, d, ledger.Result{Snapshot: next, WriteSnapshot: snapChanged})
	if err != nil {
		return report, err
	}
	report.Recorded = true
	report.Commits = append(report.Commits, commit)
	return report, nil
}

// dryRun applies with the driver's dry run and records nothing.
func (w *Workspace) dryRun(ctx context.Context, req DeployRequest, engine apply.Request, drivers []apply.Driver, report *DeployReport) (*DeployReport, error) {
	for i, t := range req.Targets {
		tr := TargetReport{Name: t.Name, URL: t.URL}
		out, err := apply.Run(ctx, drivers[i], engine)
		tr.Outcome = out
		if err != nil {
			tr.err, tr.Error = err, err.Error()
		}
		report.Targets = append(report.Targets, tr)
	}
	return report, nil
}

// planAt plans desired against the snapshot recorded at pos.
func planAt(pos *ledger.Position, env string, desired []*resource.Resource, branch string) *plan.Plan {
	return plan.Compute(plan.Input{Environment: env, Desired: desired, Recorded: pos.Snapshot.Resources, Observed: pos.Snapshot.Observed,
		RecordedState: plan.RecordedState{Source: "state branch " + branch, Revision: pos.Revision()}})
}

// stateMoved records a deployment that stopped because recorded state
// changed while it waited, and returns the refusal.
func stateMoved(ctx context.Context, l *ledger.Ledger, req DeployRequest, d *deploy.Deployment, first, now *plan.Plan, report *DeployReport) error {
	reason := fmt.Sprintf("state moved: another deployment changed %s while this one waited; the plan is now %s (%d changes), not %s computed before waiting. Nothing was applied; re-run plan and review again",
		req.Environment, now.Hash, now.Summary.Total(), first.Hash)
	must(d.Advance(deploy.Refused, req.Now(), reason))
	report.Deployment = d
	commit, err := l.Record(ctx, d, ledger.Result{})
	if err != nil {
		return err
	}
	report.Recorded = true
	report.Commits = append(report.Commits, commit)
	return &app.RefusedError{Reason: reason}
}

func outcomes(targets []TargetReport) []ledger.TargetOutcome {
	out := make([]ledger.TargetOutcome, len(targets))
	for i, t := range targets {
		out[i] = ledger.TargetOutcome{Name: t.Name, URL: t.URL, Outcome: t.Outcome, Error: t.Error}
	}
	return out
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

func withDeployDefaults(req DeployRequest) DeployRequest {
	if req.Kind == "" {
		req.Kind = deploy.KindApply
	}
	if req.Now == nil {
		req.Now = time.Now
	}
	if req.ClaimTimeout <= 0 {
		req.ClaimTimeout = 30 * time.Minute
	}
	if req.WaitForClaim <= 0 {
		req.WaitForClaim = 10 * time.Minute
	}
	if req.Log == nil {
		req.Log = slog.New(slog.DiscardHandler)
	}
	if req.BranchName == "" {
		req.BranchName = "honua-gitops/state"
	}
	if req.Engine.Now == nil {
		req.Engine.Now = req.Now
	}
	return req
}

// must panics on a state machine misuse: a programming error, never input.
func must(err error) {
	if err != nil {
		panic(err)
	}
}
