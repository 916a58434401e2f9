package usecase

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/secret"
	"github.com/honua-io/honua-gitops/internal/snapshot"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// StateBranch is the git branch that records deployments.
type StateBranch interface {
	Read(ctx context.Context) (*statebranch.View, error)
	Commit(ctx context.Context, base *statebranch.View, c statebranch.Commit) (plumbing.Hash, error)
	Blob(ctx context.Context, h plumbing.Hash) ([]byte, error)
	BlobHashOf(data []byte) plumbing.Hash
}

// DeployRequest is one deployment of one environment.
type DeployRequest struct {
	Environment string
	Kind        deploy.Kind
	// Desired replaces the repository's desired state (a rollback's target
	// snapshot); nil means the repository.
	Desired []*resource.Resource
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
	// ApprovedPlanHash is the plan that was reviewed; empty means the plan
	// computed at the start of this run. A different plan after a race is
	// refused ("state moved"), never applied.
	ApprovedPlanHash string
	Actor, Reason    string
	Source           deploy.Source
	Approvers        []string
	RunURL           string
	// ClaimTimeout is how long a claim holds before it counts as stale.
	ClaimTimeout time.Duration
	// WaitForClaim bounds how long to wait for another deployment's claim.
	WaitForClaim time.Duration
	// TakeOverStaleClaim allows taking a stale claim over.
	TakeOverStaleClaim bool
	Now                func() time.Time
	Rand               io.Reader
	Sleep              func(context.Context, time.Duration) error
	Log                *slog.Logger
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
	// recorded is the snapshot the plan was computed against.
	recorded []*resource.Resource
}

// Err is the error that sets the exit code: a drift refusal wins over a
// failure.
func (r *DeployReport) Err() error {
	return targetsErr(r.envName(), r.Targets)
}

func (r *DeployReport) envName() string {
	if r.Plan != nil {
		return r.Plan.Environment
	}
	return ""
}

const maxCommitAttempts = 12

// Deploy plans the environment against the state branch, claims the
// environment with an intent commit, applies to every target, and records
// the result with a second commit. Every write to the branch is a
// compare-and-swap; after a lost race it re-reads and re-plans, and stops
// with "state moved" if the plan is no longer the approved one.
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
	id, err := deploy.NewID(req.Now(), req.Rand)
	if err != nil {
		return nil, err
	}
	d := deploy.New(id, env, req.Kind, req.Now())
	d.Actor, d.Reason, d.Source, d.Approvers, d.RunURL, d.RollbackTo = req.Actor, req.Reason, req.Source, req.Approvers, req.RunURL, req.RollbackTo
	must(d.Advance(deploy.Planning, req.Now(), "planning against the state branch"))
	report := &DeployReport{DryRun: req.Engine.Options.DryRun}

	claimed, err := w.claim(ctx, req, d, desired, report)
	if err != nil || !claimed {
		return report, err
	}

	engine := req.Engine
	engine.Environment, engine.Desired, engine.Recorded = env, desired, report.recorded
	for _, t := range req.Targets {
		tr := TargetReport{Name: t.Name, URL: t.URL}
		dr, err := req.Connect(ctx, t)
		if err == nil {
			tr.Outcome, err = apply.Run(ctx, dr, engine)
		}
		if err != nil {
			tr.err, tr.Error = err, err.Error()
		}
		report.Targets = append(report.Targets, tr)
	}
	if report.DryRun {
		return report, nil
	}
	finish(req, d, report)
	next := agreed(report.recorded, report.Targets)
	if err := w.recordResult(ctx, req, d, next, report); err != nil {
		return report, err
	}
	return report, nil
}

