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
func (d *Driver) applyManifest(ctx context.Context, ops []apply.Operation, opts apply.Options) []apply.Result {
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
		res, err := d.manifestWrites(ctx, writes, opts.DryRun)
		if honua.IsFeatureUnavailable(err) {
			d.log.Warn("manifest apply unavailable; using per-resource CRUD", "target", d.name, "error", err)
			return d.applyResources(ctx, ops, opts)
		}
		for _, r := range res {
			results[r.ID().Key()] = r
		}
	}
	if len(deletes) > 0 {
		failed := false
		for _, r := range results {
			failed = failed || r.Status == apply.Failed
		}
		if failed {
			for _, op := range deletes {
				results[op.ID.Key()] = apply.ResultFor(op, apply.Skipped, "not attempted: an earlier write failed")
			}
		} else {
			for _, r := range d.applyResources(ctx, deletes, opts) {
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
// when the outcome is unknown (a manifest apply is declarative: sending the
// same manifest again converges to the same state).
func (d *Driver) manifestWrites(ctx context.Context, writes []apply.Operation, dryRun bool) ([]apply.Result, error) {
	req := honua.ApplyRequest{DryRun: dryRun, RequestedBy: "honua-gitops", RequestedReason: "honua-gitops apply"}
	for _, op := range writes {
		req.Resources = append(req.Resources, op.Desired)
	}
	var lastErr error
	for attempt := 1; attempt <= d.writeAttempts; attempt++ {
		res, err := d.client.ApplyManifest(ctx, req)
		if err == nil {
			return d.entries(writes, res, attempt, dryRun), nil
		}
		if honua.IsFeatureUnavailable(err) {
			return nil, err
		}
		lastErr = err
		if !retryable(err) || d.backoff(ctx, attempt) != nil {
			break
		}
	}
	if dryRun {
		return allResults(writes, apply.Failed, "server dry run failed: "+lastErr.Error()), nil
	}
	// The outcome is unknown: read each resource back and report only what
	// the server shows.
	out := make([]apply.Result, 0, len(writes))
	for _, op := range writes {
		cur, err := d.client.GetResource(ctx, op.ID)
		if err == nil && apply.SameContent(op.Desired, cur.Resource) && ownedBy(cur) {
			out = append(out, attempts(apply.ResultFor(op, apply.Applied, "manifest apply failed ("+lastErr.Error()+"), but the resource is on the server as desired"), d.writeAttempts))
			continue
		}
		out = append(out, attempts(apply.ResultFor(op, apply.Failed, "manifest apply failed: "+lastErr.Error()), d.writeAttempts))
	}
	return out, nil
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

func allResults(ops []apply.Operation, status apply.Status, message string) []apply.Result {
	out := make([]apply.Result, len(ops))
	for i, op := range ops {
		out[i] = apply.ResultFor(op, status, message)
	}
	return out
}
