// Package deployments is the `honua-gitops deployments` command.
package deployments

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// NewCmdDeployments builds the command.
func NewCmdDeployments(f *cmdutil.Factory) *cobra.Command {
	var envFlags cmdutil.EnvFlags
	var branch cmdutil.BranchFlags
	var limit int
	var format string
	cmd := &cobra.Command{
		Use:   "deployments",
		Short: "List deployments, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := cmdutil.OpenHistory(envFlags, branch, f.Getenv)
			if err != nil {
				return err
			}
			type envList struct {
				Environment string           `json:"environment"`
				Total       int              `json:"total"`
				Deployments []deploy.Summary `json:"deployments"`
			}
			all := []envList{}
			for _, env := range h.Environments {
				list, total, err := usecase.Deployments(cmd.Context(), h.Branch, env, limit)
				if err != nil {
					return err
				}
				if list == nil {
					list = []deploy.Summary{}
				}
				all = append(all, envList{Environment: env, Total: total, Deployments: list})
			}
			if format == "json" {
				enc := json.NewEncoder(f.IOStreams.Out)
				enc.SetIndent("", "  ")
				// An object, not a bare array, so fields can be added later.
				return enc.Encode(struct {
					Environments []envList `json:"environments"`
				}{all})
			}
			for i, e := range all {
				if i > 0 {
					fmt.Fprintln(f.IOStreams.Out)
				}
				writeTable(f.IOStreams.Out, e.Environment, e.Total, e.Deployments, f.Now())
			}
			return nil
		},
	}
	cmdutil.AddEnvFlags(cmd, &envFlags, "")
	cmd.Flags().BoolVar(&branch.Push, "fetch", false, "read the state branch from origin (always in GitHub Actions)")
	cmd.Flags().IntVarP(&limit, "limit", "n", 20, "how many to show per environment (at most 200)")
	cmdutil.AddFormatFlag(cmd, &format, "output `format`: text or json", "text", "json")
	return cmd
}

func writeTable(w io.Writer, env string, total int, list []deploy.Summary, now time.Time) {
	fmt.Fprintf(w, "%s: %d deployment(s)\n", env, total)
	if len(list) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATUS\tSOURCE\tCHANGES\tACTOR\tAGE\tDURATION")
	for _, s := range list {
		src := s.SourceCommit
		if len(src) > 7 {
			src = src[:7]
		}
		if s.PR > 0 {
			src += fmt.Sprintf(" (#%d)", s.PR)
		}
		if s.Kind == deploy.KindRollback {
			src = "→ " + s.RollbackTo
		}
		dur := "-"
		if !s.FinishedAt.IsZero() {
			dur = s.FinishedAt.Sub(s.StartedAt).Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t+%d ~%d -%d\t%s\t%s\t%s\n", s.ID, s.Kind, s.Status, orDash(src),
			s.Changes.Create, s.Changes.Update, s.Changes.Delete, s.Actor, usecase.Age(now, s.StartedAt), dur)
	}
	_ = tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
