// Package schema is the `honua-gitops schema` command: it prints the JSON
// Schemas embedded in the binary, for editors and CI.
package schema

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/schemas"
)

// NewCmdSchema builds the command.
func NewCmdSchema(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "schema [name]",
		Short: "Print a JSON Schema (resource, overlay, variables, config, plan)",
		Long: `Print one of the JSON Schemas embedded in the binary, or list them.

Save them in your configuration repository so that editors with
yaml-language-server validate and complete files as you type:

  mkdir -p .schemas
  for s in resource overlay variables config; do
    honua-gitops schema $s > .schemas/$s.schema.json
  done`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				for _, n := range schemas.Names() {
					fmt.Fprintln(f.IOStreams.Out, strings.TrimSuffix(n, ".schema.json"))
				}
				return nil
			}
			data, ok := schemas.Get(args[0])
			if !ok {
				var names []string
				for _, n := range schemas.Names() {
					names = append(names, strings.TrimSuffix(n, ".schema.json"))
				}
				return app.FlagErrorf("unknown schema %q; known: %s", args[0], strings.Join(names, ", "))
			}
			_, err := f.IOStreams.Out.Write(data)
			return err
		},
	}
}
