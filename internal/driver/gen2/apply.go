package gen2

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Apply performs ops in dependency order, one at a time, writing only the
// facets that differ from what the server holds. Before its first write it
// re-reads the inventory: if the revision moved since the plan read it,
// someone else wrote, and nothing is written. A Service the server does
// not have yet is created by publishing its first layer, so its own
// settings are written after the layers.
func (d *Driver) Apply(ctx context.Context, ops []apply.Operation, opts apply.Options) []apply.Result {
	results := make([]apply.Result, len(ops))
	done := make([]bool, len(ops))
	report := func(i int, r apply.Result) {
		results[i], done[i] = r, true
		if opts.Progress != nil {
			opts.Progress(r)
		}
	}
	if opts.DryRun {
		for i, op := range ops {
			report(i, apply.ResultFor(op, apply.Planned, "Generation 2 has no server-side dry run: planned only"))
		}
		return results
	}
	if moved := d.stateMoved(ctx); moved != "" {
		for i, op := range ops {
			report(i, apply.ResultFor(op, apply.Failed, moved))
		}
		return results
	}
	order := make([]int, 0, len(ops))
	var later []int
	for i, op := range ops {
		if op.ID.Kind == "Service" && op.Live == nil && op.Action != plan.Delete {
			later = append(later, i)
			continue
		}
		order = append(order, i)
	}
	pairs := reciprocalPairs(ops)
	for _, i := range append(order, later...) {
		op := ops[i]
		if done[i] {
			continue // written in a batch with its reciprocal
		}
		if opts.Stopped() || ctx.Err() != nil {
			report(i, apply.ResultFor(op, apply.Skipped, apply.MessageInterrupted))
			continue
		}
		if j, ok := pairs[i]; ok {
			ra, rb := d.applyReciprocal(ctx, op, ops[j])
			report(i, ra)
			report(j, rb)
			continue
		}
		report(i, d.applyOne(ctx, op))
	}
	for i := range results {
		if !done[i] {
			results[i] = apply.ResultFor(ops[i], apply.Skipped, apply.MessageInterrupted)
		}
	}
	return results
}

// stateMoved re-reads the inventory before the first write and says how it
// moved since the plan's read ("" when it did not, or when this driver
// already wrote and moves it itself).
func (d *Driver) stateMoved(ctx context.Context) string {
	d.mu.Lock()
	base, wrote := d.baseline, d.wrote
	d.mu.Unlock()
	if base == nil || wrote {
		return ""
	}
	inv, err := d.client.Gen2Inventory(ctx, d.env)
	if err != nil {
		return fmt.Sprintf("could not re-read the inventory of metadata environment %q before writing (%v); nothing was written", d.env, err)
	}
	if inv.Revision != base.Revision || inv.ETag != base.ETag {
		return fmt.Sprintf("state moved on the server: metadata environment %q went from revision %d to %d since this plan read it, so someone else wrote; nothing was written — plan again and review",
			d.env, base.Revision, inv.Revision)
	}
	return ""
}

// applyOne performs one operation and says what it wrote.
func (d *Driver) applyOne(ctx context.Context, op apply.Operation) apply.Result {
	var (
		wrote []string
		err   error
		rec   = &opRecord{}
	)
	ctx = withRecord(ctx, rec)
	switch op.ID.Kind {
	case "Service":
		wrote, err = d.applyService(ctx, op)
	case "Connection":
		wrote, err = d.applyConnection(ctx, op)
	case "Layer":
		wrote, err = d.applyLayer(ctx, op)
	case "Style":
		wrote, err = d.applyStyle(ctx, op)
	case "Relationship":
		wrote, err = d.applyRelationship(ctx, op)
	default:
		return apply.ResultFor(op, apply.Skipped, op.ID.Kind+" is "+notPossible)
	}
	res := apply.ResultFor(op, apply.Applied, "")
	res.Attempts, res.Prior = rec.attempts, rec.prior
	switch {
	case errors.Is(err, errUnknown):
		res.Status, res.Message = apply.Failed, apply.MessageOutcomeUnknown
	case err != nil:
		res.Status, res.Message = apply.Failed, err.Error()
		if len(wrote) > 0 {
			res.Message += " (written before the failure: " + strings.Join(wrote, ", ") + ")"
		}
	case rec.note != "":
		res.Message = rec.note
	case len(wrote) == 0:
		res.Message = "already as desired on the server: nothing written"
		if op.Action == plan.Create && op.Live != nil {
			res.Message = "adopted the server's " + strings.ToLower(op.ID.Kind) + ", already as desired: nothing written"
		}
	default:
		res.Message = "wrote " + strings.Join(wrote, ", ")
		if op.Action == plan.Create && op.Live != nil {
			res.Message = "adopted the server's " + strings.ToLower(op.ID.Kind) + "; " + res.Message
		}
	}
	return res
}

// differs reports whether want and have differ as canonical values.
func differs(want, have any) bool {
	a, errA := resource.Normalize(want)
	b, errB := resource.Normalize(have)
	if errA != nil || errB != nil {
		return true
	}
	return len(diff.Values("", a, b)) > 0
}

// changed reports whether the plan changes a path under /spec/key.
func changed(op apply.Operation, key string) bool {
	p := "/spec/" + key
	return slices.ContainsFunc(op.Changes, func(c plan.FieldChange) bool { return c.Path == p || strings.HasPrefix(c.Path, p+"/") })
}

// removed reports whether the plan removes /spec/key altogether.
func removed(op apply.Operation, key string) bool {
	p := "/spec/" + key
	return slices.ContainsFunc(op.Changes, func(c plan.FieldChange) bool { return c.Path == p && c.Op == plan.OpRemove })
}

func liveSpec(op apply.Operation) map[string]any {
	if op.Live == nil || op.Live.Resource == nil {
		return map[string]any{}
	}
	return op.Live.Resource.Spec
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
