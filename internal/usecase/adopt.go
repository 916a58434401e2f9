package usecase

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// AdoptRequest says which environment's merged import (or accepted drift)
// to record.
type AdoptRequest struct {
	Environment string
	Targets     []driver.Target
	Recorded    RecordedReader
	Connect     Connector
	// Kind is deploy.KindImport or deploy.KindAcceptDrift: what the merged
	// pull request proposed.
	Kind       deploy.Kind
	Source     deploy.Source
	Branch     StateBranch
	BranchName string
	Actor      string
	Now        func() time.Time
	Rand       io.Reader
	Log        *slog.Logger
}

// AdoptReport is what Adopt recorded.
type AdoptReport struct {
	Environment string `json:"environment"`
	// Adopted names the resources recorded as deployed without a write.
	Adopted []string `json:"adopted"`
	// Left names the resources the plan creates or updates that were not
	// adopted, and why: the apply that follows writes them.
	Left []string `json:"left,omitempty"`
	// Pending are the resources of Left.
	Pending    []resource.Identity `json:"-"`
	Deployment *deploy.Deployment  `json:"deployment,omitempty"`
	Commit     string              `json:"commit,omitempty"`
}

// Adopt records, after the Action's import or accept-drift pull request
// merged, the resources git now holds exactly as every target already
// does: each desired resource the plan would create or update is upserted
// into the recorded snapshot, through a deployment that writes nothing, when
// every target's live object has the desired content. The proposal itself
// records nothing (its resources stay unowned until review, so a plan on
// main never deletes them); this is the record of the reviewed merge.
// Resources that do not match (the server changed since the proposal, or the
// reviewer edited the files) are left to the normal apply, which writes them
// as it would any change. With nothing to adopt, nothing is recorded.
func (w *Workspace) Adopt(ctx context.Context, req AdoptRequest) (*AdoptReport, error) {
	if req.Now == nil {
		req.Now = time.Now
	}
	if req.Kind != deploy.KindImport && req.Kind != deploy.KindAcceptDrift {
		return nil, fmt.Errorf("adopt %s: kind %q is neither %s nor %s", req.Environment, req.Kind, deploy.KindImport, deploy.KindAcceptDrift)
	}
	if w.Config.Environment(req.Environment) == nil {
		return nil, app.FlagErrorf("environment %q is not defined in honua-gitops.yaml (known: %s)", req.Environment, strings.Join(w.Config.EnvironmentNames(), ", "))
	}
	if len(req.Targets) == 0 {
		return nil, app.FlagErrorf("environment %s has no targets to compare with", req.Environment)
	}
	desired, _, err := w.Desired(ctx, req.Environment)
	if err != nil {
		return nil, err
	}
	snap, st, err := req.Recorded.Recorded(ctx, req.Environment)
	if err != nil {
		return nil, fmt.Errorf("read recorded state of %s: %w", req.Environment, err)
	}
	report := &AdoptReport{Environment: req.Environment, Adopted: []string{}}
	in := plan.Input{Environment: req.Environment, Desired: desired.Resources(), Recorded: snap.Resources, RecordedState: st}
	if req.Kind == deploy.KindAcceptDrift {
		// Accepting drift changes what is owned only. A merged import is
		// `import` without --observe: what it holds as git does becomes
		// owned, observed before or not.
		in.Observed = snap.Observed
	}

	// A resource is adopted only when every target agrees; why holds the
	// first reason one did not.
	why := map[resource.Identity]string{}
	seen := map[resource.Identity]int{}
	planned, err := planTargets(ctx, req.Targets, req.Connect, in)
	if err != nil {
		return report, err
	}
	var results []deploy.TargetResult
	for _, pt := range planned {
		results = append(results, pt.Result)
		for id, reason := range matching(pt.Plan, pt.Target.Name) {
			seen[id]++
			if reason != "" && why[id] == "" {
				why[id] = reason
			}
		}
	}
	var adopt []*resource.Resource
	for _, r := range desired.Resources() {
		id := r.ID().Key()
		n, planned := seen[id]
		switch {
		case !planned:
			continue // no change to record
		case why[id] != "":
			report.Left = append(report.Left, r.ID().String()+": "+why[id])
			report.Pending = append(report.Pending, r.ID())
		case n < len(req.Targets):
			report.Left = append(report.Left, r.ID().String()+": not a change on every target")
			report.Pending = append(report.Pending, r.ID())
		default:
			adopt = append(adopt, r)
			report.Adopted = append(report.Adopted, r.ID().String())
		}
	}
	slices.Sort(report.Left)
	if len(adopt) == 0 || req.Branch == nil {
		return report, nil
	}
	dep, commit, err := recordWithoutWrites(ctx, unwritten{
		Environment: req.Environment, Kind: req.Kind, Actor: req.Actor, Source: req.Source,
		// An import's resources were never written by this repository, so
		// their server copies carry no ownership marks; the snapshot says
		// they are adopted, as the CLI's import does.
		Adopt:   req.Kind == deploy.KindImport,
		Targets: results, Upsert: adopt,
		Start:  fmt.Sprintf("recording the merged %s of %s", req.Kind, req.Environment),
		Claim:  fmt.Sprintf("claimed %s to record %d adopted resources", req.Environment, len(adopt)),
		Done:   fmt.Sprintf("recorded %d resources the servers already hold as git has them; nothing was written to the server", len(adopt)),
		Branch: req.Branch, BranchName: req.BranchName, Now: req.Now, Rand: req.Rand, Log: req.Log,
	})
	report.Deployment, report.Commit = dep, commit
	return report, err
}

// matching maps each resource tp creates or updates to "" when the
// target's live object already has the desired content, else to why not.
func matching(tp *apply.TargetPlan, target string) map[resource.Identity]string {
	desired := map[resource.Identity]*resource.Resource{}
	for _, r := range tp.Desired {
		desired[r.ID().Key()] = r
	}
	live := map[resource.Identity]*apply.LiveObject{}
	for i := range tp.Live {
		live[tp.Live[i].Resource.ID().Key()] = &tp.Live[i]
	}
	out := map[resource.Identity]string{}
	for _, c := range tp.Plan.Changes {
		if c.Action != plan.Create && c.Action != plan.Update {
			continue
		}
		id := resource.Identity{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}.Key()
		want, l := desired[id], live[id]
		switch {
		case c.RecordOnly:
			out[id] = "target " + target + " cannot hold it (apply records it)"
		case want == nil:
			out[id] = "target " + target + " cannot hold it as desired"
		case l == nil:
			out[id] = "target " + target + " does not hold it (apply creates it)"
		case !apply.SameContent(want, l.Compared(want)):
			out[id] = "target " + target + " holds other values (apply updates it)"
		default:
			out[id] = ""
		}
	}
	return out
}
