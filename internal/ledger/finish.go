package ledger

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/render"
)

// What happens when a deployment is interrupted
//
// The first SIGINT or SIGTERM (package interrupt) closes the deployment's
// stop channel; nothing is cancelled yet:
//
//   - while waiting for another deployment's claim, Claim returns
//     ErrStopped: nothing was claimed or recorded;
//   - after the claim, the engine starts no new write; requests in flight
//     finish (for a bounded grace period), are read back when their answer
//     was lost, and operations never started are journaled "not attempted:
//     interrupted"; targets not yet started get ErrInterruptedBeforeTarget;
//   - Finish then ends the record as interrupted, naming what landed and
//     what did not, and Record commits it with the snapshot of exactly what
//     landed and releases the claim, on a context of its own.
//
// A second signal (or the grace period running out) cancels the run's
// context: requests in flight are cut off, then read back once on a
// context of their own (at most 5s, package apply): a write the server
// shows is recorded, the others count as not landed ("outcome unknown").
// A write the server finishes after that read shows up as drift on the
// next plan, and applying again converges, because the drift guard ignores
// drift that is already what the repository wants. Record still runs,
// bounded by RecordTimeout, so the claim is released.
//
// Only SIGKILL (or a lost machine) leaves a claim and an applying record
// behind. The next deployment reports who holds the claim; once it is stale
// — older than the reader's --claim-timeout, or, in the Action, held by a
// run GitHub says has ended — it can be taken over, and the dead
// deployment's record is closed as abandoned in the same commit.

// ErrInterruptedBeforeTarget is a target's error when the run was
// interrupted before it started on that target.
var ErrInterruptedBeforeTarget = errors.New("not attempted: interrupted before this target was started")

// TargetOutcome is what one target's apply did.
type TargetOutcome struct {
	Name, URL string
	Outcome   *apply.Outcome
	Error     string
}

// Finish moves d (applying) to its end state from the targets' outcomes:
// interrupted when a signal stopped it, failed (or rolled-back when the
// engine reverted what it wrote) when err is set, else succeeded.
func Finish(d *deploy.Deployment, now time.Time, targets []TargetOutcome, interrupted, verify bool, err error) {
	var applied, failed, notAttempted, rolledBack int
	for _, t := range targets {
		tr := deploy.TargetResult{Name: t.Name, URL: t.URL, Error: t.Error}
		if o := t.Outcome; o != nil {
			tr.Results, tr.Problems, tr.RolledBack, tr.Generation, tr.Unowned = o.Results, o.Problems, o.RolledBack, o.Generation, o.Unowned
			for _, r := range o.Results {
				switch {
				case r.Status == apply.Applied:
					applied++
				case r.Status == apply.Failed:
					failed++
				case r.Status == apply.Skipped && strings.HasPrefix(r.Message, "not attempted"):
					notAttempted++
				}
			}
			if len(o.RolledBack) > 0 {
				rolledBack++
			}
		}
		d.Targets = append(d.Targets, tr)
	}
	switch {
	case interrupted:
		must(d.Advance(deploy.Interrupted, now, fmt.Sprintf("interrupted: %d writes landed and are recorded, %d failed, %d not attempted; run apply again to finish", applied, failed, notAttempted)))
	case err != nil:
		must(d.Advance(deploy.Failed, now, fmt.Sprintf("%d writes applied, %d failed: %s", applied, failed, render.FirstLine(err.Error()))))
		if rolledBack > 0 {
			must(d.Advance(deploy.RollingBack, now, "reverting what this deployment changed"))
			must(d.Advance(deploy.RolledBack, now, fmt.Sprintf("rolled back on %d target(s)", rolledBack)))
		}
	default:
		if verify {
			must(d.Advance(deploy.Verifying, now, fmt.Sprintf("%d writes applied; reading live state back", applied)))
		}
		must(d.Advance(deploy.Succeeded, now, fmt.Sprintf("%d writes applied and verified on %d target(s)", applied, len(targets))))
	}
}

// must panics on a state machine misuse: a programming error, never input.
func must(err error) {
	if err != nil {
		panic(err)
	}
}
