// Package app maps errors to the process exit codes every command shares,
// and prints them for people.
package app

import (
	"errors"
	"fmt"

	"github.com/honua-io/honua-gitops/internal/diag"
)

// ExitCode is the documented process exit status.
type ExitCode int

// Exit codes, identical for every command (README, "Exit codes").
const (
	// ExitOK: success, or no changes.
	ExitOK ExitCode = 0
	// ExitFailure: a runtime failure (server, git, network, auth).
	ExitFailure ExitCode = 1
	// ExitInvalid: invalid input (configuration or flags).
	ExitInvalid ExitCode = 2
	// ExitChanges: changes present (only with --detailed-exitcode).
	ExitChanges ExitCode = 3
	// ExitRefused: refused for safety (plan changed since review, state
	// moved, blocked by policy).
	ExitRefused ExitCode = 4
)

// InvalidInputError carries diagnostics that make the input invalid.
type InvalidInputError struct {
	Diagnostics diag.List
}

func (e *InvalidInputError) Error() string {
	n := len(e.Diagnostics.Errors())
	if n == 1 {
		return "configuration is invalid: 1 problem"
	}
	return fmt.Sprintf("configuration is invalid: %d problems", n)
}

// InputError is invalid input that is not a configuration file problem
// (a missing secret or credential, a target without a URL).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// FlagError is a bad command line.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// RefusedError means the tool stopped on purpose to keep production safe.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "refused: " + e.Reason }

// ErrChangesPresent is returned by plan with --detailed-exitcode when the
// plan has changes; it is a result, not a failure.
var ErrChangesPresent = errors.New("changes present")

// ErrSilent means the command already reported its failure (exit 1).
var ErrSilent = errors.New("silent")

// CodeFor returns the exit code for an error.
func CodeFor(err error) ExitCode {
	var inv *InvalidInputError
	var flag *FlagError
	var refused *RefusedError
	var input *InputError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &inv), errors.As(err, &flag), errors.As(err, &input):
		return ExitInvalid
	case errors.Is(err, ErrChangesPresent):
		return ExitChanges
	case errors.As(err, &refused):
		return ExitRefused
	}
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return ExitCode(coded.ExitCode())
	}
	return ExitFailure
}
