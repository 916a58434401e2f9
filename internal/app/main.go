package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Execute runs the command tree and reports the error, if any, on errOut in
// the form people act on (a JSON document when the command ran with
// --format json, see JSONError). It returns the exit code.
func Execute(ctx context.Context, cmd *cobra.Command, args []string, errOut io.Writer) ExitCode {
	cmd.SetArgs(args)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &FlagError{Err: err} })
	ran, err := cmd.ExecuteContextC(ctx)
	code := CodeFor(err)
	switch {
	case err == nil, errors.Is(err, ErrChangesPresent), errors.Is(err, ErrSilent):
	case wantsJSON(ran):
		printJSONError(errOut, err)
	default:
		printError(errOut, err)
	}
	return code
}

func printError(w io.Writer, err error) {
	var inv *InvalidInputError
	if errors.As(err, &inv) {
		errs := inv.Diagnostics.Errors()
		files := map[string]bool{}
		for _, d := range errs {
			files[d.Pos.File] = true
		}
		if !isPrinted(err) {
			for _, d := range inv.Diagnostics {
				fmt.Fprintln(w, d.String())
			}
		}
		fmt.Fprintf(w, "error: %s in %d %s\n", plural(len(errs), "problem"), len(files), pluralWord(len(files), "file"))
		return
	}
	var flag *FlagError
	if errors.As(err, &flag) {
		fmt.Fprintf(w, "error: %s\nRun with --help for usage.\n", flag.Err)
		return
	}
	fmt.Fprintf(w, "error: %s\n", err)
}

// PrintedError marks diagnostics the command already wrote to stdout.
type PrintedError struct{ *InvalidInputError }

func (e PrintedError) Unwrap() error { return e.InvalidInputError }

func isPrinted(err error) bool {
	var p PrintedError
	return errors.As(err, &p)
}

func plural(n int, word string) string {
	return fmt.Sprintf("%d %s", n, pluralWord(n, word))
}

func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
