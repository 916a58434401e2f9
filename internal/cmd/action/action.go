// Package action is the `honua-gitops action` command: the entry point of
// the GitHub Action (action.yml runs the image with this argument).
package action

import (
	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/action"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
)

// NewCmdAction builds the command.
func NewCmdAction(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "action",
		Short: "Run as the GitHub Action (reads INPUT_* and GITHUB_* variables)",
		Long: `Run as the honua-gitops GitHub Action. Inputs come from INPUT_* variables
(see action.yml), the event from GITHUB_EVENT_NAME and GITHUB_EVENT_PATH.
On a pull request it plans; on a push to the default branch it applies
what was reviewed; on workflow_dispatch it does what the inputs say
(apply, rollback, plan, drift); on a schedule it checks drift.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return action.Run(cmd.Context(), action.Deps{
				Getenv: f.Getenv, Stdout: f.IOStreams.Out, Now: f.Now, Logger: f.Logger, Version: f.Version, Interrupt: f.Interrupt,
			})
		},
	}
}
