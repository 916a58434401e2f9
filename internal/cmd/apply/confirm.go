package apply

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// errDeclined is the answer "no" to the confirmation (exit code 1).
var errDeclined = errors.New("apply cancelled: nothing was applied or recorded")

// confirm asks before writing, as terraform does without -auto-approve —
// but only a person at a terminal: with --yes, in CI, in the Action, or
// when stdin or stdout is not a terminal, it proceeds.
func confirm(opts *Options, f DeployFlags, p *plan.Plan) error {
	if f.Yes || f.DryRun || !opts.IO.IsStdinTTY() || !opts.IO.IsStdoutTTY() ||
		opts.Getenv("CI") != "" || opts.Getenv("GITHUB_ACTIONS") != "" {
		return nil
	}
	what := fmt.Sprintf("%d changes", p.Summary.Total())
	if !p.HasChanges() {
		what = "the drift repair"
	}
	fmt.Fprintf(opts.IO.ErrOut, "\nApply %s to %s? Only 'yes' will be accepted (or run with --yes).\n  Enter a value: ", what, p.Environment)
	line, err := bufio.NewReader(opts.IO.In).ReadString('\n')
	if err != nil && line == "" {
		return errDeclined
	}
	if strings.TrimSpace(line) != "yes" {
		return errDeclined
	}
	return nil
}
