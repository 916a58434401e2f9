// Package root assembles the honua-gitops command tree.
package root

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"

	cmdaction "github.com/honua-io/honua-gitops/internal/cmd/action"
	"github.com/honua-io/honua-gitops/internal/cmd/apply"
	"github.com/honua-io/honua-gitops/internal/cmd/deployment"
	"github.com/honua-io/honua-gitops/internal/cmd/deployments"
	"github.com/honua-io/honua-gitops/internal/cmd/drift"
	"github.com/honua-io/honua-gitops/internal/cmd/importcmd"
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
		// --version prints what `version` prints.
		Version: f.Version,
		// A root with its own Args and Run reports an unknown command
		// through usageArgs (exit 2) instead of cobra's plain error.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.SetVersionTemplate(version.Current(f.Version).Line())
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.AddCommand(
		validate.NewCmdValidate(f, nil),
		plan.NewCmdPlan(f, nil),
		apply.NewCmdApply(f, nil),
		drift.NewCmdDrift(f, nil),
		importcmd.NewCmdImport(f, nil),
		status.NewCmdStatus(f),
		deployments.NewCmdDeployments(f),
		deployment.NewCmdDeployment(f),
		rollback.NewCmdRollback(f),
		schema.NewCmdSchema(f),
		version.NewCmdVersion(f),
		cmdaction.NewCmdAction(f),
	)
	usageArgs(cmd)
	return cmd
}

// usageArgs makes every positional-argument error in the tree (a missing or
// extra argument, an unknown command) a FlagError, so it exits 2 like any
// other bad command line rather than 1 like a runtime failure.
func usageArgs(cmd *cobra.Command) {
	if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			if err := check(c, args); err != nil {
				return &app.FlagError{Err: err}
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		usageArgs(sub)
	}
}
