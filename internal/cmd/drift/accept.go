package drift

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/redact"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// accept runs `drift --accept`: the server's values into git.
func accept(ctx context.Context, opts *Options, ws *usecase.Workspace, req usecase.AcceptRequest, out io.Writer, red *redact.Redactor) error {
	if !opts.DryRun {
		store, err := cmdutil.RequireStateBranch(opts.Env.Dir, ws.Config, opts.Branch, opts.Getenv)
		if err != nil {
			return err
		}
		req.Branch = store
	}
	report, err := ws.AcceptDrift(ctx, req)
	if err != nil {
		return red.Error(err)
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(report)
	}
	writeText(out, report.Drift)
	fmt.Fprintln(out)
	verb := "Wrote"
	if opts.DryRun {
		verb = "Would write"
	}
	for _, f := range report.Files {
		fmt.Fprintf(out, "%s %s: the server's values of %s\n", verb, render.Sanitize(f.Path), render.Sanitize(strings.Join(f.Resources, ", ")))
		if opts.DryRun {
			fmt.Fprint(out, render.SanitizeLines(f.Content))
		}
	}
	for _, s := range report.Skipped {
		fmt.Fprintf(out, "  not accepted: %s\n", render.Sanitize(s))
	}
	switch {
	case len(report.Accepted) == 0 && len(report.Skipped) == 0:
		fmt.Fprintln(out, "Nothing to accept: live state matches recorded state.")
	case len(report.Accepted) == 0:
		return &app.InputError{Err: fmt.Errorf("no drift of %s could be accepted; nothing was written", req.Environment)}
	case report.Deployment != nil:
		fmt.Fprintf(out, "Deployment %s (accept-drift) recorded on the state branch (commit %s); nothing was written to the server. Commit the files: the next plan is empty.\n",
			report.Deployment.ID, render.ShortSHA(report.Commit))
	}
	return nil
}
