package action

import (
	"context"
	"fmt"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// rollback returns one environment to the state a recorded deployment left
// (an id, or "previous"), shows the plan in the job summary, applies it
// through the same engine and records a rollback deployment.
func (r *runner) rollback(ctx context.Context) error {
	envs := r.in.Environments
	if len(envs) == 0 && r.ev.Inputs["environment"] != "" {
		envs = []string{r.ev.Inputs["environment"]}
	}
	if len(envs) != 1 {
		return app.FlagErrorf("rollback needs exactly one environment (input `environments`, or the dispatch input `environment`)")
	}
	env := envs[0]
	cfgEnv := r.ws.Config.Environment(env)
	if cfgEnv == nil {
		return app.FlagErrorf("unknown environment %q", env)
	}
	to := r.in.Deployment
	if v := r.ev.Inputs["deployment"]; v != "" && (to == "" || to == "previous") {
		to = v
	}
	steps := 0
	if to == "previous" || to == "" {
		to, steps = "", 1
	}
	store, err := r.stateBranch()
	if err != nil {
		return err
	}
	target, resources, err := usecase.RollbackTarget(ctx, store, env, to, steps)
	if err != nil {
		return err
	}
	restore, err := usecase.RollbackPriors(ctx, store, env, target.ID)
	if err != nil {
		return err
	}
	targets, err := r.targets(cfgEnv)
	if err != nil {
		return err
	}
	r.gha.Infof("rolling %s back to deployment %s", env, target.ID)
	gd := r.startGitHubDeployment(ctx, env, targets)
	stop, release := r.deps.Interrupt.Guard()
	defer release()
	req := r.deployRequest(env, targets, store)
	req.Stop = stop
	req.Kind, req.Desired, req.RollbackTo, req.Restore = deploy.KindRollback, resources, target.ID, restore
	req.Source = deploy.Source{Commit: target.SourceCommit, PR: target.PR}
	req.Reason = fmt.Sprintf("rollback dispatched by %s", r.ev.Actor)
	report, err := r.ws.Deploy(ctx, req)
	if report != nil && report.Plan != nil {
		r.summary(fmt.Sprintf("## Rollback of %s to deployment `%s`\n\n", env, target.ID) + markdownPlan(report.Plan))
	}
	result, p, err := r.finishDeploy(ctx, env, reviewed{}, report, err, gd)
	if result == "applied" {
		result = "rolled-back"
	}
	if p != nil {
		r.planOutputs([]*plan.Plan{p})
	}
	r.setOutput("result", result)
	return err
}
