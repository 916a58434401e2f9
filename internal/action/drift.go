package action

import (
	"context"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/githubapi"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/state"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// DriftLabel marks the issues the drift job manages.
const DriftLabel = "honua-gitops-drift"

func driftMarker(env string) string { return "<!-- honua-gitops:drift env=" + env + " -->" }

// drift checks every environment's targets and keeps one GitHub issue per
// environment in step: opened (or reopened) with the drift, updated while
// it lasts, closed when it is gone.
func (r *runner) drift(ctx context.Context) error {
	envs := r.in.Environments
	if len(envs) == 0 {
		envs = r.ws.Config.EnvironmentNames()
	}
	store, err := r.stateBranch()
	if err != nil {
		return err
	}
	recorded := state.Branch{Store: store, Name: r.ws.Config.StateBranch}
	var issues []githubapi.Issue
	if r.gh != nil {
		if issues, err = r.gh.FindIssues(ctx, DriftLabel); err != nil {
			r.gha.Warningf("could not list drift issues: %v", err)
			issues = nil
		}
	}
	drifted, failed := 0, 0
	var summary strings.Builder
	summary.WriteString("## Honua drift\n\n| Environment | Target | Drift |\n| --- | --- | --- |\n")
	for _, env := range envs {
		cfgEnv := r.ws.Config.Environment(env)
		if cfgEnv == nil {
			return app.FlagErrorf("unknown environment %q", env)
		}
		targets, err := r.targets(cfgEnv)
		if err != nil {
			r.gha.Warningf("%s: %v", env, err)
			failed++
			continue
		}
		reports, err := r.ws.Drift(ctx, env, targets, recorded, r.connector())
		if err != nil {
			return err
		}
		var body strings.Builder
		n := 0
		for _, rep := range reports {
			switch {
			case rep.Error != "":
				failed++
				fmt.Fprintf(&summary, "| %s | %s | ⚠️ %s |\n", render.MarkdownCell(env), render.MarkdownCell(rep.Target), render.MarkdownCell(rep.Error))
			case len(rep.Drift) == 0:
				fmt.Fprintf(&summary, "| %s | %s | none |\n", render.MarkdownCell(env), render.MarkdownCell(rep.Target))
			default:
				n += len(rep.Drift)
				fmt.Fprintf(&summary, "| %s | %s | %d drifted |\n", render.MarkdownCell(env), render.MarkdownCell(rep.Target), len(rep.Drift))
				fmt.Fprintf(&body, "#### %s\n\n%s\n", render.MarkdownCell(rep.Target), driftMarkdown(rep.Drift))
			}
		}
		if n > 0 {
			drifted++
		}
		r.syncDriftIssue(ctx, env, issues, n, body.String())
	}
	r.summary(summary.String())
	result := "no-drift"
	if drifted > 0 {
		result = "drift"
	}
	r.setOutput("result", result)
	r.setOutput("has-changes", fmt.Sprint(drifted > 0))
	if failed > 0 {
		return fmt.Errorf("drift could not be checked on %d target(s); see the warnings", failed)
	}
	return nil
}

func (r *runner) syncDriftIssue(ctx context.Context, env string, issues []githubapi.Issue, drifted int, details string) {
	if r.gh == nil {
		return
	}
	var existing *githubapi.Issue
	for i := range issues {
		if strings.Contains(issues[i].Body, driftMarker(env)) {
			existing = &issues[i]
			break
		}
	}
	title := fmt.Sprintf("Drift in %s: %d resource(s) differ from what was applied", env, drifted)
	body := fmt.Sprintf("%s\nLive Honua state of **%s** differs from what honua-gitops last applied (checked by [this run](%s)).\n\n%s\nTwo remedies:\n\n"+
		"- **Overwrite the server from git:** dispatch this workflow with `command: apply`, `environments: %s` and `drift-guard: overwrite` (CLI: `honua-gitops apply --env %s --drift-guard=overwrite`).\n"+
		"- **Accept the server's values into git:** dispatch `command: accept-drift` with `environments: %s`, which opens a pull request from `honua-gitops/accept-drift-%s`; merging it records a deployment that writes nothing (CLI: `honua-gitops drift --env %s --accept`).\n\n"+
		"This issue closes itself when the drift is gone.\n",
		driftMarker(env), env, r.ev.RunURL, details, env, env, env, env, env)
	switch {
	case drifted > 0 && existing == nil:
		if _, err := r.gh.CreateIssue(ctx, title, body, []string{DriftLabel}); err != nil {
			r.gha.Warningf("could not open the drift issue for %s: %v", env, err)
		}
	case drifted > 0:
		if _, err := r.gh.UpdateIssue(ctx, existing.Number, title, body, "open"); err != nil {
			r.gha.Warningf("could not update drift issue #%d: %v", existing.Number, err)
		}
	case existing != nil && existing.State == "open":
		if err := r.gh.CommentOnIssue(ctx, existing.Number, fmt.Sprintf("No drift in %s any more ([run](%s)); closing.", env, r.ev.RunURL)); err != nil {
			r.gha.Warningf("could not comment on drift issue #%d: %v", existing.Number, err)
		}
		if _, err := r.gh.UpdateIssue(ctx, existing.Number, "", "", "closed"); err != nil {
			r.gha.Warningf("could not close drift issue #%d: %v", existing.Number, err)
		}
	}
}

func driftMarkdown(ds []plan.Drift) string {
	var b strings.Builder
	b.WriteString("| Resource | Drift | Fields |\n| --- | --- | --- |\n")
	for _, d := range ds {
		var fields []string
		for _, f := range d.Changes {
			fields = append(fields, "`"+f.Path+"`")
		}
		typ := string(d.Type)
		if d.Observed {
			typ += " (observed)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", d.Subject(), typ, strings.Join(fields, ", "))
	}
	return b.String()
}

// status writes every environment's position to the job summary.
func (r *runner) status(ctx context.Context) error {
	store, err := r.stateBranch()
	if err != nil {
		return err
	}
	envs := r.in.Environments
	if len(envs) == 0 {
		envs = r.ws.Config.EnvironmentNames()
	}
	st, err := usecase.Status(ctx, store, envs, nil)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("## Honua deployments\n\n| Environment | Deployed | Last deployment | Result |\n| --- | --- | --- | --- |\n")
	for _, s := range st {
		deployed, last, result := "-", "never deployed", "-"
		if s.Deployed != nil {
			deployed = "`" + render.ShortHash(s.Deployed.SourceCommit) + "`"
			if s.RolledBack() {
				deployed = "rolled back to `" + s.Deployed.RollbackTo + "`"
			}
		}
		if s.Latest != nil {
			last, result = "`"+s.Latest.ID+"` "+string(s.Latest.Kind), string(s.Latest.Status)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", s.Environment, deployed, last, result)
	}
	r.summary(b.String())
	r.setOutput("result", "ok")
	return nil
}
