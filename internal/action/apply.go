package action

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/app"
	engine "github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/githubapi"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/prcomment"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/state"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// reviewed is what the merged pull request's comment says was reviewed.
type reviewed struct {
	pr      *githubapi.PullRequest
	marker  *prcomment.Marker
	comment *commentRef
}

// apply deploys the default branch's HEAD to each environment: it
// reconciles what is checked out against the state branch (so a run that
// GitHub skipped is harmless), and applies only what was reviewed.
func (r *runner) apply(ctx context.Context) error {
	envs := r.in.Environments
	if len(envs) == 0 {
		envs = r.ws.Config.EnvironmentNames()
	}
	for _, e := range envs {
		if r.ws.Config.Environment(e) == nil {
			return app.FlagErrorf("input `environments` names %q, which honua-gitops.yaml does not define", e)
		}
	}
	rev := r.findReviewed(ctx)
	var firstErr error
	var results []string
	var plans []*plan.Plan
	for _, env := range envs {
		res, p, err := r.applyEnvironment(ctx, env, rev)
		results = append(results, res)
		if p != nil {
			plans = append(plans, p)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if err != nil && !errors.As(err, new(*app.RefusedError)) {
			break // a failed environment stops the ones after it
		}
	}
	r.setOutput("result", worst(results))
	if len(plans) > 0 {
		r.planOutputs(plans)
		r.setOutput("result", worst(results))
	}
	return firstErr
}

// findReviewed finds the pull request merged as this commit and its
// sticky comment's marker.
func (r *runner) findReviewed(ctx context.Context) reviewed {
	if r.gh == nil {
		r.gha.Warningf("no GitHub token: cannot find the reviewed plan (%v)", r.ghErr)
		return reviewed{}
	}
	prs, err := r.gh.PullRequestsForCommit(ctx, r.ev.SHA)
	if err != nil {
		r.gha.Warningf("could not find the pull request of %s: %v", render.ShortHash(r.ev.SHA), err)
		return reviewed{}
	}
	var pr *githubapi.PullRequest
	for i := range prs {
		if prs[i].Merged && (prs[i].MergeCommitSHA == r.ev.SHA || pr == nil) {
			pr = &prs[i]
		}
	}
	if pr == nil {
		return reviewed{}
	}
	c, m, err := r.findComment(ctx, pr.Number)
	if err != nil {
		r.gha.Warningf("could not read the comments of #%d: %v", pr.Number, err)
	}
	return reviewed{pr: pr, marker: m, comment: c}
}

func (r *runner) applyEnvironment(ctx context.Context, env string, rev reviewed) (string, *plan.Plan, error) {
	r.gha.Group("Apply " + env)
	defer r.gha.EndGroup()
	cfgEnv := r.ws.Config.Environment(env)
	targets, err := r.targets(cfgEnv)
	if err != nil {
		return "failed", nil, err
	}
	store, err := r.stateBranch()
	if err != nil {
		return "failed", nil, err
	}
	// A merged import or accept-drift is recorded first, so what the
	// servers already hold is not "applied" again.
	adopted, err := r.adoptMerged(ctx, env, rev, targets, store)
	if err != nil {
		return "failed", nil, err
	}
	// The plan now, against the state branch: what would apply.
	p, err := r.ws.Plan(ctx, usecase.PlanRequest{Environment: env, Recorded: state.Branch{Store: store, Name: r.ws.Config.StateBranch}})
	if err != nil {
		return "failed", nil, err
	}
	repair := r.in.DriftGuard == string(engine.GuardOverwrite)
	if !p.HasChanges() && !repair {
		r.gha.Infof("%s: no changes; nothing to deploy", env)
		r.summary(fmt.Sprintf("### ✅ %s: no changes\n\n%s matches what was last applied; nothing to deploy. (To restore resources changed on the server by hand, dispatch `apply` with `drift-guard: overwrite`.)\n", env, env))
		return "no-changes", p, nil
	}
	approved, why := "", ""
	if r.ev.Name != "workflow_dispatch" {
		// A dispatched apply is a person's explicit decision, approved by the
		// environment's protection rules; a merge applies only what was reviewed.
		approved, why = r.approvedHash(ctx, store, cfgEnv, p, rev)
		if why != "" {
			if left := r.leftFromReview(env, rev, adopted, p); left != "" {
				approved, why = left, ""
			}
		}
	}
	if why != "" {
		r.lifecycle(ctx, rev, env, prcomment.EnvState{Hash: p.Hash, Status: prcomment.Refused, Message: why}, nil, p)
		r.summary(fmt.Sprintf("### ⛔ %s not applied\n\n%s\n\nThe plan that would apply now:\n\n", env, why) + markdownPlan(p))
		return "refused", p, &app.RefusedError{Reason: env + ": " + why}
	}
	approvers, err := r.checkApprovals(ctx, cfgEnv, rev)
	if err != nil {
		r.lifecycle(ctx, rev, env, prcomment.EnvState{Hash: p.Hash, Status: prcomment.Refused, Message: err.Error()}, nil, p)
		return "refused", p, err
	}
	r.lifecycle(ctx, rev, env, prcomment.EnvState{Hash: p.Hash, Status: prcomment.Applying}, nil, p)
	ghDeploy := r.startGitHubDeployment(ctx, env, targets)

	stop, release := r.deps.Interrupt.Guard()
	defer release()
	req := r.deployRequest(env, targets, store)
	req.Stop = stop
	req.ApprovedPlanHash = approved
	req.Approvers = approvers
	req.Engine.Guard = r.guard(adopted)
	if rev.pr != nil {
		req.Source.PR = rev.pr.Number
	}
	report, err := r.ws.Deploy(ctx, req)
	return r.finishDeploy(ctx, env, rev, report, err, ghDeploy)
}

// approvedHash decides which plan may be applied: the reviewed one, or —
// where honua-gitops.yaml allows re-planning — the current one. A reason
// is returned when nothing may be applied.
func (r *runner) approvedHash(ctx context.Context, store usecase.StateBranch, env *config.Environment, p *plan.Plan, rev reviewed) (string, string) {
	var st prcomment.EnvState
	found := false
	if rev.marker != nil {
		st, found = rev.marker.Envs[env.Name]
	}
	switch {
	case found && st.Hash == p.Hash:
		return st.Hash, ""
	case env.ReplanOnMerge:
		if found {
			r.gha.Noticef("%s: the plan changed since review (%s → %s); replanOnMerge allows applying the new plan", env.Name, render.ShortHash(st.Hash), render.ShortHash(p.Hash))
		}
		return "", ""
	case rev.pr == nil:
		return "", fmt.Sprintf("no reviewed plan: commit %s did not come from a merged pull request with a honua-gitops plan (set `replanOnMerge: true` for %s to allow it)", render.ShortHash(r.ev.SHA), env.Name)
	case !found:
		return "", fmt.Sprintf("no reviewed plan: pull request #%d's plan did not include %s", rev.pr.Number, env.Name)
	}
	// A re-run after a partial failure: what remains may be part of the
	// reviewed plan (the use case proves it from the state branch).
	if note, err := r.ws.CheckReviewed(ctx, store, r.ws.Config.StateBranch, env.Name, st.Hash, p); err == nil {
		r.gha.Noticef("%s: %s", env.Name, note)
		return st.Hash, ""
	}
	return "", fmt.Sprintf("plan changed since review: #%d reviewed plan %s, the plan now is %s (someone else deployed, or the default branch moved); re-run the plan in a new pull request",
		rev.pr.Number, render.ShortHash(st.Hash), render.ShortHash(p.Hash))
}

// checkApprovals enforces the fallback approval rule: enough approving
// reviews, not dismissed, given on the pull request's final head commit by
// someone with write access who is not the pull request's author. On a
// public repository any account can approve, so an approval by someone who
// could not have merged the change themselves proves nothing. It returns
// the approvers who counted.
func (r *runner) checkApprovals(ctx context.Context, env *config.Environment, rev reviewed) ([]string, error) {
	if rev.pr == nil || r.gh == nil {
		if env.RequiredApprovals > 0 {
			return nil, &app.RefusedError{Reason: fmt.Sprintf("%s requires %d approving reviews, and no merged pull request was found for %s", env.Name, env.RequiredApprovals, render.ShortHash(r.ev.SHA))}
		}
		return nil, nil
	}
	reviews, err := r.gh.Reviews(ctx, rev.pr.Number)
	if err != nil {
		if env.RequiredApprovals > 0 {
			return nil, fmt.Errorf("read the reviews of #%d: %w", rev.pr.Number, err)
		}
		return nil, nil
	}
	counted, ignored, err := r.qualifiedApprovers(ctx, Approvers(reviews, rev.pr.HeadSHA), rev.pr.Author)
	if err != nil {
		if env.RequiredApprovals > 0 {
			return nil, err
		}
		// Nothing is required: the approvers are only recorded.
		r.gha.Warningf("%s: could not check the approvers' permissions: %v", env.Name, err)
		return nil, nil
	}
	if len(counted) < env.RequiredApprovals {
		msg := fmt.Sprintf("%s requires %d approving review%s from someone with write access on #%d's final commit %s; it has %d",
			env.Name, env.RequiredApprovals, plural(env.RequiredApprovals), rev.pr.Number, render.ShortHash(rev.pr.HeadSHA), len(counted))
		if len(counted) > 0 {
			msg += " (" + strings.Join(counted, ", ") + ")"
		}
		if len(ignored) > 0 {
			msg += "; not counted: " + strings.Join(ignored, ", ")
		}
		return counted, &app.RefusedError{Reason: msg}
	}
	return counted, nil
}

// qualifiedApprovers splits approvers into those who count and, for the
// refusal message, those who do not with why ("rei (read permission, not
// write)").
func (r *runner) qualifiedApprovers(ctx context.Context, approvers []string, author string) (counted, ignored []string, err error) {
	for _, who := range approvers {
		if author != "" && strings.EqualFold(who, author) {
			ignored = append(ignored, who+" (the pull request's author)")
			continue
		}
		perm, err := r.gh.Permission(ctx, who)
		if err != nil {
			return nil, nil, fmt.Errorf("check whether approver %s has write access: %w", who, err)
		}
		switch {
		case githubapi.CanWrite(perm):
			counted = append(counted, who)
		case perm == githubapi.PermissionNone:
			ignored = append(ignored, who+" (not a collaborator)")
		default:
			ignored = append(ignored, fmt.Sprintf("%s (%s permission, not write)", who, perm))
		}
	}
	return counted, ignored, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Approvers returns who approved the final head commit: each reviewer's
// latest review counts, and only an APPROVED one on headSHA (a dismissed
// review has the state DISMISSED).
func Approvers(reviews []githubapi.Review, headSHA string) []string {
	latest := map[string]githubapi.Review{}
	for _, rv := range reviews {
		if rv.State == "COMMENTED" || rv.State == "PENDING" {
			continue // comments do not withdraw an approval
		}
		if cur, ok := latest[rv.User]; !ok || !rv.SubmittedAt.Before(cur.SubmittedAt) {
			latest[rv.User] = rv
		}
	}
	var out []string
	for user, rv := range latest {
		if rv.State == "APPROVED" && rv.CommitID == headSHA {
			out = append(out, user)
		}
	}
	slices.Sort(out)
	return out
}

func (r *runner) deployRequest(env string, targets []driver.Target, store usecase.StateBranch) usecase.DeployRequest {
	return usecase.DeployRequest{
		Environment: env, Targets: targets, Connect: r.connector(), Branch: store, BranchName: r.ws.Config.StateBranch,
		Actor: r.ev.Actor, Source: deploy.Source{Commit: r.ev.SHA, Ref: r.ev.Ref}, RunURL: r.ev.RunURL, Now: r.deps.Now, Log: r.deps.Logger,
		Repository: r.ev.Repository, RunID: r.ev.RunID, TakeOverStaleClaim: r.in.TakeOverStaleClaim, Redact: r.red.Bytes,
		Notice:   func(msg string) { r.gha.Infof("%s: %s", env, msg) },
		Contains: r.contains,
		RunAlive: r.runAlive,
		Progress: func(target string, res engine.Result) {
			r.gha.Infof("%s: %s %s %s", target, res.Status, res.Action, res.ID())
		},
		Engine: engine.Request{
			Secrets: func(name string) (string, bool) {
				v := r.deps.Getenv(name)
				return v, v != ""
			},
			Redact:       r.mask,
			Guard:        engine.GuardMode(r.in.DriftGuard),
			Options:      engine.Options{Strategy: engine.Strategy(r.in.Strategy), Concurrency: 8},
			Verify:       true,
			ReadyTimeout: 0,
		},
	}
}

// runAlive asks GitHub whether the run holding claim c is still in
// progress. It answers known=false when it cannot tell — no client, no run
// id, a run in another repository (our token can only ask about this one),
// or a failed request — so the claim falls back to its timeout rather than
// being taken from a run that may be alive.
func (r *runner) runAlive(ctx context.Context, c *deploy.Claim) (alive, known bool) {
	if r.gh == nil || c.RunID == 0 || c.Repository == "" || !strings.EqualFold(c.Repository, r.ev.Repository) {
		return false, false
	}
	if c.RunID == r.ev.RunID {
		// This very run (a re-run attempt keeps the run id) is alive.
		return true, true
	}
	inProgress, err := r.gh.WorkflowRunInProgress(ctx, c.RunID)
	if err != nil {
		r.gha.Warningf("could not ask GitHub whether run %d holding the claim is still in progress: %v", c.RunID, err)
		return false, false
	}
	return inProgress, true
}

// contains reports whether the commit being deployed contains ancestor:
// from the checkout's history, else (a depth-1 CI checkout) from GitHub.
func (r *runner) contains(ctx context.Context, ancestor string) (bool, bool, error) {
	c := cmdutil.Checkout{Commit: r.ev.SHA, Dir: r.dir}
	if r.gh != nil {
		c.Compare = r.gh
	}
	return c.Contains(ctx, ancestor)
}

// targets resolves the environment's targets, with the honua-url input
// applied (see parseHonuaURL); credentials follow cmdutil.Credential, with
// honua-api-key as HONUA_API_KEY.
func (r *runner) targets(env *config.Environment) ([]driver.Target, error) {
	bare, named, err := parseHonuaURL(r.in.HonuaURL)
	if err != nil {
		return nil, err
	}
	for name := range named {
		if !configHasTarget(r.ws.Config, name) {
			return nil, app.FlagErrorf("input `honua-url` names target %q, which no environment in honua-gitops.yaml has", name)
		}
	}
	flags := cmdutil.TargetFlags{}
	switch {
	case bare != "" && len(env.Targets) > 1:
		// One URL cannot stand for several servers: replacing them all
		// with it would silently skip every target but one.
		return nil, app.FlagErrorf("input `honua-url` is one URL, and environment %s has %d targets (%s): name the target it overrides, e.g. `honua-url: %s=%s`",
			env.Name, len(env.Targets), strings.Join(targetNames(env), ", "), env.Targets[0].Name, bare)
	case bare != "":
		flags.Targets = []string{bare}
	case len(named) > 0:
		env = overrideURLs(env, named)
	}
	ts, err := flags.Resolve(env, r.getenv, true, "honua-gitops/"+r.deps.Version)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		r.mask(t.Credential)
	}
	if len(ts) == 0 {
		return nil, app.FlagErrorf("environment %s has no targets: set the `honua-url` input or add targets to honua-gitops.yaml", env.Name)
	}
	return ts, nil
}

// parseHonuaURL reads the honua-url input: either one URL, which replaces
// the target of a single-target environment, or NAME=URL entries
// (separated by commas or new lines), each replacing the URL of the target
// so named and keeping its name and credential settings.
func parseHonuaURL(in string) (bare string, named map[string]string, err error) {
	entries := strings.FieldsFunc(in, func(r rune) bool { return r == ',' || r == '\n' })
	for _, e := range entries {
		e = strings.TrimSpace(e)
		switch name, url, ok := strings.Cut(e, "="); {
		case e == "":
		case strings.HasPrefix(e, "http://") || strings.HasPrefix(e, "https://"):
			if bare != "" || len(named) > 0 {
				return "", nil, app.FlagErrorf("input `honua-url` has a bare URL among others: give one URL, or NAME=URL for each target")
			}
			bare = e
		case ok && name != "" && (strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://")):
			if bare != "" {
				return "", nil, app.FlagErrorf("input `honua-url` has a bare URL among others: give one URL, or NAME=URL for each target")
			}
			if named == nil {
				named = map[string]string{}
			}
			if _, dup := named[strings.TrimSpace(name)]; dup {
				return "", nil, app.FlagErrorf("input `honua-url` names target %q twice", strings.TrimSpace(name))
			}
			named[strings.TrimSpace(name)] = strings.TrimSpace(url)
		default:
			return "", nil, app.FlagErrorf("input `honua-url` entry %q is neither an http(s) URL nor NAME=URL", e)
		}
	}
	return bare, named, nil
}

// overrideURLs returns a copy of env whose targets named in urls have
// those URLs.
func overrideURLs(env *config.Environment, urls map[string]string) *config.Environment {
	out := *env
	out.Targets = slices.Clone(env.Targets)
	for i, t := range out.Targets {
		if u, ok := urls[t.Name]; ok {
			out.Targets[i].URL = u
		}
	}
	return &out
}

// configHasTarget reports whether any environment has a target called
// name: an override may name a target of another environment of a
// multi-environment run, but not one of no environment at all.
func configHasTarget(c *config.Config, name string) bool {
	for _, e := range c.Environments {
		for _, t := range e.Targets {
			if t.Name == name {
				return true
			}
		}
	}
	return false
}

func targetNames(env *config.Environment) []string {
	names := make([]string, len(env.Targets))
	for i, t := range env.Targets {
		names[i] = t.Name
	}
	return names
}

type ghDeployment struct {
	id  int64
	url string
}

func (r *runner) startGitHubDeployment(ctx context.Context, env string, targets []driver.Target) *ghDeployment {
	if r.gh == nil {
		return nil
	}
	d, err := r.gh.CreateDeployment(ctx, r.ev.SHA, env, "honua-gitops apply of "+render.ShortHash(r.ev.SHA), map[string]any{"tool": "honua-gitops"})
	if err != nil {
		r.gha.Warningf("could not create a GitHub deployment for %s: %v", env, err)
		return nil
	}
	gd := &ghDeployment{id: d.ID, url: targets[0].URL}
	if err := r.gh.CreateDeploymentStatus(ctx, d.ID, "in_progress", gd.url, r.ev.RunURL, "applying"); err != nil {
		r.gha.Warningf("could not update the GitHub deployment: %v", err)
	}
	return gd
}

func (r *runner) finishDeploy(ctx context.Context, env string, rev reviewed, report *usecase.DeployReport, err error, gd *ghDeployment) (string, *plan.Plan, error) {
	var p *plan.Plan
	if report != nil {
		p = report.Plan
	}
	if err == nil {
		err = report.Err()
	}
	result, state, ghState := "applied", prcomment.Applied, "success"
	switch {
	case err == nil && report.NoChanges:
		result, state, ghState = "no-changes", prcomment.NoChanges, "inactive"
	case errors.As(err, new(*app.RefusedError)):
		result, state, ghState = "refused", prcomment.Refused, "failure"
	case err != nil:
		result, state, ghState = "failed", prcomment.Failed, "failure"
	}
	es := prcomment.EnvState{Status: state}
	if p != nil {
		es.Hash = p.Hash
	}
	if err != nil {
		es.Message = render.FirstLine(r.red.String(err.Error()))
	} else if report != nil {
		// The marker keeps this line, so later jobs' edits still say what
		// was applied here.
		es.Message = appliedLine(report)
	}
	if report != nil && report.Deployment != nil {
		es.DeploymentID = report.Deployment.ID
		r.setOutput("deployment-id", report.Deployment.ID)
	}
	journal := journalMarkdown(report)
	r.lifecycle(ctx, rev, env, es, map[string]string{env: journal}, p)
	r.summary(fmt.Sprintf("### %s %s: %s\n\n", prcomment.StatusEmoji(state), env, result) + journal)
	if gd != nil {
		desc := result
		if es.DeploymentID != "" {
			desc += " (" + es.DeploymentID + ")"
		}
		if serr := r.gh.CreateDeploymentStatus(ctx, gd.id, ghState, gd.url, r.ev.RunURL, desc); serr != nil {
			r.gha.Warningf("could not update the GitHub deployment: %v", serr)
		}
	}
	return result, p, err
}

// lifecycle updates the merged pull request's comment with an
// environment's new state, keeping the others.
func (r *runner) lifecycle(ctx context.Context, rev reviewed, env string, st prcomment.EnvState, results map[string]string, p *plan.Plan) {
	if rev.pr == nil || rev.comment == nil || rev.marker == nil || r.gh == nil {
		return
	}
	m := *rev.marker
	m.Envs = map[string]prcomment.EnvState{}
	for k, v := range rev.marker.Envs {
		m.Envs[k] = v
	}
	if prev, ok := m.Envs[env]; ok && st.StateRevision == "" {
		st.StateRevision = prev.StateRevision
	}
	m.Envs[env] = st
	m.UpdatedAt = r.deps.Now().UTC()
	var plans []*plan.Plan
	if p != nil {
		plans = []*plan.Plan{p}
	}
	out, err := prcomment.Render(prcomment.Input{Marker: m, Plans: plans, RunURL: r.ev.RunURL, Results: results}, prcomment.Options{MaxBytes: r.in.CommentBytes})
	if err != nil {
		return
	}
	if c, err := r.gh.EditIssueComment(ctx, rev.comment.ID, out.Body); err == nil {
		rev.comment.Body = c.Body
		*rev.marker = m
		r.setOutput("comment-url", c.URL)
	} else {
		r.gha.Warningf("could not update the comment on #%d: %v", rev.pr.Number, err)
	}
}

func worst(results []string) string {
	rank := map[string]int{"no-changes": 0, "applied": 1, "rolled-back": 2, "refused": 3, "failed": 4}
	best := "no-changes"
	for _, r := range results {
		if rank[r] > rank[best] {
			best = r
		}
	}
	return best
}

// appliedLine summarises a deployment's journal in one line.
func appliedLine(r *usecase.DeployReport) string {
	if r.NoChanges {
		return "nothing to deploy"
	}
	applied, failed, skipped := 0, 0, 0
	for _, t := range r.Targets {
		if t.Outcome == nil {
			continue
		}
		c := t.Outcome.Counts()
		applied, failed, skipped = applied+c[engine.Applied], failed+c[engine.Failed], skipped+c[engine.Skipped]
	}
	return fmt.Sprintf("%d applied, %d failed, %d skipped on %d target(s)", applied, failed, skipped, len(r.Targets))
}
