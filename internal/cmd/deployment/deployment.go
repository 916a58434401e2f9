// Package deployment is the `honua-gitops deployment <id>` command.
package deployment

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// NewCmdDeployment builds the command.
func NewCmdDeployment(f *cmdutil.Factory) *cobra.Command {
	var envFlags cmdutil.EnvFlags
	var branch cmdutil.BranchFlags
	var format string
	cmd := &cobra.Command{
		Use:   "deployment <id>",
		Short: "Show one deployment: its timeline, plan and per-resource results",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := cmdutil.OpenHistory(envFlags, branch, f.Getenv)
			if err != nil {
				return err
			}
			d, err := usecase.FindDeployment(cmd.Context(), h.Branch, h.Environments, args[0])
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(f.IOStreams.Out)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(d)
			}
			if format == "markdown" {
				// The journal exactly as the PR comment and job summary show it.
				_, err := io.WriteString(f.IOStreams.Out, render.JournalMarkdown(d))
				return err
			}
			writeText(f.IOStreams.Out, d)
			return nil
		},
	}
	cmdutil.AddEnvFlags(cmd, &envFlags, "")
	cmd.Flags().BoolVar(&branch.Push, "fetch", false, "read the state branch from origin (always in GitHub Actions)")
	cmdutil.AddFormatFlag(cmd, &format, "output `format`: text, json, or markdown (the journal as the PR comment shows it)", "text", "json", "markdown")
	return cmd
}

// writeText prints the record for a terminal; every string from a file,
// a person or a server is sanitized (no escape sequences, one line).
func writeText(w io.Writer, d *deploy.Deployment) {
	san := render.Sanitize
	fmt.Fprintf(w, "Deployment %s — %s of %s, %s\n", d.ID, d.Kind, d.Environment, strings.ToUpper(string(d.Status)))
	if d.Kind == deploy.KindRollback {
		fmt.Fprintf(w, "  returned to:  deployment %s\n", d.RollbackTo)
	}
	if d.Source.Commit != "" {
		src := d.Source.Commit
		if d.Source.Ref != "" {
			src += " (" + d.Source.Ref + ")"
		}
		if d.Source.PR > 0 {
			src += fmt.Sprintf(", PR #%d", d.Source.PR)
		}
		fmt.Fprintf(w, "  source:       %s\n", src)
	}
	fmt.Fprintf(w, "  actor:        %s\n", san(d.Actor))
	if d.Reason != "" {
		fmt.Fprintf(w, "  reason:       %s\n", san(d.Reason))
	}
	if len(d.Approvers) > 0 {
		fmt.Fprintf(w, "  approvers:    %s\n", san(strings.Join(d.Approvers, ", ")))
	}
	if d.RunURL != "" {
		fmt.Fprintf(w, "  run:          %s\n", san(d.RunURL))
	}
	fmt.Fprintf(w, "  plan:         %s (+%d ~%d -%d, %d unchanged)\n", d.Plan.Hash, d.Plan.Summary.Create, d.Plan.Summary.Update, d.Plan.Summary.Delete, d.Plan.Summary.Unchanged)
	if d.Snapshot != "" {
		fmt.Fprintf(w, "  snapshot:     %s\n", d.Snapshot)
	}
	fmt.Fprintln(w, "\nTimeline:")
	for _, t := range d.Transitions {
		fmt.Fprintf(w, "  %s  %-17s %s\n", t.At.Format("2006-01-02 15:04:05Z07:00"), t.Status, san(t.Message))
	}
	for _, t := range d.Targets {
		if t.Generation != "" {
			fmt.Fprintf(w, "\nTarget %s (%s, %s):\n", san(t.Name), san(t.URL), san(t.Generation))
		} else {
			fmt.Fprintf(w, "\nTarget %s (%s):\n", san(t.Name), san(t.URL))
		}
		if t.Error != "" {
			fmt.Fprintf(w, "  not applied: %s\n", san(t.Error))
		}
		for _, r := range t.Results {
			fmt.Fprintf(w, "  %-8s %-7s %s%s\n", r.Status, r.Action, san(r.ID().String()), san(msg(r)))
		}
		for _, p := range t.Problems {
			fmt.Fprintf(w, "  problem: %s\n", san(p))
		}
		if len(t.RolledBack) > 0 {
			fmt.Fprintln(w, "  rolled back:")
			for _, r := range t.RolledBack {
				fmt.Fprintf(w, "    %-8s %-7s %s%s\n", r.Status, r.Action, san(r.ID().String()), san(msg(r)))
			}
		}
	}
}

func msg(r apply.Result) string {
	if r.Message == "" {
		return ""
	}
	return ": " + r.Message
}
