// Package root assembles the honua-gitops command tree.
package root

import (
	"github.com/spf13/cobra"

	cmdaction "github.com/honua-io/honua-gitops/internal/cmd/action"
	"github.com/honua-io/honua-gitops/internal/cmd/apply"
	"github.com/honua-io/honua-gitops/internal/cmd/deployment"
	"github.com/honua-io/honua-gitops/internal/cmd/deployments"
	"github.com/honua-io/honua-gitops/internal/cmd/drift"
	"github.com/honua-io/honua-gitops/internal/cmd/plan"
	"github.com/honua-io/honua-gitops/internal/cmd/rollback"
	"github.com/honua-io/honua-gitops/internal/cmd/schema"
	"github.com/honua-io/honua-gitops/internal/cmd/status"
	"github.com/honua-io/honua-gitops/internal/cmd/validate"
	"github.com/honua-io/honua-gitops/internal/cmd/version"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
)

// NewCmdRoot returns the root command with every subcommand.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "honua-gitops <command> [flags]",
		Short: "GitOps for Honua geospatial servers",
		Long: `honua-gitops keeps Honua server configuration in git: validate the
repository, plan every change field by field, apply it in dependency order,
and record what was applied.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.AddCommand(
		validate.NewCmdValidate(f, nil),
		plan.NewCmdPlan(f, nil),
		apply.NewCmdApply(f, nil),
		drift.NewCmdDrift(f, nil),
		status.NewCmdStatus(f),
		deployments.NewCmdDeployments(f),
		deployment.NewCmdDeployment(f),
		rollback.NewCmdRollback(f),
		schema.NewCmdSchema(f),
		version.NewCmdVersion(f),
		cmdaction.NewCmdAction(f),
	)
	return cmd
}
