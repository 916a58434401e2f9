package usecase

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/sourceedit"
)

// AcceptedDriftFile is the file, in an environment's directory, where
// accepting drift puts overrides of resources the environment shares with
// the common directory.
const AcceptedDriftFile = "accepted-drift.yaml"

// AcceptRequest says whose drift to accept into git.
type AcceptRequest struct {
	Environment string
	Targets     []driver.Target
	Recorded    RecordedReader
	Connect     Connector
	// DryRun computes the files and writes nothing anywhere; NoRecord
	// writes the files but records nothing (the Action records when the
	// pull request merges).
	DryRun, NoRecord bool
	Branch           StateBranch
	BranchName       string
	Actor            string
	Now              func() time.Time
	Rand             io.Reader
	Log              *slog.Logger
}

// AcceptReport is what accepting drift did.
type AcceptReport struct {
	Environment string `json:"environment"`
	// Drift is each target's drift before it was accepted.
	Drift []DriftReport `json:"drift"`
	// Accepted names the resources whose files now hold the server's values.
	Accepted []string `json:"accepted"`
	// Skipped says which drift was not accepted, and why.
	Skipped    []string           `json:"skipped,omitempty"`
	Files      []ImportFile       `json:"files"`
	Deployment *deploy.Deployment `json:"deployment,omitempty"`
	Commit     string             `json:"commit,omitempty"`
}

// accepted is one resource whose server values are taken into git.
type accepted struct {
	item *loader.Item
	// want is the desired resource with the server's values; recorded is
	// the recorded one with them (what the server holds).
	want, recorded *resource.Resource
}

// AcceptDrift is the other remedy for drift: instead of overwriting the
// server from git, it rewrites the environment's files so that git says
// what the server holds (sourceedit: in place where it can, else an
// override in accepted-drift.yaml), checks that the repository now loads
// as exactly that, and records an accept-drift deployment that writes
// nothing, so the next plan is empty and drift is clean. Drift it cannot
// accept safely (a resource git also changes, targets that disagree, a
// value from a variable) is skipped with the reason; nothing is written
// when nothing can be accepted.
func (w *Workspace) AcceptDrift(ctx context.Context, req AcceptRequest) (*AcceptReport, error) {
	if req.Now == nil {
		req.Now = time.Now
	}
	env := w.Config.Environment(req.Environment)
	if env == nil {
		return nil, app.FlagErrorf("environment %q is not defined in honua-gitops.yaml (known: %s)", req.Environment, strings.Join(w.Config.EnvironmentNames(), ", "))
	}
	desired, _, err := w.Desired(ctx, req.Environment)
	if err != nil {
		return nil, err
	}
	snap, st, err := req.Recorded.Recorded(ctx, req.Environment)
	if err != nil {
		return nil, fmt.Errorf("read recorded state of %s: %w", req.Environment, err)
	}
	report := &AcceptReport{Environment: req.Environment, Files: []ImportFile{}, Accepted: []string{}}
	in := plan.Input{Environment: req.Environment, Desired: desired.Resources(), Recorded: snap.Resources, Observed: snap.Observed, RecordedState: st}
	values := map[resource.Identity]*resource.Resource{}
	disagree := map[resource.Identity]bool{}
	planned, err := planTargets(ctx, req.Targets, req.Connect, in)
	if err != nil {
		return report, err
	}
	var results []deploy.TargetResult
	for _, pt := range planned {
		t, tp := pt.Target, pt.Plan
		report.Drift = append(report.Drift, DriftReport{Environment: req.Environment, Target: t.Name, URL: t.URL, Drift: tp.Plan.Drift, PendingChanges: len(tp.Plan.Changes), Notes: tp.Plan.Notes})
		results = append(results, pt.Result)
		for id, v := range serverValues(tp, snap.Resources, &report.Skipped) {
			if prev, ok := values[id]; ok && !apply.SameContent(prev, v) {
				disagree[id] = true
			}
			values[id] = v
		}
	}
	todo := acceptable(desired, snap.Resources, values, disagree, &report.Skipped)
	if len(todo) == 0 {
		report.Skipped = sortedUnique(report.Skipped)
		return report, nil
	}
	todo, files, err := w.editFiles(env.Path, todo, report)
	if err != nil || req.DryRun || len(report.Accepted) == 0 {
		return report, err
	}
	if err := w.writeVerified(ctx, req.Environment, files, todo); err != nil {
		return report, err
	}
	if req.NoRecord || req.Branch == nil {
		return report, nil
	}
	var upserts []*resource.Resource
	for _, a := range todo {
		upserts = append(upserts, a.recorded)
	}
	report.Deployment, report.Commit, err = recordWithoutWrites(ctx, unwritten{
		Environment: req.Environment, Kind: deploy.KindAcceptDrift, Actor: req.Actor, Targets: results, Upsert: upserts,
		Start:  "accepting the server's values into git",
		Claim:  fmt.Sprintf("claimed %s to record %d accepted resources", req.Environment, len(upserts)),
		Done:   fmt.Sprintf("accepted the server's values of %d resources into git; nothing was written to the server", len(upserts)),
		Branch: req.Branch, BranchName: req.BranchName, Now: req.Now, Rand: req.Rand, Log: req.Log,
	})
	return report, err
}

