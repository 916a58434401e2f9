package action

import (
	"context"
	"fmt"
	"strings"

	engine "github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/state"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// adoption is what recording a merged proposal leaves to the apply after it.
type adoption struct {
	// reviewed is the plan from before the adoption, when one was recorded:
	// the plan the pull request reviewed, against which what is left is
	// checked (leftFromReview).
	reviewed *plan.Plan
	// takeOver is set when the only drift left is the merged import's own
	// resources that the server holds with other values than the reviewed
	// files (edited in review): applying them takes them over, which is
	// what the review approved, so the drift guard need not stop it.
	takeOver bool
}

// adoptMerged records, when the merged pull request is one the Action
// proposed for env (branch honua-gitops/import-env or
// honua-gitops/accept-drift-env), the resources the servers already hold as
// the merge has them, in a deployment that writes nothing. The apply that
// follows then finds no changes for them; whatever does not match (edited
// in review, or changed on the server since) it applies as usual.
func (r *runner) adoptMerged(ctx context.Context, env string, rev reviewed, targets []driver.Target, store *statebranch.Store) (adoption, error) {
	if rev.pr == nil {
		return adoption{}, nil
	}
	kind, proposed, ok := proposalOf(rev.pr.HeadRef)
	if !ok || proposed != env || rev.pr.Fork {
		return adoption{}, nil
	}
	recorded := state.Branch{Store: store, Name: r.ws.Config.StateBranch}
	before, err := r.ws.Plan(ctx, usecase.PlanRequest{Environment: env, Recorded: recorded})
	if err != nil {
		return adoption{}, err
	}
	rep, err := r.ws.Adopt(ctx, usecase.AdoptRequest{Environment: env, Targets: targets, Connect: r.connector(),
		Recorded: recorded, Kind: kind,
		Source: deploy.Source{Commit: r.ev.SHA, Ref: r.ev.Ref, PR: rev.pr.Number},
		Branch: store, BranchName: r.ws.Config.StateBranch, Actor: r.ev.Actor, Now: r.deps.Now, Log: r.deps.Logger})
	if err != nil {
		return adoption{}, fmt.Errorf("%s: record the merged %s of #%d: %w", env, kind, rev.pr.Number, err)
	}
	var b strings.Builder
	switch {
	case rep.Deployment != nil:
		r.gha.Infof("%s: recorded %s deployment %s of #%d: %d resources adopted, nothing written to the server", env, kind, rep.Deployment.ID, rev.pr.Number, len(rep.Adopted))
		r.setOutput("deployment-id", rep.Deployment.ID)
		fmt.Fprintf(&b, "### 📥 %s: %s of #%d recorded\n\nDeployment `%s` records %d resources the servers already hold as the merge has them; nothing was written to the server.\n\n",
			render.EscapeMarkdown(env), kind, rev.pr.Number, rep.Deployment.ID, len(rep.Adopted))
	default:
		fmt.Fprintf(&b, "### %s: nothing of #%d to record\n\nNo resource of the merged %s matches what the servers hold; the apply below writes what changed.\n\n", render.EscapeMarkdown(env), rev.pr.Number, kind)
	}
	if len(rep.Left) > 0 {
		b.WriteString("Left to the apply that follows:\n\n" + mdList(rep.Left, false) + "\n")
	}
	r.summary(b.String())
	out := adoption{}
	if rep.Deployment != nil {
		out.reviewed = before
	}
	if kind == deploy.KindImport && len(rep.Pending) > 0 {
		reports, err := r.ws.Drift(ctx, env, targets, recorded, r.connector())
		out.takeOver = err == nil && onlyTakingOver(reports, rep.Pending)
	}
	return out, nil
}

// onlyTakingOver reports whether every target's drift is an unmanaged
// object (the server has it, nothing recorded it) among pending: the
// import's resources whose reviewed files differ from the server. Any other
// drift (a hand edit since, a missing object) keeps the guard.
func onlyTakingOver(reports []usecase.DriftReport, pending []resource.Identity) bool {
	ours := map[resource.Identity]bool{}
	for _, id := range pending {
		ours[id.Key()] = true
	}
	for _, rep := range reports {
		if rep.Error != "" {
			return false
		}
		for _, d := range rep.Drift {
			id := resource.Identity{Kind: d.Kind, Namespace: d.Namespace, Name: d.Name}.Key()
			if d.Type != plan.Unmanaged || !ours[id] {
				return false
			}
		}
	}
	return true
}

// leftFromReview approves what is left to apply after an adoption: the
// reviewed plan was a.reviewed (its hash is the one the pull request's
// comment recorded), and every change left is one of its changes, so
// nothing is applied that was not reviewed. It returns the plan hash to
// deploy, or "" when p is not that.
func (r *runner) leftFromReview(env string, rev reviewed, a adoption, p *plan.Plan) string {
	if a.reviewed == nil || rev.marker == nil {
		return ""
	}
	st, found := rev.marker.Envs[env]
	if !found || st.Hash != a.reviewed.Hash || len(p.Outside(a.reviewed)) > 0 {
		return ""
	}
	r.gha.Noticef("%s: the merge recorded what the servers already held; the %d changes left are part of the plan #%d reviewed (%s)",
		env, p.Summary.Total(), rev.pr.Number, render.ShortHash(st.Hash))
	return p.Hash
}

// guard is the drift guard of env's apply after a: the input's, except that
// a merged import's reviewed takeover is not drift to stop for (it is
// reported, as with drift-guard: warn).
func (r *runner) guard(a adoption) engine.GuardMode {
	g := engine.GuardMode(r.in.DriftGuard)
	if a.takeOver && g == engine.GuardFail {
		return engine.GuardWarn
	}
	return g
}