// claim takes the environment with an intent commit. It returns false with
// no error when there is nothing to deploy.
func (w *Workspace) claim(ctx context.Context, req DeployRequest, d *deploy.Deployment, desired []*resource.Resource, report *DeployReport) (bool, error) {
	env := req.Environment
	approved := req.ApprovedPlanHash
	deadline := req.Now().Add(req.WaitForClaim)
	took := ""
	raced := false // set once another deployment moved the branch under us
	for attempt := 1; ; attempt++ {
		view, err := req.Branch.Read(ctx)
		if err != nil {
			return false, fmt.Errorf("read state branch: %w", err)
		}
		claim, err := deploy.ReadClaim(view, env)
		if err != nil {
			return false, err
		}
		if claim != nil {
			if !claim.Stale(req.Now()) {
				if req.Now().After(deadline) {
					return false, &app.RefusedError{Reason: fmt.Sprintf("environment %s is held by deployment %s (%s, since %s); gave up waiting after %s",
						env, claim.Deployment, claim.Actor, claim.ClaimedAt.Format(time.RFC3339), req.WaitForClaim)}
				}
				if err := req.Sleep(ctx, backoff(attempt)); err != nil {
					return false, err
				}
				raced = true
				continue
			}
			if !req.TakeOverStaleClaim {
				return false, &app.RefusedError{Reason: fmt.Sprintf("environment %s is claimed by deployment %s (%s) since %s, longer than the %s claim timeout; if that run is gone, take the claim over with `--take-over-stale-claim`",
					env, claim.Deployment, claim.Actor, claim.ClaimedAt.Format(time.RFC3339), req.ClaimTimeout)}
			}
			took = fmt.Sprintf("; took over the stale claim of deployment %s (%s, since %s)", claim.Deployment, claim.Actor, claim.ClaimedAt.Format(time.RFC3339))
		}
		recorded, err := deploy.ReadSnapshot(view, env)
		if err != nil {
			return false, err
		}
		p := plan.Compute(plan.Input{Environment: env, Desired: desired, Recorded: recorded.Resources,
			RecordedState: plan.RecordedState{Source: "state branch " + req.BranchName, Revision: view.Tip.String()}})
		if view.Tip.IsZero() {
			p.Recorded.Revision = ""
		}
		report.Plan, report.recorded = p, recorded.Resources
		d.Plan = deploy.PlanInfo{Hash: p.Hash, Summary: p.Summary}
		if approved == "" {
			approved = p.Hash
		}
		if p.Hash != approved {
			if !raced {
				return false, &app.RefusedError{Reason: fmt.Sprintf("plan changed since review: the reviewed plan was %s, the plan now is %s (shown above); nothing was applied — review the new plan and deploy it",
					short(approved), short(p.Hash))}
			}
			return false, w.stateMoved(ctx, req, d, approved, p, report)
		}
		repair := req.Engine.Guard == apply.GuardOverwrite
		if !p.HasChanges() && !repair {
			report.NoChanges = true
			return false, nil
		}
		if !p.HasChanges() {
			d.Kind = deploy.KindDriftRepair
		}
		if report.DryRun {
			return true, nil
		}
		intent := *d
		intent.Transitions = append([]deploy.Transition(nil), d.Transitions...)
		msg := fmt.Sprintf("claimed %s; applying %d changes to %d target(s)%s", env, p.Summary.Total(), len(req.Targets), took)
		must(intent.Advance(deploy.Applying, req.Now(), msg))
		c := deploy.Claim{FormatVersion: deploy.FormatVersion, Deployment: d.ID, Actor: d.Actor, RunURL: d.RunURL,
			ClaimedAt: req.Now().UTC(), ExpiresAt: req.Now().Add(req.ClaimTimeout).UTC()}
		changes, err := recordChanges(view, &intent)
		if err != nil {
			return false, err
		}
		claimData, err := deploy.Encode(c)
		if err != nil {
			return false, err
		}
		changes = append(changes, statebranch.Change{Path: deploy.ClaimPath(env), Data: claimData})
		hash, err := req.Branch.Commit(ctx, view, statebranch.Commit{
			Subject: fmt.Sprintf("%s: %s %s (intent)", env, intent.Kind, d.ID), Body: msg,
			Trailers: trailers(&intent, "applying"), Changes: changes})
		if errors.Is(err, statebranch.ErrConflict) && attempt < maxCommitAttempts {
			raced = true
			req.Log.Info("state branch moved; re-reading", "environment", env, "attempt", attempt)
			if err := req.Sleep(ctx, backoff(attempt)); err != nil {
				return false, err
			}
			continue
		}
		if err != nil {
			return false, fmt.Errorf("claim %s on the state branch: %w", env, err)
		}
		*d = intent
		report.Deployment = d
		report.Commits = append(report.Commits, hash.String())
		return true, nil
	}
}

