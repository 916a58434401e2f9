package app

import (
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/diag"
)

// Hinter is an error that can say how to fix it; the JSON error document
// carries the hint separately from the message.
type Hinter interface {
	Hint() string
}

// JSONError is what a command run with --format json prints on stderr
// when it fails, so a script that asked for JSON never has to parse text:
//
//	{"error": {"message": "...", "hint": "...", "exitCode": 2}}
type JSONError struct {
	Error JSONErrorBody `json:"error"`
}

// JSONErrorBody is the error itself.
type JSONErrorBody struct {
	// Message says what went wrong.
	Message string `json:"message"`
	// Hint says how to fix it; empty when there is nothing to add.
	Hint string `json:"hint"`
	// ExitCode is the process exit status (README, "Exit codes").
	ExitCode int `json:"exitCode"`
	// Diagnostics are the configuration problems behind an invalid-input
	// error, when the command has not already printed them in its own
	// JSON document.
	Diagnostics diag.List `json:"diagnostics,omitempty"`
}

// usageHint is the hint of every bad command line.
const usageHint = "run with --help for usage"

// NewJSONError describes err as the JSON error document.
func NewJSONError(err error) JSONError {
	body := JSONErrorBody{Message: err.Error(), ExitCode: int(CodeFor(err))}
	var flag *FlagError
	var inv *InvalidInputError
	var h Hinter
	switch {
	case errors.As(err, &flag):
		body.Message, body.Hint = flag.Err.Error(), usageHint
	case errors.As(err, &inv):
		if !isPrinted(err) {
			body.Diagnostics = inv.Diagnostics
		}
	}
	if errors.As(err, &h) && body.Hint == "" {
		body.Hint = h.Hint()
	}
	return JSONError{Error: body}
}

// printJSONError writes err as one JSON document on w.
func printJSONError(w io.Writer, err error) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(NewJSONError(err))
}

// wantsJSON reports whether cmd was run with --format json (in any case),
// which makes its errors JSON too.
func wantsJSON(cmd *cobra.Command) bool {
	if cmd == nil {
		return false
	}
	fl := cmd.Flags().Lookup("format")
	return fl != nil && strings.EqualFold(fl.Value.String(), "json")
}
