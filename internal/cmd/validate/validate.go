// Package validate is the `honua-gitops validate` command.
package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/iostreams"
	"github.com/honua-io/honua-gitops/internal/usecase"
	check "github.com/honua-io/honua-gitops/internal/validate"
)

// Options are the inputs of validate.
type Options struct {
	IO     *iostreams.IOStreams
	Env    cmdutil.EnvFlags
	Format string
	// Strict makes every warning an error (exit 2).
	Strict bool
}

// NewCmdValidate builds the command; runF replaces the run in tests.
func NewCmdValidate(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the configuration repository without contacting anything",
		Long: `Check every environment (or one, with --env): YAML/JSON syntax, apiVersion and
kind, required fields, duplicate resources, references between resources,
plaintext secrets, namespaces, and files outside the repository.

Every problem is printed as file:line:col: message. Exit code 0 means valid,
2 means invalid.`,
		Example: "  honua-gitops validate --dir .\n  honua-gitops validate --env production --format json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmdutil.AddEnvFlags(cmd, &opts.Env, "")
	cmdutil.AddFormatFlag(cmd, &opts.Format, "output `format`: text or json", "text", "json")
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "treat warnings (unknown spec keys, unused variables) as errors: exit 2")
	return cmd
}

type jsonResult struct {
	Valid        bool              `json:"valid"`
	Environments []string          `json:"environments"`
	Problems     []diag.Diagnostic `json:"problems"`
}

func run(ctx context.Context, opts *Options) error {
	ws, err := usecase.OpenWorkspace(opts.Env.Dir)
	if err != nil {
		return report(opts, nil, err)
	}
	envs, err := ws.Environments(opts.Env.Env, false)
	if err != nil {
		return err
	}
	d := ws.Validate(ctx, envs)
	if opts.Strict {
		d = check.Strict(d)
	}
	if d.HasErrors() {
		return report(opts, envs, &app.InvalidInputError{Diagnostics: d})
	}
	if opts.Format == "json" {
		return writeJSON(opts, jsonResult{Valid: true, Environments: envs, Problems: d})
	}
	for _, w := range d {
		fmt.Fprintln(opts.IO.Out, w.String())
	}
	fmt.Fprintf(opts.IO.Out, "valid: %s\n", strings.Join(envs, ", "))
	return nil
}

// report prints diagnostics as the command's output and returns the error
// silently (its lines are already shown).
func report(opts *Options, envs []string, err error) error {
	inv, ok := err.(*app.InvalidInputError)
	if !ok {
		return err
	}
	if opts.Format == "json" {
		if werr := writeJSON(opts, jsonResult{Valid: false, Environments: envs, Problems: inv.Diagnostics}); werr != nil {
			return werr
		}
	} else {
		for _, d := range inv.Diagnostics {
			fmt.Fprintln(opts.IO.Out, d.String())
		}
	}
	return app.PrintedError{InvalidInputError: inv}
}

func writeJSON(opts *Options, r jsonResult) error {
	if r.Problems == nil {
		r.Problems = []diag.Diagnostic{}
	}
	enc := json.NewEncoder(opts.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