// stateMoved records a deployment that stopped because recorded state
// changed under it, and returns the refusal.
func (w *Workspace) stateMoved(ctx context.Context, req DeployRequest, d *deploy.Deployment, approved string, p *plan.Plan, report *DeployReport) error {
	reason := fmt.Sprintf("state moved: another deployment changed %s; the plan is now %s (%d changes), not the approved %s. Nothing was applied; re-run plan and review again",
		req.Environment, short(p.Hash), p.Summary.Total(), short(approved))
	must(d.Advance(deploy.Failed, req.Now(), reason))
	report.Deployment = d
	if !report.DryRun {
		if err := w.commitRecord(ctx, req, d, nil, false, report); err != nil {
			return err
		}
	}
	return &app.RefusedError{Reason: reason}
}

// finish moves the deployment to its end state from the target outcomes.
func finish(req DeployRequest, d *deploy.Deployment, report *DeployReport) {
	now := req.Now()
	var applied, failed, rolledBack int
	for _, t := range report.Targets {
		tr := deploy.TargetResult{Name: t.Name, URL: t.URL, Error: t.Error}
		if o := t.Outcome; o != nil {
			tr.Results, tr.Problems, tr.RolledBack = o.Results, o.Problems, o.RolledBack
			for _, r := range o.Results {
				switch r.Status {
				case apply.Applied:
					applied++
				case apply.Failed:
					failed++
				}
			}
			if len(o.RolledBack) > 0 {
				rolledBack++
			}
		}
		d.Targets = append(d.Targets, tr)
	}
	if req.Engine.Verify && report.Err() == nil {
		must(d.Advance(deploy.Verifying, now, fmt.Sprintf("%d writes applied; reading live state back", applied)))
	}
	if err := report.Err(); err != nil {
		must(d.Advance(deploy.Failed, now, fmt.Sprintf("%d writes applied, %d failed: %s", applied, failed, firstLine(err.Error()))))
		if rolledBack > 0 {
			must(d.Advance(deploy.RollingBack, now, "reverting what this deployment changed"))
			must(d.Advance(deploy.RolledBack, now, fmt.Sprintf("rolled back on %d target(s)", rolledBack)))
		}
		return
	}
	must(d.Advance(deploy.Succeeded, now, fmt.Sprintf("%d writes applied and verified on %d target(s)", applied, len(report.Targets))))
}

// recordResult writes the result commit: the new snapshot, the final
// record and index, and the claim released.
func (w *Workspace) recordResult(ctx context.Context, req DeployRequest, d *deploy.Deployment, next []*resource.Resource, report *DeployReport) error {
	data, err := snapshot.New(req.Environment, next).Marshal()
	if err != nil {
		return err
	}
	snapChanged := changed(report.recorded, next)
	if snapChanged || report.recordedEmpty() {
		d.Snapshot = req.Branch.BlobHashOf(data).String()
	}
	return w.commitRecord(ctx, req, d, data, snapChanged || report.recordedEmpty(), report)
}

func (r *DeployReport) recordedEmpty() bool { return len(r.recorded) == 0 }

