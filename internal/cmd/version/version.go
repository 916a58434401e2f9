// Package version is the `honua-gitops version` command.
package version

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/cmdutil"
)

// NewCmdVersion prints the build version.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(f.IOStreams.Out, "honua-gitops %s (%s, %s/%s)\n", f.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}
