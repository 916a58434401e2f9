// Command honua-gitops is the CLI and GitHub Action entry point.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/root"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/interrupt"
	"github.com/honua-io/honua-gitops/internal/iostreams"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	io := iostreams.System()
	// SIGINT/SIGTERM stop an apply gracefully (record what landed, release
	// the environment); a second signal stops at once.
	ctx, ctrl := interrupt.New(context.Background(), interrupt.DefaultGrace, func(msg string) { fmt.Fprintln(io.ErrOut, msg) })
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go ctrl.Watch(ctx, sigs)
	f := &cmdutil.Factory{
		IOStreams: io,
		Getenv:    os.Getenv,
		Now:       time.Now,
		Logger:    slog.New(slog.NewTextHandler(io.ErrOut, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Version:   version,
		Interrupt: ctrl,
	}
	code := app.Execute(ctx, root.NewCmdRoot(f), os.Args[1:], io.ErrOut)
	signal.Stop(sigs)
	ctrl.Close()
	os.Exit(int(code))
}