// serverValues returns, for each resource that drifted on the target, the
// recorded resource with the server's values: the drift applied to it,
// secrets excepted (the server never returns them as written).
func serverValues(tp *apply.TargetPlan, recorded []*resource.Resource, skipped *[]string) map[resource.Identity]*resource.Resource {
	rec := index(recorded)
	live := map[resource.Identity]*resource.Resource{}
	for i := range tp.Live {
		l := &tp.Live[i]
		id := l.Resource.ID().Key()
		live[id] = l.Compared(rec[id])
	}
	out := map[resource.Identity]*resource.Resource{}
	for _, d := range tp.Plan.Drift {
		id := resource.Identity{Kind: d.Kind, Namespace: d.Namespace, Name: d.Name}
		switch d.Type {
		case plan.Unmanaged:
			*skipped = append(*skipped, d.Subject()+": exists on the server but was never applied; adopt it with `honua-gitops import`")
			continue
		case plan.Missing:
			*skipped = append(*skipped, d.Subject()+": missing from the server; remove it from git by hand to accept that, or apply to recreate it")
			continue
		}
		r, l := rec[id.Key()], live[id.Key()]
		if r == nil || l == nil {
			continue
		}
		var changes []diff.Change
		for _, c := range diff.Compare("", r.Object(), l.Object(), resource.ListKeysOf(r.Kind)) {
			if !plan.IsSensitive(r.Kind, c.Path, c.Before) && !plan.IsSensitive(r.Kind, c.Path, c.After) {
				changes = append(changes, c)
			}
		}
		v, err := patched(r, changes)
		if err != nil {
			*skipped = append(*skipped, d.Subject()+": "+err.Error())
			continue
		}
		out[id.Key()] = v
	}
	return out
}

// patched is r with changes applied.
func patched(r *resource.Resource, changes []diff.Change) (*resource.Resource, error) {
	obj, err := diff.Apply(r.Object(), changes)
	if err != nil {
		return nil, fmt.Errorf("cannot apply the server's values: %w", err)
	}
	m, ok := obj.(map[string]any)
	if !ok {
		return nil, errors.New("the server's values are not an object")
	}
	return resource.FromObject(m)
}

