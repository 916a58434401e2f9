package action

import (
	"context"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/state"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// adoptMerged records, when the merged pull request is one the Action
// proposed for env (branch honua-gitops/import-env or
// honua-gitops/accept-drift-env), the resources the servers already hold as
// the merge has them, in a deployment that writes nothing. The apply that
// follows then finds no changes for them; whatever does not match (edited
// in review, or changed on the server since) it applies as usual.
func (r *runner) adoptMerged(ctx context.Context, env string, rev reviewed, targets []driver.Target, store *statebranch.Store) error {
	if rev.pr == nil {
		return nil
	}
	kind, proposed, ok := proposalOf(rev.pr.HeadRef)
	if !ok || proposed != env || rev.pr.Fork {
		return nil
	}
	rep, err := r.ws.Adopt(ctx, usecase.AdoptRequest{Environment: env, Targets: targets, Connect: r.connector(),
		Recorded: state.Branch{Store: store, Name: r.ws.Config.StateBranch}, Kind: kind,
		Source: deploy.Source{Commit: r.ev.SHA, Ref: r.ev.Ref, PR: rev.pr.Number},
		Branch: store, BranchName: r.ws.Config.StateBranch, Actor: r.ev.Actor, Now: r.deps.Now, Log: r.deps.Logger})
	if err != nil {
		return fmt.Errorf("%s: record the merged %s of #%d: %w", env, kind, rev.pr.Number, err)
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
	return nil
}
