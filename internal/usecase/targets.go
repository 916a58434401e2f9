package usecase

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Connector opens a Honua target; driver.Open in production, fakes in tests.
type Connector func(ctx context.Context, t driver.Target) (apply.Driver, error)

// TargetReport is the outcome on one target.
type TargetReport struct {
	Name    string         `json:"name"`
	URL     string         `json:"url"`
	Outcome *apply.Outcome `json:"outcome,omitempty"`
	Error   string         `json:"error,omitempty"`
	err     error
}

// targetsErr summarises target outcomes as the error that sets the exit
// code: a refusal (drift guard) wins over a failure, and an interruption
// over both.
func targetsErr(env string, d *deploy.Deployment, targets []TargetReport, interrupted bool) error {
	var refused, failed []string
	applied, total := 0, 0
	for _, t := range targets {
		if t.Outcome != nil {
			applied += t.Outcome.Counts()[apply.Applied]
			total += len(t.Outcome.Results)
		}
	}
	see := ""
	if d != nil {
		see = fmt.Sprintf("; see `honua-gitops deployment %s`", d.ID)
	}
	if interrupted {
		return &InterruptedError{Message: fmt.Sprintf("deployment of %s was interrupted: %d of %d changes landed and are recorded; the environment is released — run apply again to finish%s", env, applied, total, see)}
	}
	for _, t := range targets {
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
		return &app.RefusedError{Reason: fmt.Sprintf("drift on %s: live state differs from recorded state; nothing was written there", strings.Join(refused, ", "))}
	case len(failed) > 0:
		return fmt.Errorf("deployment of %s failed on %s: %d of %d changes applied, and exactly those are recorded as the environment's state%s", env, strings.Join(failed, ", "), applied, total, see)
	}
	return nil
}

// InterruptedError is a deployment stopped by a signal (exit code 1); what
// landed is recorded.
type InterruptedError struct{ Message string }

func (e *InterruptedError) Error() string { return e.Message }

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

// plannedTarget is one target's plan with what to record of the target.
type plannedTarget struct {
	Target driver.Target
	Plan   *apply.TargetPlan
	Result deploy.TargetResult
}

// planTargets connects to every target and plans in against its live
// state, in order; the first target that cannot be read stops it. It is
// the read of the use cases that record without writing (accepting drift,
// adopting a merged proposal).
func planTargets(ctx context.Context, targets []driver.Target, connect Connector, in plan.Input) ([]plannedTarget, error) {
	out := make([]plannedTarget, 0, len(targets))
	for _, t := range targets {
		d, err := connect(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("target %s (%s): %w", t.Name, t.URL, err)
		}
		tp, err := apply.PlanTarget(ctx, d, in, apply.PlanOptions{})
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", t.Name, err)
		}
		out = append(out, plannedTarget{Target: t, Plan: tp, Result: deploy.TargetResult{Name: t.Name, URL: t.URL, Generation: d.Generation()}})
	}
	return out, nil
}
