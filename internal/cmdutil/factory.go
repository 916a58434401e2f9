// Package cmdutil holds what commands share: the Factory of dependencies and
// helpers for flags that several commands take.
package cmdutil

import (
	"log/slog"
	"time"

	"github.com/honua-io/honua-gitops/internal/interrupt"
	"github.com/honua-io/honua-gitops/internal/iostreams"
)

// Factory builds the dependencies of commands. Commands copy what they need
// into their Options, so tests can replace any of it.
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Getenv reads the process environment (credentials, secrets).
	Getenv func(string) string
	// Now is the clock.
	Now func() time.Time
	// Logger writes diagnostics logs to stderr.
	Logger *slog.Logger
	// Version is the build version.
	Version string
	// Interrupt turns signals into a graceful stop of guarded work; nil in
	// tests (nothing stops gracefully).
	Interrupt *interrupt.Controller
}
