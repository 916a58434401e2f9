package usecase

import (
	"context"
	"fmt"

	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// TargetLive reads live state from one target through its driver: the
// LiveReader of `plan --target`.
type TargetLive struct {
	Target  driver.Target
	Connect Connector
}

// Live reads the target's resources.
func (t TargetLive) Live(ctx context.Context, _ string) ([]*resource.Resource, error) {
	d, err := t.Connect(ctx, t.Target)
	if err != nil {
		return nil, err
	}
	objs, err := d.Live(ctx)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", t.Target.Name, err)
	}
	out := make([]*resource.Resource, len(objs))
	for i, o := range objs {
		out[i] = o.Resource
	}
	return out, nil
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
		live, err := TargetLive{Target: t, Connect: connect}.Live(ctx, env)
		if err != nil {
			r.Error = err.Error()
			out = append(out, r)
			continue
		}
		p := plan.Compute(plan.Input{Environment: env, Desired: desired.Resources(), Recorded: snap.Resources, RecordedState: st, Live: live, LiveRead: true})
		r.Drift, r.PendingChanges = p.Drift, len(p.Changes)
		out = append(out, r)
	}
	return out, nil
}
