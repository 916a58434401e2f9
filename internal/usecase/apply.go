package usecase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/secret"
	"github.com/honua-io/honua-gitops/internal/snapshot"
)

// RecordedWriter records what was applied.
type RecordedWriter interface {
	Write(ctx context.Context, env string, s *snapshot.Snapshot) error
}

// Connector opens a Honua target; driver.Open in production, fakes in tests.
type Connector func(ctx context.Context, t driver.Target) (apply.Driver, error)

// ApplyRequest is one apply of one environment to its targets.
type ApplyRequest struct {
	Environment string
	Targets     []driver.Target
	Recorded    RecordedReader
	// Store records the new state; nil in a dry run.
	Store   RecordedWriter
	Connect Connector
	// Engine carries the engine settings; Desired, Recorded and
	// Environment are filled in here.
	Engine apply.Request
	// ExpectedPlanHash, when set, refuses to apply a plan that differs from
	// the one reviewed.
	ExpectedPlanHash string
	Log              *slog.Logger
}

// TargetReport is the outcome on one target.
type TargetReport struct {
	Name    string         `json:"name"`
	URL     string         `json:"url"`
	Outcome *apply.Outcome `json:"outcome,omitempty"`
	Error   string         `json:"error,omitempty"`
	err     error
}

// ApplyReport is the outcome of an apply on every target.
type ApplyReport struct {
	Environment string         `json:"environment"`
	Plan        *plan.Plan     `json:"plan"`
	DryRun      bool           `json:"dryRun"`
	Targets     []TargetReport `json:"targets"`
	// Recorded is true when the new state was written.
	Recorded bool `json:"recorded"`
}

// Err summarises the report as the error that sets the exit code: a
// refusal (drift guard) wins over a failure.
func (r *ApplyReport) Err() error {
	var refused, failed []string
	for _, t := range r.Targets {
		var de *apply.DriftError
		switch {
		case errors.As(t.err, &de):
			refused = append(refused, t.Name)
		case t.err != nil, t.Outcome != nil && t.Outcome.Failed():
			failed = append(failed, t.Name)
		}
	}
	switch {
	case len(refused) > 0:
		return &app.RefusedError{Reason: fmt.Sprintf("drift on %v: live state differs from recorded state", refused)}
	case len(failed) > 0:
		return fmt.Errorf("apply of %s failed on %v; the journal above says what was applied", r.Environment, failed)
	}
	return nil
}

// Apply plans the environment against recorded state and applies it to
// every target, then records exactly what landed everywhere.
func (w *Workspace) Apply(ctx context.Context, req ApplyRequest) (*ApplyReport, error) {
	desired, _, err := w.Desired(ctx, req.Environment)
	if err != nil {
		return nil, err
	}
	snap, recState, err := req.Recorded.Recorded(ctx, req.Environment)
	if err != nil {
		return nil, fmt.Errorf("read recorded state of %s: %w", req.Environment, err)
	}
	p := plan.Compute(plan.Input{Environment: req.Environment, Desired: desired.Resources(), Recorded: snap.Resources, RecordedState: recState})
	if req.ExpectedPlanHash != "" && req.ExpectedPlanHash != p.Hash {
		return nil, &app.RefusedError{Reason: fmt.Sprintf("plan changed since review: reviewed %s, now %s; re-run plan and review again", short(req.ExpectedPlanHash), short(p.Hash))}
	}
	if len(req.Targets) == 0 {
		return nil, app.FlagErrorf("environment %s has no targets: name one with `--target URL`, or add targets to honua-gitops.yaml", req.Environment)
	}
	report := &ApplyReport{Environment: req.Environment, Plan: p, DryRun: req.Engine.Options.DryRun}
	engine := req.Engine
	engine.Environment = req.Environment
	engine.Desired = desired.Resources()
	engine.Recorded = snap.Resources
	for _, t := range req.Targets {
		tr := TargetReport{Name: t.Name, URL: t.URL}
		d, err := req.Connect(ctx, t)
		if err == nil {
			tr.Outcome, err = apply.Run(ctx, d, engine)
		}
		if err != nil {
			if _, ok := errors.AsType[*secret.MissingError](err); ok {
				// The same for every target; nothing was written.
				return nil, &app.InputError{Err: err}
			}
			tr.err, tr.Error = err, err.Error()
		}
		report.Targets = append(report.Targets, tr)
	}
	if req.Store == nil || report.DryRun {
		return report, nil
	}
	next := agreed(snap.Resources, report.Targets)
	if changed(snap.Resources, next) {
		if err := req.Store.Write(ctx, req.Environment, snapshot.New(req.Environment, next)); err != nil {
			return report, fmt.Errorf("apply ran, but recording state failed: %w", err)
		}
		report.Recorded = true
	}
	return report, nil
}

// agreed is the state to record across targets: a resource's new version
// counts only when every target's outcome recorded it; otherwise the
// previous record stands, so a re-run converges the target that failed.
func agreed(recorded []*resource.Resource, targets []TargetReport) []*resource.Resource {
	prev := make(map[resource.Identity]*resource.Resource, len(recorded))
	for _, r := range recorded {
		prev[r.ID().Key()] = r
	}
	var states []map[resource.Identity]*resource.Resource
	for _, t := range targets {
		if t.Outcome == nil {
			return recorded // a target that never ran changed nothing we can claim
		}
		m := make(map[resource.Identity]*resource.Resource, len(t.Outcome.Recorded))
		for _, r := range t.Outcome.Recorded {
			m[r.ID().Key()] = r
		}
		states = append(states, m)
	}
	ids := map[resource.Identity]bool{}
	for id := range prev {
		ids[id] = true
	}
	for _, s := range states {
		for id := range s {
			ids[id] = true
		}
	}
	var out []*resource.Resource
	for id := range ids {
		first := states[0][id]
		same := true
		for _, s := range states[1:] {
			if !sameVersion(first, s[id]) {
				same = false
				break
			}
		}
		switch {
		case same && first != nil:
			out = append(out, first)
		case !same && prev[id] != nil:
			out = append(out, prev[id])
		}
	}
	return out
}

func sameVersion(a, b *resource.Resource) bool {
	if a == nil || b == nil {
		return a == b
	}
	return resource.Equal(a.Object(), b.Object())
}

func changed(a, b []*resource.Resource) bool {
	if len(a) != len(b) {
		return true
	}
	m := make(map[resource.Identity]*resource.Resource, len(a))
	for _, r := range a {
		m[r.ID().Key()] = r
	}
	for _, r := range b {
		if !sameVersion(m[r.ID().Key()], r) {
			return true
		}
	}
	return false
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
