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
	generation := flag.Int("generation", 2, "Honua generation the emulator presents: 2 (Metadata v2, every current release) or 1")
	seed := flag.String("seed", "internal/emulator/seeds/riverton.gen2.json", "Generation 2 emulator seed: the server as it runs before adoption")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	absBin, err := filepath.Abs(*bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
	absSeed, err := filepath.Abs(*seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
	cfg := demo.Config{Bin: absBin, Example: *example, Out: os.Stdout, Generation: *generation, Seed: absSeed}
	if err := demo.Run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}
