// Command honua-gitops is the CLI and GitHub Action entry point.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/root"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/iostreams"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	io := iostreams.System()
	f := &cmdutil.Factory{
		IOStreams: io,
		Getenv:    os.Getenv,
		Now:       time.Now,
		Logger:    slog.New(slog.NewTextHandler(io.ErrOut, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Version:   version,
	}
	code := app.Execute(ctx, root.NewCmdRoot(f), os.Args[1:], io.ErrOut)
	stop()
	os.Exit(int(code))
}
