package action

import (
	"context"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/state"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// acceptDriftPR is the dispatch `command: accept-drift`, the second remedy
// the drift issue offers: it rewrites one environment's files with the
// servers' drifted values (as `drift --accept` does, recording nothing) and
// proposes them in a pull request with the drift table. Merging it records
// an accept-drift deployment that writes nothing (see adopt.go).
func (r *runner) acceptDriftPR(ctx context.Context) error {
	env, err := r.oneEnvironment(CommandAcceptDrift)
	if err != nil {
		return err
	}
	targets, err := r.targets(r.ws.Config.Environment(env))
	if err != nil {
		return err
	}
	store, err := r.stateBranch()
	if err != nil {
		return err
	}
	// NoRecord writes the files into the checkout only to prove they load
	// back as the servers' values; the state branch is left to the merge.
	report, err := r.ws.AcceptDrift(ctx, usecase.AcceptRequest{Environment: env, Targets: targets, Connect: r.connector(),
		Recorded: state.Branch{Store: store, Name: r.ws.Config.StateBranch}, NoRecord: true,
		Actor: r.ev.Actor, Now: r.deps.Now, Log: r.deps.Logger})
	if err != nil {
		return err
	}
	switch {
	case len(report.Accepted) == 0 && len(report.Skipped) == 0:
		r.gha.Infof("%s: no drift; nothing to accept", env)
		r.summary(fmt.Sprintf("### honua-gitops accept-drift of %s: no drift\n\nLive state matches what was last applied; nothing to accept.\n", render.EscapeMarkdown(env)))
		r.proposed("")
		return nil
	case len(report.Accepted) == 0:
		r.summary(fmt.Sprintf("### honua-gitops accept-drift of %s: nothing could be accepted\n\n", render.EscapeMarkdown(env)) + mdList(report.Skipped, false))
		return &app.InputError{Err: fmt.Errorf("no drift of %s could be accepted (see the job summary for why); restore the server from git with `command: apply` and `drift-guard: overwrite` instead", env)}
	}
	body := acceptBody(report)
	url, err := r.propose(ctx, proposal{
		kind: "accept-drift", env: env, files: report.Files,
		title:   fmt.Sprintf("honua-gitops: accept drift of %s", env),
		body:    body,
		message: fmt.Sprintf("Accept the servers' values of %s\n\nThe drifted values of %s, written into git by honua-gitops accept-drift.\nMerging records an accept-drift deployment that writes nothing to the server.", env, strings.Join(report.Accepted, ", ")),
	})
	if err != nil {
		return err
	}
	r.summary(fmt.Sprintf("### honua-gitops accept-drift of %s\n\n", render.EscapeMarkdown(env)) + acceptDetails(report))
	r.proposed(url)
	return nil
}

// acceptBody is the pull request's description: the drift table of the
// drift issue, what changed in which file, and what was left out.
func acceptBody(rep *usecase.AcceptReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nThe live Honua state of **%s** differs from what honua-gitops last applied. This pull request takes the servers' values into git instead of overwriting them.\n\n",
		proposalMarker("accept-drift", rep.Environment), render.EscapeMarkdown(rep.Environment))
	fmt.Fprintf(&b, "**Merging it records an `accept-drift` deployment of %s that writes nothing to the server**, so the next plan is empty and drift is clean. (To restore the repository's values instead, close this and dispatch `apply` with `drift-guard: overwrite`.)\n\n",
		render.EscapeMarkdown(rep.Environment))
	b.WriteString(acceptDetails(rep))
	return b.String()
}

func acceptDetails(rep *usecase.AcceptReport) string {
	var b strings.Builder
	b.WriteString("### Drift\n\n")
	for _, d := range rep.Drift {
		if len(d.Drift) == 0 {
			continue
		}
		fmt.Fprintf(&b, "#### %s\n\n%s\n", render.MarkdownCell(d.Target), driftMarkdown(d.Drift))
	}
	b.WriteString("### Files\n\n| File | Resources |\n| --- | --- |\n")
	for _, f := range rep.Files {
		var rs []string
		for _, id := range f.Resources {
			rs = append(rs, render.CodeCell(id))
		}
		fmt.Fprintf(&b, "| %s | %s |\n", render.CodeCell(f.Path), strings.Join(rs, ", "))
	}
	b.WriteString("\n### Not accepted\n\n" + mdList(rep.Skipped, false))
	return b.String()
}
