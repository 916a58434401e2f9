package usecase

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/ledger"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// MinPlanHashPrefix is the shortest plan-hash prefix accepted (what the PR
// comment's table shows).
const MinPlanHashPrefix = 12

// CheckPlanHash validates a --plan-hash value: the full hash or a prefix
// of at least MinPlanHashPrefix hex digits.
func CheckPlanHash(h string) error {
	if h == "" {
		return nil
	}
	if _, err := hex.DecodeString(h + strings.Repeat("0", len(h)%2)); err != nil || len(h) < MinPlanHashPrefix || len(h) > 64 {
		return app.FlagErrorf("`--plan-hash %s` must be the plan's hash or a prefix of at least %d hex digits (the plan prints it as \"Plan hash: …\")", h, MinPlanHashPrefix)
	}
	return nil
}

func hashMatches(full, given string) bool {
	return given != "" && len(given) >= MinPlanHashPrefix && strings.HasPrefix(full, strings.ToLower(given))
}

// checkWorktree refuses uncommitted configuration changes: they would be
// applied and recorded under a commit that does not contain them.
func checkWorktree(req DeployRequest) error {
	wt := req.Worktree
	if wt == nil || !wt.Dirty || req.AllowDirty || req.Kind == deploy.KindRollback {
		return nil
	}
	paths := wt.Changes
	if len(paths) > 5 {
		paths = append(paths[:5:5], fmt.Sprintf("and %d more", len(wt.Changes)-5))
	}
	return &app.InputError{Err: fmt.Errorf("the configuration has uncommitted changes: %s. Commit them and apply the commit, or pass `--allow-dirty` to apply them anyway (the deployment is then recorded with Honua-Source-Dirty: true and the diff's hash)",
		strings.Join(paths, ", "))}
}

// checkContains refuses to deploy a commit that lacks the environment's
// deployed commit: a branch planned before another deployment would
// silently revert it.
func checkContains(ctx context.Context, req DeployRequest, pos *ledger.Position) error {
	deployed := pos.Index.Deployed
	if req.Contains == nil || req.AllowNonAncestor || req.Kind == deploy.KindRollback ||
		deployed == nil || deployed.SourceCommit == "" || deployed.SourceCommit == req.Source.Commit || req.Source.Commit == "" {
		return nil
	}
	contains, known, err := req.Contains(ctx, deployed.SourceCommit)
	if err != nil {
		return fmt.Errorf("check that commit %s contains the deployed commit %s: %w", render.ShortSHA(req.Source.Commit), render.ShortSHA(deployed.SourceCommit), err)
	}
	who := fmt.Sprintf("deployment %s by %s at %s", deployed.ID, deployed.Actor, deployed.FinishedAt.Format(time.RFC3339))
	switch {
	case known && !contains:
		return &app.RefusedError{Reason: fmt.Sprintf("commit %s does not contain commit %s, which is deployed to %s (%s): applying it would revert that deployment's changes. Nothing was applied; merge main into this branch (or rebase it) and apply again, or pass `--allow-non-ancestor` to apply it anyway",
			render.ShortSHA(req.Source.Commit), render.ShortSHA(deployed.SourceCommit), req.Environment, who)}
	case !known:
		return &app.RefusedError{Reason: fmt.Sprintf("cannot tell whether commit %s contains commit %s, which is deployed to %s (%s): the clone's history is too shallow. Nothing was applied; fetch more history (`git fetch --unshallow`) and apply again, or pass `--allow-non-ancestor`",
			render.ShortSHA(req.Source.Commit), render.ShortSHA(deployed.SourceCommit), req.Environment, who)}
	}
	return nil
}

// checkReviewed decides whether the plan may be applied under the
// reviewed hash. A plan that differs is refused — unless a deployment of
// the reviewed plan stopped part-way and what remains is part of it: the
// reviewed plan is rebuilt from that deployment's base snapshot and proven
// by its hash, and every remaining operation must be one of its operations
// (a constrained apply). It returns a note for reviewers when it allowed
// one.
func (w *Workspace) checkReviewed(ctx context.Context, l *ledger.Ledger, pos *ledger.Position, desired []*resource.Resource, approved string, p *plan.Plan) (string, error) {
	if approved == "" || hashMatches(p.Hash, approved) {
		return "", nil
	}
	refuse := func(extra string) error {
		return &app.RefusedError{Reason: fmt.Sprintf("plan changed since review: the reviewed plan was %s, the plan now is %s (shown above)%s; nothing was applied — review the new plan and deploy it",
			approved, p.Hash, extra)}
	}
	recent, err := pos.Recent()
	if err != nil {
		return "", err
	}
	for _, s := range recent {
		if !hashMatches(s.PlanHash, approved) {
			continue
		}
		if s.Status == deploy.Succeeded || s.Status == deploy.Refused {
			return "", refuse(fmt.Sprintf(" (deployment %s already %s the reviewed plan)", s.ID, s.Status))
		}
		rec, ok, err := pos.Record(s.ID)
		if err != nil || !ok {
			return "", refuse("")
		}
		var base, observed []*resource.Resource
		if rec.BaseSnapshot != "" {
			snap, err := l.SnapshotAt(ctx, rec.BaseSnapshot)
			if err != nil {
				return "", fmt.Errorf("read the snapshot deployment %s planned against: %w", s.ID, err)
			}
			base, observed = snap.Resources, snap.Observed
		}
		reviewed := plan.Compute(plan.Input{Environment: p.Environment, Desired: desired, Recorded: base, Observed: observed})
		if reviewed.Hash != s.PlanHash {
			return "", refuse(fmt.Sprintf(" (deployment %s of the reviewed plan %s, and the configuration differs from what it applied)", s.ID, s.Status))
		}
		if outside := p.Outside(reviewed); len(outside) > 0 {
			var subjects []string
			for _, c := range outside {
				subjects = append(subjects, string(c.Action)+" "+c.Subject())
			}
			return "", refuse(fmt.Sprintf(" and is not part of it: %s", strings.Join(subjects, ", ")))
		}
		return fmt.Sprintf("Constrained apply: deployment %s of the reviewed plan %s %s; the %d remaining changes are all part of that plan.",
			s.ID, render.ShortHash(s.PlanHash), s.Status, p.Summary.Total()), nil
	}
	return "", refuse("")
}

// CheckReviewed reports whether the plan p of env may be applied under the
// reviewed hash: the same rule Deploy applies, for callers (the Action)
// that decide before they announce a deployment. It returns the
// constrained-apply note, if any.
func (w *Workspace) CheckReviewed(ctx context.Context, branch StateBranch, branchName, env, approved string, p *plan.Plan) (string, error) {
	desired, _, err := w.Desired(ctx, env)
	if err != nil {
		return "", err
	}
	l := ledger.New(branch, ledger.Options{Name: branchName})
	pos, err := l.Position(ctx, env)
	if err != nil {
		return "", err
	}
	return w.checkReviewed(ctx, l, pos, desired.Resources(), approved, p)
}
