package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/diag"
)

type hinted struct{}

func (hinted) Error() string { return "server said no" }
func (hinted) Hint() string  { return "check the URL" }

// tree is a command with --format that fails with err.
func tree(err error) *cobra.Command {
	root := &cobra.Command{Use: "tool", SilenceErrors: true, SilenceUsage: true}
	sub := &cobra.Command{Use: "sub", Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { return err }}
	sub.Flags().String("format", "text", "")
	root.AddCommand(sub)
	return root
}

type jsonDoc struct {
	Error struct {
		Message     string            `json:"message"`
		Hint        *string           `json:"hint"`
		ExitCode    *int              `json:"exitCode"`
		Diagnostics []diag.Diagnostic `json:"diagnostics"`
	} `json:"error"`
}

func TestErrorsAreJSONWithFormatJSON(t *testing.T) {
	inv := &app.InvalidInputError{Diagnostics: diag.List{{Pos: diag.Pos{File: "a.yaml", Line: 1}, Severity: diag.Error, Message: "bad"}}}
	tests := []struct {
		name      string
		err       error
		args      []string
		code      int
		message   string
		hint      string
		diagCount int
	}{
		{name: "runtime failure", err: errors.New("boom"), code: 1, message: "boom"},
		{name: "error with a hint", err: hinted{}, code: 1, message: "server said no", hint: "check the URL"},
		{name: "flag error", err: app.FlagErrorf("name the environment"), code: 2, message: "name the environment", hint: "run with --help for usage"},
		{name: "refused", err: &app.RefusedError{Reason: "drift"}, code: 4, message: "refused: drift"},
		{name: "diagnostics not yet printed", err: inv, code: 2, message: "configuration is invalid: 1 problem", diagCount: 1},
		{name: "diagnostics already printed", err: app.PrintedError{InvalidInputError: inv}, code: 2, message: "configuration is invalid: 1 problem"},
		{name: "usage error", err: nil, args: []string{"extra"}, code: 2, hint: "run with --help for usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			args := append([]string{"sub", "--format", "json"}, tt.args...)
			cmd := tree(tt.err)
			if tt.args != nil {
				// What root does for every command: an argument error is a flag error.
				cmd.Commands()[0].Args = func(c *cobra.Command, a []string) error {
					if err := cobra.NoArgs(c, a); err != nil {
						return &app.FlagError{Err: err}
					}
					return nil
				}
			}
			code := app.Execute(context.Background(), cmd, args, &errOut)
			assert.Equal(t, app.ExitCode(tt.code), code)
			var doc jsonDoc
			require.NoError(t, json.Unmarshal(errOut.Bytes(), &doc), errOut.String())
			if tt.message != "" {
				assert.Equal(t, tt.message, doc.Error.Message)
			} else {
				assert.NotEmpty(t, doc.Error.Message)
			}
			require.NotNil(t, doc.Error.Hint, "hint is always present")
			assert.Equal(t, tt.hint, *doc.Error.Hint)
			require.NotNil(t, doc.Error.ExitCode)
			assert.Equal(t, tt.code, *doc.Error.ExitCode)
			assert.Len(t, doc.Error.Diagnostics, tt.diagCount)
		})
	}
}

func TestErrorsStayTextWithoutFormatJSON(t *testing.T) {
	var errOut bytes.Buffer
	code := app.Execute(context.Background(), tree(errors.New("boom")), []string{"sub", "--format", "text"}, &errOut)
	assert.Equal(t, app.ExitFailure, code)
	assert.Equal(t, "error: boom\n", errOut.String())
}
