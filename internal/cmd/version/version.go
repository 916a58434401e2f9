// Package version is the `honua-gitops version` command.
package version

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/cmdutil"
)

// Info is the build version as `version --format json` prints it.
type Info struct {
	Version string `json:"version"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// Current describes this binary, built as version v.
func Current(v string) Info {
	return Info{Version: v, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
}

// Line is the one-line text form, shared by `version` and `--version` so
// the two never disagree.
func (i Info) Line() string {
	return fmt.Sprintf("honua-gitops %s (%s, %s/%s)\n", i.Version, i.Go, i.OS, i.Arch)
}

// NewCmdVersion prints the build version.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := Current(f.Version)
			if format == "json" {
				enc := json.NewEncoder(f.IOStreams.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			_, err := fmt.Fprint(f.IOStreams.Out, info.Line())
			return err
		},
	}
	cmdutil.AddFormatFlag(cmd, &format, "output `format`: text or json", "text", "json")
	return cmd
}