// commitRecord commits the record and index (and the snapshot when given),
// releasing the environment's claim if this deployment holds it. It
// retries on a moved branch: the environment is ours or the record is new,
// so rebuilding the same changes on the new tip is always right.
func (w *Workspace) commitRecord(ctx context.Context, req DeployRequest, d *deploy.Deployment, snap []byte, writeSnap bool, report *DeployReport) error {
	env := req.Environment
	for attempt := 1; ; attempt++ {
		view, err := req.Branch.Read(ctx)
		if err != nil {
			return fmt.Errorf("read state branch: %w", err)
		}
		if d.Snapshot == "" {
			if h, ok, err := view.BlobHash(deploy.SnapshotPath(env)); err == nil && ok {
				d.Snapshot = h.String()
			}
		}
		changes, err := recordChanges(view, d)
		if err != nil {
			return err
		}
		if writeSnap {
			changes = append(changes, statebranch.Change{Path: deploy.SnapshotPath(env), Data: snap})
		}
		if c, err := deploy.ReadClaim(view, env); err == nil && c != nil && c.Deployment == d.ID {
			changes = append(changes, statebranch.Change{Path: deploy.ClaimPath(env), Delete: true})
		}
		hash, err := req.Branch.Commit(ctx, view, statebranch.Commit{
			Subject: fmt.Sprintf("%s: %s %s %s", env, d.Kind, d.ID, d.Status), Body: lastMessage(d),
			Trailers: trailers(d, string(d.Status)), Changes: changes})
		if errors.Is(err, statebranch.ErrConflict) && attempt < maxCommitAttempts {
			if err := req.Sleep(ctx, backoff(attempt)); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("record deployment %s on the state branch: %w (the servers were changed; the claim stays until it times out)", d.ID, err)
		}
		report.Recorded = true
		report.Commits = append(report.Commits, hash.String())
		return nil
	}
}

func recordChanges(view *statebranch.View, d *deploy.Deployment) ([]statebranch.Change, error) {
	ix, err := deploy.ReadIndex(view, d.Environment)
	if err != nil {
		return nil, err
	}
	rc, err := deploy.ReadRecent(view, d.Environment)
	if err != nil {
		return nil, err
	}
	deploy.Put(ix, rc, d.Summarize())
	var changes []statebranch.Change
	for path, v := range map[string]any{deploy.RecordPath(d.Environment, d.ID): d, deploy.IndexPath(d.Environment): ix, deploy.RecentPath(d.Environment): rc} {
		data, err := deploy.Encode(v)
		if err != nil {
			return nil, err
		}
		changes = append(changes, statebranch.Change{Path: path, Data: data})
	}
	return changes, nil
}

// trailers are the git trailers of a deployment commit.
func trailers(d *deploy.Deployment, result string) []statebranch.Trailer {
	t := []statebranch.Trailer{
		{Key: "Honua-Environment", Value: d.Environment},
		{Key: "Honua-Deployment", Value: d.ID},
		{Key: "Honua-Kind", Value: string(d.Kind)},
	}
	add := func(k, v string) {
		if v = oneLine(v); v != "" {
			t = append(t, statebranch.Trailer{Key: k, Value: v})
		}
	}
	add("Honua-Source-Commit", d.Source.Commit)
	if d.Source.PR > 0 {
		add("Honua-PR", fmt.Sprint(d.Source.PR))
	}
	add("Honua-Plan-Hash", d.Plan.Hash)
	add("Honua-Actor", d.Actor)
	add("Honua-Approvers", strings.Join(d.Approvers, ", "))
	add("Honua-Run-Url", d.RunURL)
	add("Honua-Rollback-To", d.RollbackTo)
	add("Honua-Result", result)
	return t
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
	if req.Sleep == nil {
		req.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
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

// backoff grows to about two seconds with jitter, so racing processes
// spread out.
func backoff(attempt int) time.Duration {
	d := time.Duration(min(attempt, 8)) * 250 * time.Millisecond
	return d/2 + time.Duration(time.Now().UnixNano()%int64(d/2+1))
}

func lastMessage(d *deploy.Deployment) string {
	if n := len(d.Transitions); n > 0 {
		return d.Transitions[n-1].Message
	}
	return ""
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// must panics on a state machine misuse: a programming error, never input.
func must(err error) {
	if err != nil {
		panic(err)
	}
}
