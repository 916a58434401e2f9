package apply

import (
	"fmt"
	"io"
	"strings"

	engine "github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// writeJournal prints, per target, every operation's outcome: what people
// need to trust an apply, or to pick up after a failure.
func writeJournal(w io.Writer, dryRun bool, targets []usecase.TargetReport, color bool) {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	for _, t := range targets {
		fmt.Fprintln(w)
		if t.Outcome == nil {
			fmt.Fprintf(w, "Target %s (%s): %s\n", render.Sanitize(t.Name), render.Sanitize(t.URL), paint("31", "not applied"))
			fmt.Fprintf(w, "  %s\n", render.Sanitize(t.Error))
			continue
		}
		o := t.Outcome
		verb := "Applied to"
		if dryRun {
			verb = "Dry run against"
		}
		fmt.Fprintf(w, "%s %s\n", verb, render.Sanitize(o.Target))
		if len(o.Drift) > 0 {
			fmt.Fprintf(w, "  drift before apply (reported, not refused): %s\n", driftList(o.Drift))
		}
		for _, res := range o.Results {
			fmt.Fprintln(w, "  "+line(res, paint))
		}
		if len(o.Results) == 0 {
			fmt.Fprintln(w, "  nothing to write")
		}
		for _, p := range o.Problems {
			fmt.Fprintf(w, "  %s %s\n", paint("31", "problem:"), render.Sanitize(p))
		}
		if len(o.RolledBack) > 0 {
			fmt.Fprintln(w, "  rolled back:")
			for _, res := range o.RolledBack {
				fmt.Fprintln(w, "    "+line(res, paint))
			}
		}
		c := o.Counts()
		summary := fmt.Sprintf("  %d applied, %d failed, %d skipped", c[engine.Applied], c[engine.Failed], c[engine.Skipped])
		if dryRun {
			summary = fmt.Sprintf("  %d would be written (nothing was)", c[engine.Planned])
		} else if o.Verified {
			summary += "; verified by reading live state back"
		}
		fmt.Fprintf(w, "%s (%s).\n", summary, o.Finished.Sub(o.Started).Round(1e6))
	}
}

func line(res engine.Result, paint func(string, string) string) string {
	var mark string
	switch res.Status {
	case engine.Applied:
		mark = paint("32", "✓ "+past(res.Action))
	case engine.Failed:
		mark = paint("31", "✗ failed ")
	case engine.Planned:
		mark = "· would " + string(res.Action)
	default:
		mark = paint("33", "- skipped")
	}
	// Names and messages come from files and servers: sanitized, so that
	// none can move the cursor or recolour the terminal.
	s := fmt.Sprintf("%-10s %s", mark, render.Sanitize(res.ID().String()))
	if res.Message != "" {
		s += ": " + render.Sanitize(res.Message)
	}
	return s
}

func past(a plan.Action) string {
	switch a {
	case plan.Create:
		return "created"
	case plan.Update:
		return "updated"
	case plan.Delete:
		return "deleted"
	}
	return string(a)
}

func driftList(ds []plan.Drift) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = render.Sanitize(d.Subject()) + " (" + string(d.Type) + ")"
	}
	return strings.Join(parts, ", ")
}