// acceptable pairs each server value with the desired resource it
// replaces, skipping those git also changes and those targets disagree on.
func acceptable(desired *loader.Environment, recorded []*resource.Resource, values map[resource.Identity]*resource.Resource, disagree map[resource.Identity]bool, skipped *[]string) []accepted {
	rec := index(recorded)
	items := map[resource.Identity]*loader.Item{}
	for _, it := range desired.Items {
		items[it.Resource.ID().Key()] = it
	}
	var out []accepted
	for id, v := range values {
		subject := v.ID().String()
		it := items[id]
		switch {
		case disagree[id]:
			*skipped = append(*skipped, subject+": the environment's targets hold different values; make them agree first")
			continue
		case it == nil:
			*skipped = append(*skipped, subject+": no longer in git; nothing to accept it into")
			continue
		case !apply.SameContent(it.Resource, rec[id]):
			*skipped = append(*skipped, subject+": git also changes it and that change is not applied yet; apply or revert it first")
			continue
		}
		changes := diff.Compare("", rec[id].Object(), v.Object(), resource.ListKeysOf(v.Kind))
		want, err := patched(it.Resource, changes)
		if err != nil {
			*skipped = append(*skipped, subject+": "+err.Error())
			continue
		}
		out = append(out, accepted{item: it, want: want, recorded: v})
	}
	slices.SortFunc(out, func(a, b accepted) int { return a.want.ID().Compare(b.want.ID()) })
	return out
}

// editFiles plans the file edits of todo, dropping (as skipped) the
// resources sourceedit refuses, and fills report.Files and Accepted.
func (w *Workspace) editFiles(envPath string, todo []accepted, report *AcceptReport) ([]accepted, map[string][]byte, error) {
	read := func(rel string) ([]byte, error) {
		return os.ReadFile(filepath.Join(w.Config.Root, filepath.FromSlash(rel)))
	}
	ed := sourceedit.New(envPath, path.Join(envPath, AcceptedDriftFile), read)
	byFile := map[string][]string{}
	var kept []accepted
	for _, a := range todo {
		var refused *sourceedit.RefusedError
		if err := ed.Resource(a.item, a.want); errors.As(err, &refused) {
			report.Skipped = append(report.Skipped, refused.Error())
			continue
		} else if err != nil {
			return nil, nil, err
		}
		kept = append(kept, a)
		report.Accepted = append(report.Accepted, a.want.ID().String())
	}
	names, files, err := ed.Files()
	if err != nil {
		return nil, nil, err
	}
	for _, a := range kept {
		f := a.item.Pos.File
		if _, ok := files[f]; !ok {
			f = path.Join(envPath, AcceptedDriftFile)
		}
		byFile[f] = append(byFile[f], a.want.ID().String())
	}
	for _, n := range names {
		report.Files = append(report.Files, ImportFile{Path: n, Resources: byFile[n], Content: string(files[n])})
	}
	report.Skipped = sortedUnique(report.Skipped)
	return kept, files, nil
}

// writeVerified writes files, then loads the environment again and checks
// that every accepted resource now reads as the server's values; if any
// does not, it puts every file back and fails.
func (w *Workspace) writeVerified(ctx context.Context, env string, files map[string][]byte, todo []accepted) error {
	old := map[string][]byte{}
	restore := func() {
		for rel := range files {
			p := filepath.Join(w.Config.Root, filepath.FromSlash(rel))
			if b, ok := old[rel]; ok {
				_ = os.WriteFile(p, b, 0o644)
			} else {
				_ = os.Remove(p)
			}
		}
	}
	for rel, data := range files {
		p := filepath.Join(w.Config.Root, filepath.FromSlash(rel))
		if b, err := os.ReadFile(p); err == nil {
			old[rel] = b
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			restore()
			return err
		}
	}
	fresh, err := OpenWorkspace(w.Config.Root)
	if err != nil {
		restore()
		return err
	}
	e, _, err := fresh.Desired(ctx, env)
	if err != nil {
		restore()
		return fmt.Errorf("the edited files do not load; nothing was changed: %w", err)
	}
	got := index(e.Resources())
	for _, a := range todo {
		if g := got[a.want.ID().Key()]; g == nil || !apply.SameContent(a.want, g) {
			restore()
			return fmt.Errorf("the edit of %s does not read back as the server's values; nothing was changed (edit it by hand)", a.want.ID())
		}
	}
	return nil
}

func index(rs []*resource.Resource) map[resource.Identity]*resource.Resource {
	m := make(map[resource.Identity]*resource.Resource, len(rs))
	for _, r := range rs {
		m[r.ID().Key()] = r
	}
	return m
}

func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
