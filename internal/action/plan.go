package action

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/prcomment"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// planFile is where the full plan JSON goes, relative to the workspace,
// for actions/upload-artifact.
const planFile = ".honua-gitops/plan.json"

// plan plans the environments a pull request affects and reports them in
// the sticky comment, the job summary, outputs and a plan JSON file.
func (r *runner) plan(ctx context.Context) error {
	envs, err := r.affectedEnvironments(ctx)
	if err != nil {
		return err
	}
	if len(envs) == 0 {
		r.gha.Infof("no environment is affected by this change")
		r.setOutput("result", "no-changes")
		r.setOutput("has-changes", "false")
		return nil
	}
	plans, err := r.computePlans(ctx, envs)
	if err != nil {
		var inv *app.InvalidInputError
		if errors.As(err, &inv) {
			return r.invalid(ctx, err)
		}
		return err
	}
	r.noteProposal(plans)
	r.planOutputs(plans)
	marker := prcomment.Marker{Version: 1, PR: r.ev.PR, HeadSHA: r.ev.HeadSHA, Envs: map[string]prcomment.EnvState{}, UpdatedAt: r.deps.Now().UTC()}
	for _, p := range plans {
		st := prcomment.Planned
		if !p.HasChanges() {
			st = prcomment.NoChanges
		}
		marker.Envs[p.Environment] = prcomment.EnvState{Hash: p.Hash, StateRevision: p.Recorded.Revision, Status: st}
	}
	return r.report(ctx, marker, plans, nil)
}

// report renders the comment and job summary and posts the comment.
func (r *runner) report(ctx context.Context, marker prcomment.Marker, plans []*plan.Plan, results map[string]string) error {
	in := prcomment.Input{Marker: marker, Plans: plans, RunURL: r.ev.RunURL, ArtifactName: "honua-gitops-plan", Results: results}
	var existing *commentRef
	if r.ev.PR > 0 && r.gh != nil {
		c, prev, err := r.findComment(ctx, r.ev.PR)
		if err != nil {
			r.gha.Warningf("could not read the pull request's comments: %v", err)
		}
		existing = c
		if prev != nil && prev.HeadSHA != "" && prev.HeadSHA != marker.HeadSHA && marker.Supersedes == "" {
			in.Marker.Supersedes = prev.HeadSHA
		}
	}
	out, err := prcomment.Render(in, prcomment.Options{MaxBytes: r.in.CommentBytes})
	if err != nil {
		return err
	}
	r.summary(out.Summary)
	if r.ev.PR == 0 {
		return nil
	}
	if r.gh == nil {
		r.gha.Warningf("no GitHub token: the plan is in the job summary only (%v)", r.ghErr)
		return nil
	}
	url, err := r.upsertComment(ctx, r.ev.PR, existing, out.Body)
	switch {
	case errors.Is(err, errReadOnly):
		in.ReadOnly = true
		if ro, rerr := prcomment.Render(in, prcomment.Options{MaxBytes: r.in.CommentBytes}); rerr == nil {
			r.summary(ro.Body)
		}
		r.gha.Noticef("the token cannot comment on this pull request (a fork?): the plan is in the job summary")
		return nil
	case err != nil:
		r.gha.Warningf("could not update the pull request comment: %v; the plan is in the job summary", err)
		return nil
	}
	r.setOutput("comment-url", url)
	return nil
}

// affectedEnvironments are the environments named by the input, or those
// the pull request's changed files touch (every one when common files or
// honua-gitops.yaml change), or all of them outside a pull request.
func (r *runner) affectedEnvironments(ctx context.Context) ([]string, error) {
	if len(r.in.Environments) > 0 {
		for _, e := range r.in.Environments {
			if r.ws.Config.Environment(e) == nil {
				return nil, app.FlagErrorf("input `environments` names %q, which honua-gitops.yaml does not define (known: %s)", e, strings.Join(r.ws.Config.EnvironmentNames(), ", "))
			}
		}
		return r.in.Environments, nil
	}
	if r.ev.PR == 0 || r.gh == nil {
		return r.ws.Config.EnvironmentNames(), nil
	}
	files, err := r.gh.ChangedFiles(ctx, r.ev.PR)
	if err != nil {
		r.gha.Warningf("could not list the pull request's files (%v); planning every environment", err)
		return r.ws.Config.EnvironmentNames(), nil
	}
	return ChangedEnvironments(r.ws.Config, r.in.ConfigDir, files), nil
}

// computePlans plans each environment against the state branch on origin.
func (r *runner) computePlans(ctx context.Context, envs []string) ([]*plan.Plan, error) {
	recorded, err := cmdutil.RecordedReader(r.dir, cmdutil.StateFlags{}, len(envs), func() (*statebranch.Store, string, error) {
		s, err := cmdutil.OpenStateBranch(r.dir, r.ws.Config, cmdutil.BranchFlags{Push: true}, r.getenv)
		return s, r.ws.Config.StateBranch, err
	})
	if err != nil {
		return nil, err
	}
	var plans []*plan.Plan
	var invalid []error
	for _, env := range envs {
		p, err := r.ws.Plan(ctx, usecase.PlanRequest{Environment: env, Recorded: recorded})
		if err != nil {
			if app.CodeFor(err) == app.ExitInvalid {
				invalid = append(invalid, err)
				continue
			}
			return nil, err
		}
		plans = append(plans, p)
	}
	if len(invalid) > 0 {
		merged := &app.InvalidInputError{}
		for _, e := range invalid {
			var inv *app.InvalidInputError
			if errors.As(e, &inv) {
				merged.Diagnostics = append(merged.Diagnostics, inv.Diagnostics...)
			}
		}
		merged.Diagnostics = merged.Diagnostics.Sort()
		return nil, merged
	}
	return plans, nil
}

