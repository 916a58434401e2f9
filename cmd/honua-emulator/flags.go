package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

// parseFlags turns the command line into emulator options. Usage errors
// are returned; the caller exits with status 2.
func parseFlags(args []string, stderr io.Writer) (emulator.Options, error) {
	fs := flag.NewFlagSet("honua-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		opts         emulator.Options
		edition      = fs.String("edition", string(emulator.EditionEnterprise), "edition to present: community or enterprise")
		gating       = fs.Int("gating-status", emulator.DefaultGatingStatus, "status community answers enterprise routes with: 402 (ADR-0024) or 403 (Honua's code)")
		failResource = fs.String("fault-fail-resource", "", "fail every write to this resource, as Kind/namespace/name")
		when         = fs.String("fault-when", string(emulator.FaultBefore), "when faults strike: before the work (nothing changes) or after it (the write happens, the answer is lost)")
		seed         = fs.String("seed", "", "Generation 2 only: JSON seed file with services, secure connections (and their tables), databases and published layers; ignored once --state-file exists")
		generation   = fs.Int("generation", emulator.Generation1, "Honua generation to present: 1 (the declarative control plane) or 2 (impersonate a Metadata v2 server for detection tests)")
	)
	fs.StringVar(&opts.Listen, "listen", emulator.DefaultListenAddress, "address to listen on; port 0 picks a free port")
	fs.StringVar(&opts.APIKey, "api-key", "", "admin API key clients must send as X-API-Key or Bearer token (required)")
	fs.StringVar(&opts.StateFile, "state-file", "", "JSON file to load state from and save it to after every write")
	fs.StringVar(&opts.ServerVersion, "server-version", emulator.DefaultServerVersion, "server version to report")
	fs.DurationVar(&opts.Faults.Latency, "fault-latency", 0, "latency added to every request")
	fs.DurationVar(&opts.Faults.Jitter, "fault-jitter", 0, "random extra latency, up to this much")
	fs.Float64Var(&opts.Faults.ErrorRate, "fault-error-rate", 0, "fraction of requests answered 500 or 503 (0..1)")
	fs.IntVar(&opts.Faults.FailNthWrite, "fault-fail-nth-write", 0, "fail the Nth resource write (1-based; 0 disables)")
	fs.Float64Var(&opts.Faults.DropRate, "fault-drop-rate", 0, "fraction of requests whose connection is closed without an answer (0..1)")
	fs.Uint64Var(&opts.Faults.Seed, "fault-seed", 1, "seed for the random faults")
	fs.IntVar(&opts.Faults.WriteStatus, "fault-write-status", 0, "status the fail-nth-write and fail-resource faults answer: 500 (default) or 503")
	fs.IntVar(&opts.Faults.ServingStatus, "fault-serving-status", 0, "answer every serving route (/ogc/…, /rest/services…) with this status, e.g. 500 or 503 (0 disables); health and admin routes keep working")
	fs.BoolVar(&opts.Faults.RelationshipsConflict, "fault-relationships-conflict", false, "Generation 2: answer every valid relationships PUT (single or batch) with the retries-exhausted 409, writing nothing")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: honua-emulator --api-key KEY [flags]")
		fmt.Fprintln(fs.Output(), "Serves a Honua control-plane emulator: Generation 1, or Generation 2 (Metadata v2) with --generation 2.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var errs []error
	if opts.APIKey == "" {
		errs = append(errs, errors.New("`--api-key` is required: the key clients must send as X-API-Key"))
	}
	e, err := emulator.ParseEdition(*edition)
	if err != nil {
		errs = append(errs, fmt.Errorf("`--edition`: %w", err))
	}
	opts.Edition = e
	if *gating != http.StatusPaymentRequired && *gating != http.StatusForbidden {
		errs = append(errs, fmt.Errorf("`--gating-status` %d: want 402 or 403", *gating))
	}
	opts.GatingStatus = *gating
	if *failResource != "" {
		id, err := emulator.ParseIdentity(*failResource)
		if err != nil {
			errs = append(errs, fmt.Errorf("`--fault-fail-resource`: %w", err))
		}
		opts.Faults.FailResource = id
	}
	t, err := emulator.ParseFaultTiming(strings.ToLower(*when))
	if err != nil {
		errs = append(errs, fmt.Errorf("`--fault-when`: %w", err))
	}
	opts.Faults.When = t
	if err := opts.Faults.Validate(); err != nil {
		errs = append(errs, err)
	}
	if g, err := emulator.ParseGeneration(*generation); err != nil {
		errs = append(errs, fmt.Errorf("`--generation`: %w", err))
	} else if g == emulator.Generation2 {
		opts.Generation = g
		if !flagSet(fs, "server-version") {
			opts.ServerVersion = emulator.DefaultServerVersionV2
		}
	}
	if *seed != "" {
		if opts.Generation != emulator.Generation2 {
			errs = append(errs, errors.New("`--seed` needs `--generation 2`"))
		} else if sd, err := emulator.LoadGen2Seed(*seed); err != nil {
			errs = append(errs, fmt.Errorf("`--seed`: %w", err))
		} else {
			opts.Gen2Seed = sd
		}
	}
	return opts, errors.Join(errs...)
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
