package gen1

import (
	"context"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// applyManifest sends every create and update in one manifest apply, never
// with prune (Honua's prune deletes what the tool does not own), and checks
// every entry: Honua answers 200 with "skip" entries that are failures.
// Deletes then go one by one, ownership-checked, with If-Match. When the
// server does not offer manifest apply (402/403), it falls back to CRUD.
func (d *Driver) applyManifest(ctx context.Context, ops []apply.Operation, rn *run) []apply.Result {
	var writes, deletes []apply.Operation
	for _, op := range ops {
		if op.Action == plan.Delete {
			deletes = append(deletes, op)
		} else {
			writes = append(writes, op)
		}
	}
	results := make(map[resource.Identity]apply.Result, len(ops))
	if len(writes) > 0 {
		res, err := d.manifestWrites(ctx, writes, rn)
		if honua.IsFeatureUnavailable(err) {
			d.log.Warn("manifest apply unavailable; using per-resource CRUD", "target", d.name, "error", err)
			return d.applyResources(ctx, ops, rn)
		}
		for _, r := range res {
			results[r.ID().Key()] = rn.done(r)
		}
	}
	if len(deletes) > 0 {
		failed := false
		for _, r := range results {
			failed = failed || r.Status == apply.Failed
		}
		if failed && !rn.interrupted(ctx) {
			for _, op := range deletes {
				results[op.ID.Key()] = rn.done(apply.ResultFor(op, apply.Skipped, "not attempted: an earlier write failed"))
			}
		} else {
			// An interruption is reported by applyResources, which starts
			// nothing once stopped.
			for _, r := range d.applyResources(ctx, deletes, rn) {
				results[r.ID().Key()] = r
			}
		}
	}
	out := make([]apply.Result, len(ops))
	for i, op := range ops {
		out[i] = results[op.ID.Key()]
	}
	return out
}

// manifestWrites posts the manifest, retrying a bounded number of times
// when the outcome is unknown. Honua applies a manifest in order and
// without a transaction, so a failed apply may have written some entries:
// after each failure the server is read back, entries that landed (or that
// someone else changed meanwhile) leave the manifest, and only the rest is
// sent again. Results come back in the order of writes.
func (d *Driver) manifestWrites(ctx context.Context, writes []apply.Operation, rn *run) ([]apply.Result, error) {
	dryRun := rn.opts.DryRun
	done := make(map[resource.Identity]apply.Result, len(writes))
	pending := writes
	var (
		lastErr, readErr error
		stopped, refused bool
		calls            int
	)
	for attempt := 1; ; attempt++ {
		if rn.interrupted(ctx) {
			stopped = true
			break
		}
		calls = attempt
		req := honua.ApplyRequest{DryRun: dryRun, RequestedBy: "honua-gitops", RequestedReason: "honua-gitops apply"}
		for _, op := range pending {
			req.Resources = append(req.Resources, op.Desired)
		}
		res, err := d.client.ApplyManifest(ctx, req)
		if err == nil {
			for _, r := range d.entries(pending, res, attempt, dryRun) {
				done[r.ID().Key()] = r
			}
			pending = nil
			break
		}
		if honua.IsFeatureUnavailable(err) && len(done) == 0 {
			return nil, err
		}
		lastErr = err
		if dryRun {
			for _, op := range pending {
				done[op.ID.Key()] = apply.ResultFor(op, apply.Failed, "server dry run failed: "+err.Error())
			}
			pending = nil
			break
		}
		if ctx.Err() != nil {
			for _, op := range pending {
				done[op.ID.Key()] = attempts(apply.ResultFor(op, apply.Failed, apply.MessageOutcomeUnknown), attempt)
			}
			pending = nil
			break
		}
		if !retryable(err) {
			// Refused (4xx): Honua validates a manifest before applying
			// any of it, so nothing of this attempt landed.
			refused = true
			break
		}
		pending, readErr = d.sortOut(ctx, pending, err, attempt, done)
		if len(pending) == 0 || attempt >= d.writeAttempts {
			break
		}
		if d.backoff(ctx, attempt) != nil {
			stopped = true
			break
		}
	}
	for i, op := range pending {
		var r apply.Result
		switch {
		case refused:
			r = apply.ResultFor(op, apply.Failed, "not applied: the server refused the manifest apply: "+lastErr.Error())
		case stopped && readErr == nil:
			r = apply.ResultFor(op, apply.Skipped, apply.MessageInterrupted)
		case readErr != nil:
			r = apply.ResultFor(op, apply.Failed, fmt.Sprintf("manifest apply failed: %v (and reading the server back failed: %v)", lastErr, readErr))
		case i == 0:
			// Honua stops at the entry that failed: the first one that did
			// not land.
			r = apply.ResultFor(op, apply.Failed, "the manifest apply failed here: "+lastErr.Error())
		default:
			r = apply.ResultFor(op, apply.Failed, fmt.Sprintf("not applied: the manifest apply stopped at %s: %v", pending[0].ID, lastErr))
		}
		done[op.ID.Key()] = attempts(r, calls)
	}
	out := make([]apply.Result, len(writes))
	for i, op := range writes {
		out[i] = done[op.ID.Key()]
	}
	return out, nil
}

// sortOut reads the server back after a manifest apply failed with err and
// moves entries out of pending: those that landed as desired (applied),
// and those someone else created, changed or deleted since the plan read
// them (failed, left alone). It returns what is still to write; when the
// server cannot be read, pending is returned whole with the error.
func (d *Driver) sortOut(ctx context.Context, pending []apply.Operation, err error, attempt int, done map[resource.Identity]apply.Result) ([]apply.Operation, error) {
	live, rerr := d.Live(ctx, apply.Scope{})
	if rerr != nil {
		return pending, rerr
	}
	byID := make(map[resource.Identity]*apply.LiveObject, len(live))
	for i := range live {
		byID[live[i].Resource.ID().Key()] = &live[i]
	}
	var still []apply.Operation
	for _, op := range pending {
		l := byID[op.ID.Key()]
		switch {
		case l != nil && l.OwnedBy(op.Environment) && apply.SameContent(op.Desired, l.Resource):
			done[op.ID.Key()] = attempts(apply.ResultFor(op, apply.Applied, "landed before the manifest apply failed: "+err.Error()), attempt)
		case changedOnServer(op, l) != "":
			done[op.ID.Key()] = attempts(apply.ResultFor(op, apply.Failed, changedDuringApply(changedOnServer(op, l), nil)), attempt)
		default:
			still = append(still, op)
		}
	}
	return still, nil
}

// changedOnServer says how the server's copy l (nil when absent) changed
// since the plan read it, or returns "" when it did not.
func changedOnServer(op apply.Operation, l *apply.LiveObject) string {
	switch {
	case op.Live == nil && l == nil:
		return ""
	case op.Live == nil:
		return "created on the server by someone else during apply"
	case l == nil:
		return "deleted on the server by someone else during apply"
	case op.Live.ResourceVersion == "" || op.Live.ResourceVersion == l.ResourceVersion:
		return ""
	}
	return fmt.Sprintf("changed on the server by someone else during apply (resourceVersion %s → %s)", op.Live.ResourceVersion, l.ResourceVersion)
}

func (d *Driver) entries(writes []apply.Operation, res *honua.ApplyResult, attempt int, dryRun bool) []apply.Result {
	byID := make(map[resource.Identity]honua.ApplyEntry, len(res.Entries))
	for _, e := range res.Entries {
		byID[e.Resource.Key()] = e
	}
	out := make([]apply.Result, 0, len(writes))
	for _, op := range writes {
		e, ok := byID[op.ID.Key()]
		var r apply.Result
		switch {
		case !ok:
			r = apply.ResultFor(op, apply.Failed, "missing from the server's apply response")
		case e.Failed():
			r = apply.ResultFor(op, apply.Failed, "server skipped it: "+msg(e))
		case dryRun:
			r = apply.ResultFor(op, apply.Planned, fmt.Sprintf("server dry run: %s", e.Action))
		case strings.EqualFold(e.Action, "skip"):
			r = apply.ResultFor(op, apply.Applied, "already as desired on the server")
		default:
			r = apply.ResultFor(op, apply.Applied, "")
		}
		out = append(out, attempts(r, attempt))
	}
	return out
}

func msg(e honua.ApplyEntry) string {
	if e.Message == nil {
		return ""
	}
	return *e.Message
}