// planOutputs writes the plan JSON file and the plan outputs.
func (r *runner) planOutputs(plans []*plan.Plan) {
	var buf bytes.Buffer
	if err := render.JSON(&buf, plans); err == nil {
		if err := writeFile(r.workspacePath(planFile), buf.Bytes()); err == nil {
			r.setOutput("plan-json", planFile)
		} else {
			r.gha.Warningf("could not write %s: %v", planFile, err)
		}
	}
	changes := false
	hashes := map[string]string{}
	summary := map[string]plan.Summary{}
	for _, p := range plans {
		changes = changes || p.HasChanges()
		hashes[p.Environment] = p.Hash
		summary[p.Environment] = p.Summary
	}
	r.setOutput("has-changes", strconv.FormatBool(changes))
	// Each output has one shape whatever was planned: plan-hash a string
	// (empty when there is no single plan), plan-hashes an object.
	single := ""
	if len(plans) == 1 {
		single = plans[0].Hash
	}
	r.setOutput("plan-hash", single)
	hb, _ := json.Marshal(hashes)
	r.setOutput("plan-hashes", string(hb))
	b, _ := json.Marshal(summary)
	r.setOutput("summary", string(b))
	if changes {
		r.setOutput("result", "planned")
	} else {
		r.setOutput("result", "no-changes")
	}
}

// invalid reports configuration problems as annotations on the file and
// line, in the job summary and in the PR comment, and exits 2.
func (r *runner) invalid(ctx context.Context, err error) error {
	var inv *app.InvalidInputError
	if !errors.As(err, &inv) {
		return err
	}
	var b strings.Builder
	b.WriteString("```\n")
	for _, d := range inv.Diagnostics {
		props := map[string]string{"file": d.Pos.File, "title": "honua-gitops: invalid configuration"}
		if d.Pos.File != "" {
			props["file"] = r.repoPath(d.Pos.File)
		}
		if d.Pos.Line > 0 {
			props["line"] = strconv.Itoa(d.Pos.Line)
		}
		if d.Pos.Col > 0 {
			props["col"] = strconv.Itoa(d.Pos.Col)
		}
		msg := d.Message
		if d.Hint != "" {
			msg += " (" + d.Hint + ")"
		}
		if d.Severity == 0 {
			r.gha.WithFieldsMap(props).Errorf("%s", msg)
		} else {
			r.gha.WithFieldsMap(props).Warningf("%s", msg)
		}
		b.WriteString(d.String() + "\n")
	}
	b.WriteString("```\n")
	r.setOutput("result", "invalid")
	if r.ev.PR > 0 {
		marker := prcomment.Marker{Version: 1, PR: r.ev.PR, HeadSHA: r.ev.HeadSHA, Envs: map[string]prcomment.EnvState{}, UpdatedAt: r.deps.Now().UTC()}
		if r.ws != nil {
			for _, e := range r.ws.Config.EnvironmentNames() {
				marker.Envs[e] = prcomment.EnvState{Status: prcomment.Invalid, Message: "configuration is invalid"}
			}
		}
		out, rerr := prcomment.Render(prcomment.Input{Marker: marker, Invalid: b.String(), RunURL: r.ev.RunURL}, prcomment.Options{MaxBytes: r.in.CommentBytes})
		if rerr == nil {
			r.summary(out.Summary)
			if r.gh != nil {
				existing, _, _ := r.findComment(ctx, r.ev.PR)
				if url, cerr := r.upsertComment(ctx, r.ev.PR, existing, out.Body); cerr == nil {
					r.setOutput("comment-url", url)
				}
			}
		}
	} else {
		r.summary("### honua-gitops: invalid configuration\n\n" + b.String())
	}
	return err
}

// repoPath makes a configuration-relative path relative to the repository
// root, as annotations need.
func (r *runner) repoPath(p string) string {
	dir := strings.TrimPrefix(r.in.ConfigDir, "./")
	if dir == "." || dir == "" {
		return p
	}
	return strings.TrimSuffix(dir, "/") + "/" + p
}

// noteProposal tells the reviewers of an import or accept-drift pull request
// (its branch is the Action's) why its plan creates or updates what the
// server already holds: the merge records them without writing.
func (r *runner) noteProposal(plans []*plan.Plan) {
	kind, env, ok := proposalOf(r.ev.HeadRef)
	if !ok {
		return
	}
	for _, p := range plans {
		if p.Environment == env && p.HasChanges() {
			p.Notes = append(p.Notes, fmt.Sprintf("This pull request proposes an %s. Merging it records the resources the servers already hold as these files have them, in a deployment that writes nothing to the server, and applies only what differs from the server.", kind))
		}
	}
}
