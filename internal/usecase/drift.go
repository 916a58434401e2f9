package usecase

import (
	"context"
	"fmt"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/plan"
)

// TargetLive plans against one target through its driver: the LiveReader
// of `plan --target` and of drift.
type TargetLive struct {
	Target  driver.Target
	Connect Connector
	// Unowned also fingerprints what the repository does not own.
	Unowned bool
}

// PlanLive connects to the target and plans in against its live state.
func (t TargetLive) PlanLive(ctx context.Context, in plan.Input) (*apply.TargetPlan, error) {
	d, err := t.Connect(ctx, t.Target)
	if err != nil {
		return nil, err
	}
	tp, err := apply.PlanTarget(ctx, d, in, apply.PlanOptions{Unowned: t.Unowned})
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", t.Target.Name, err)
	}
	return tp, nil
}

// BaselineReader is implemented by recorded-state sources that keep
// deployment records (the state branch): the fingerprints of unowned
// facets a target's last recorded deployment left.
type BaselineReader interface {
	UnownedBaseline(ctx context.Context, env, target string) (map[string]map[string]string, string, error)
}

// DriftReport is the drift of one environment on one target.
type DriftReport struct {
	Environment string       `json:"environment"`
	Target      string       `json:"target"`
	URL         string       `json:"url"`
	Drift       []plan.Drift `json:"drift"`
	Error       string       `json:"error,omitempty"`
	// Changes counts what an apply would still do (desired vs recorded).
	PendingChanges int `json:"pendingChanges"`
	// Notes are the target's remarks: what its server cannot hold.
	Notes []string `json:"notes,omitempty"`
	// Unowned says which facets the repository does not own changed on
	// the server since the last deployment recorded them: not drift (they
	// count for neither the exit code nor the drift guard), never written.
	Unowned []string `json:"unowned,omitempty"`
}

// Drift compares each target's live state with the recorded state.
func (w *Workspace) Drift(ctx context.Context, env string, targets []driver.Target, recorded RecordedReader, connect Connector) ([]DriftReport, error) {
	desired, _, err := w.Desired(ctx, env)
	if err != nil {
		return nil, err
	}
	snap, st, err := recorded.Recorded(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("read recorded state of %s: %w", env, err)
	}
	var out []DriftReport
	for _, t := range targets {
		r := DriftReport{Environment: env, Target: t.Name, URL: t.URL, Drift: []plan.Drift{}}
		tp, err := TargetLive{Target: t, Connect: connect, Unowned: true}.PlanLive(ctx, plan.Input{Environment: env, Desired: desired.Resources(), Recorded: snap.Resources, Observed: snap.Observed, RecordedState: st})
		if err != nil {
			r.Error = err.Error()
			out = append(out, r)
			continue
		}
		r.Drift, r.PendingChanges, r.Notes = tp.Plan.Drift, len(tp.Plan.Changes), tp.Plan.Notes
		if br, ok := recorded.(BaselineReader); ok && tp.Unowned != nil {
			baseline, id, err := br.UnownedBaseline(ctx, env, t.Name)
			if err != nil {
				return nil, err
			}
			r.Unowned = apply.UnownedChanges(baseline, tp.Unowned, "deployment "+id)
		}
		out = append(out, r)
	}
	return out, nil
}
