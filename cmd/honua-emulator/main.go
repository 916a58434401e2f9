// Command honua-emulator serves the Honua Generation 1 control-plane
// emulator (package internal/emulator) on a local address.
//
// When it is ready it prints exactly one line on stdout:
//
//	honua-emulator listening on http://HOST:PORT
//
// Logs go to stderr. SIGINT or SIGTERM stops it cleanly. A usage error exits
// with status 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, serves until a signal arrives and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "honua-emulator: %v\n", err)
		return 2
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	running, err := emulator.Start(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "honua-emulator: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "honua-emulator listening on %s\n", running.URL)
	if err := running.Wait(); err != nil {
		fmt.Fprintf(stderr, "honua-emulator: %v\n", err)
		return 1
	}
	opts.Logger.Info("stopped")
	return 0
}
