// Command honua-demo runs the walkthrough behind `make demo`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/honua-io/honua-gitops/internal/demo"
)

func main() {
	bin := flag.String("bin", "bin", "directory holding the built binaries")
	example := flag.String("example", "examples/honua-config", "configuration repository to demonstrate")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	absBin, err := filepath.Abs(*bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
	if err := demo.Run(ctx, demo.Config{Bin: absBin, Example: *example, Out: os.Stdout}); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}
