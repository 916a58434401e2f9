// Package usecase ties the domain packages into the jobs users run: validate
// a repository, plan an environment. Commands and the GitHub Action call
// these, so the desk and the pull request share one path.
package usecase

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/snapshot"
	"github.com/honua-io/honua-gitops/internal/validate"
)

// RecordedReader reads the last applied snapshot of an environment.
type RecordedReader interface {
	Recorded(ctx context.Context, env string) (*snapshot.Snapshot, plan.RecordedState, error)
}

// LiveReader plans an environment against the live state of one Honua
// target; TargetLive implements it through the target's driver.
type LiveReader interface {
	PlanLive(ctx context.Context, in plan.Input) (*apply.TargetPlan, error)
}

// Workspace is one configuration repository, loaded once.
type Workspace struct {
	Config *config.Config
	loader *loader.Loader
}

// OpenWorkspace reads honua-gitops.yaml (or defaults) at dir. Configuration
// problems are returned as an *app.InvalidInputError.
func OpenWorkspace(dir string) (*Workspace, error) {
	cfg, d := config.Load(dir)
	if d.HasErrors() {
		return nil, &app.InvalidInputError{Diagnostics: d}
	}
	return &Workspace{Config: cfg, loader: loader.New(cfg)}, nil
}

// Environments resolves the environments a command works on: the named one,
// or all of them.
func (w *Workspace) Environments(name string, all bool) ([]string, error) {
	if all || name == "" {
		// Several environments share environments/common: parse it once.
		w.loader.Retain = len(w.Config.Environments) > 1
		return w.Config.EnvironmentNames(), nil
	}
	if w.Config.Environment(name) == nil {
		return nil, app.FlagErrorf("unknown environment %q; known: %v", name, w.Config.EnvironmentNames())
	}
	return []string{name}, nil
}

// Desired loads and validates one environment. Invalid input comes back as
// an *app.InvalidInputError holding every problem.
func (w *Workspace) Desired(ctx context.Context, env string) (*loader.Environment, diag.List, error) {
	e, d := w.loader.Load(ctx, env)
	if e != nil {
		d = append(d, validate.Environment(w.Config.Environment(env), e)...)
	}
	d = d.Sort()
	if d.HasErrors() {
		return nil, d, &app.InvalidInputError{Diagnostics: d}
	}
	return e, d, nil
}

// Validate loads and checks every named environment and returns all
// problems, sorted and deduplicated (a common file's problem is reported
// once, not once per environment).
func (w *Workspace) Validate(ctx context.Context, envs []string) diag.List {
	var all diag.List
	for _, env := range envs {
		e, d := w.loader.Load(ctx, env)
		all = append(all, d...)
		if e != nil {
			all = append(all, validate.Environment(w.Config.Environment(env), e)...)
		}
	}
	return all.Sort()
}

// PlanRequest says what to plan against.
type PlanRequest struct {
	Environment string
	Recorded    RecordedReader
	// Live is optional; nil plans without live state and drift.
	Live LiveReader
}

// Plan computes the plan of one environment.
func (w *Workspace) Plan(ctx context.Context, req PlanRequest) (*plan.Plan, error) {
	desired, _, err := w.Desired(ctx, req.Environment)
	if err != nil {
		return nil, err
	}
	snap, recState, err := req.Recorded.Recorded(ctx, req.Environment)
	if err != nil {
		return nil, fmt.Errorf("read recorded state of %s: %w", req.Environment, err)
	}
	in := plan.Input{
		Environment:   req.Environment,
		Desired:       desired.Resources(),
		Recorded:      snap.Resources,
		Observed:      snap.Observed,
		RecordedState: recState,
	}
	p := plan.Compute(in)
	if h, ok := req.Recorded.(HistoryReader); ok {
		latest, found, err := h.Latest(ctx, req.Environment)
		if err != nil {
			return nil, err
		}
		if found {
			p.Notes = append(p.Notes, historyNotes(req.Environment, latest)...)
			if req.Live == nil {
				p.Notes = append(p.Notes, generationNotes(latest, in.Desired)...)
			}
		}
	}
	if req.Live != nil {
		tp, err := req.Live.PlanLive(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("read live state of %s: %w", req.Environment, err)
		}
		// The target's plan says which resources are observed, as the
		// target can hold them.
		notes := slices.DeleteFunc(p.Notes, func(n string) bool { return len(p.Observed) > 0 && n == plan.ObservedNote(p.Observed) })
		p = tp.Plan
		p.Notes = append(notes, p.Notes...)
	}
	return p, nil
}

// generationNotes says, before any target is contacted, what the
// environment's servers cannot hold, by the generations its last
// deployment recorded (a pull request's plan reads no server).
func generationNotes(s deploy.Summary, desired []*resource.Resource) []string {
	byGen := map[string][]string{}
	for name, g := range s.Generations {
		byGen[g] = append(byGen[g], name)
	}
	var out, targets []string
	for _, g := range slices.Sorted(maps.Keys(byGen)) {
		names := byGen[g]
		slices.Sort(names)
		targets = append(targets, fmt.Sprintf("%s (%s)", strings.Join(names, ", "), g))
	}
	if len(targets) > 0 {
		out = append(out, fmt.Sprintf("Targets as last deployed (%s): %s.", s.ID, strings.Join(targets, "; ")))
	}
	for _, g := range slices.Sorted(maps.Keys(byGen)) {
		names := byGen[g]
		slices.Sort(names)
		for _, n := range driver.Notes(g, desired) {
			out = append(out, fmt.Sprintf("%s (%s): %s", strings.Join(names, ", "), g, n))
		}
	}
	return out
}

// HistoryReader is implemented by recorded-state sources that know the
// deployment history (the state branch).
type HistoryReader interface {
	Latest(ctx context.Context, env string) (deploy.Summary, bool, error)
}

// historyNotes tells reviewers what the last deployment means for this
// plan: after a rollback, applying the repository re-applies what was
// rolled back; after a failure, recorded state holds what did land.
func historyNotes(env string, s deploy.Summary) []string {
	switch {
	case s.Kind == deploy.KindRollback && s.Status == deploy.Succeeded:
		return []string{fmt.Sprintf("%s was rolled back to deployment %s by %s at %s (deployment %s); applying this plan re-applies what was rolled back.",
			env, s.RollbackTo, s.Actor, s.FinishedAt.Format(time.RFC3339), s.ID)}
	case s.Status == deploy.Failed || s.Status == deploy.RolledBack || s.Status == deploy.Interrupted:
		return []string{fmt.Sprintf("The last deployment of %s (%s, %s) ended %s; recorded state holds exactly what it applied.", env, s.ID, s.Actor, s.Status)}
	case s.Status == deploy.Abandoned:
		return []string{fmt.Sprintf("The last deployment of %s (%s, %s) was abandoned: its run died holding the environment; what it wrote is not recorded, so plan with --target to see it as drift.", env, s.ID, s.Actor)}
	case !s.Status.Final():
		return []string{fmt.Sprintf("Deployment %s of %s is still %s.", s.ID, env, s.Status)}
	}
	return nil
}
