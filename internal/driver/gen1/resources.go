package gen1

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/order"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// applyResources writes each resource with CRUD and If-Match, one
// dependency level at a time, concurrently within a level. After a level
// with a failure the rest is skipped: later levels may depend on it. After
// an interruption no new write starts.
func (d *Driver) applyResources(ctx context.Context, ops []apply.Operation, rn *run) []apply.Result {
	results := make([]apply.Result, len(ops))
	index := make(map[resource.Identity]int, len(ops))
	for i, op := range ops {
		index[op.ID.Key()] = i
	}
	levels := order.Levels(ops, func(o apply.Operation) resource.Identity { return o.ID }, func(o apply.Operation) bool { return o.Action == plan.Delete })
	stopped := ""
	for _, level := range levels {
		if rn.interrupted(ctx) {
			// Said even after a failure: the person stopped the apply.
			stopped = "interrupted"
		}
		if stopped != "" {
			for _, op := range level {
				results[index[op.ID.Key()]] = rn.done(apply.ResultFor(op, apply.Skipped, "not attempted: "+stopped))
			}
			continue
		}
		sem := make(chan struct{}, rn.opts.Concurrency)
		var wg sync.WaitGroup
		for _, op := range level {
			// Take the slot first, so that a stop during the write before
			// it is seen before this one starts.
			sem <- struct{}{}
			if rn.interrupted(ctx) {
				<-sem
				results[index[op.ID.Key()]] = rn.done(apply.ResultFor(op, apply.Skipped, apply.MessageInterrupted))
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				results[index[op.ID.Key()]] = rn.done(d.write(ctx, op, rn.opts.DryRun))
			}()
		}
		wg.Wait()
		for _, op := range level {
			if r := results[index[op.ID.Key()]]; r.Status == apply.Failed {
				stopped = fmt.Sprintf("%s failed earlier", r.ID())
				break
			}
		}
	}
	return results
}

// write performs one operation so that a retry after an unknown outcome
// (a lost answer, a 5xx) never double-applies, never overwrites someone
// else's change and never reports success that the server did not confirm.
func (d *Driver) write(ctx context.Context, op apply.Operation, dryRun bool) apply.Result {
	if dryRun {
		return apply.ResultFor(op, apply.Planned, "dry run: per-resource CRUD has no server-side dry run")
	}
	var res apply.Result
	switch op.Action {
	case plan.Create:
		res = d.create(ctx, op)
	case plan.Update:
		res = d.update(ctx, op)
	case plan.Delete:
		res = d.delete(ctx, op)
	}
	return res
}

func (d *Driver) create(ctx context.Context, op apply.Operation) apply.Result {
	if op.Live != nil {
		// It existed when read and the drift guard allowed taking it over.
		return d.update(ctx, op)
	}
	var lastErr error
	for attempt := 1; ; attempt++ {
		_, err := d.client.CreateResource(ctx, op.Desired)
		if err == nil {
			return attempts(apply.ResultFor(op, apply.Applied, ""), attempt)
		}
		if ctx.Err() != nil {
			return attempts(apply.ResultFor(op, apply.Failed, apply.MessageOutcomeUnknown), attempt)
		}
		lastErr = err
		// Whatever went wrong, the server now tells the truth: did it land?
		cur, gerr := d.client.GetResource(ctx, op.ID)
		switch {
		case gerr == nil && asDesired(op, cur):
			return attempts(apply.ResultFor(op, apply.Applied, "confirmed by reading it back"), attempt)
		case gerr == nil:
			// On the server, but not as this apply writes it: not ours.
			return attempts(apply.ResultFor(op, apply.Failed, changedDuringApply("created on the server by someone else during apply", err)), attempt)
		case ctx.Err() != nil:
			return attempts(apply.ResultFor(op, apply.Failed, apply.MessageOutcomeUnknown), attempt)
		case !honua.IsNotFound(gerr):
			lastErr = fmt.Errorf("%w (and reading it back failed: %w)", err, gerr)
		}
		if attempt >= d.writeAttempts || !retryable(err) {
			break
		}
		if d.backoff(ctx, attempt) != nil {
			return attempts(apply.ResultFor(op, apply.Failed, apply.MessageOutcomeUnknown), attempt)
		}
	}
	return attempts(apply.ResultFor(op, apply.Failed, lastErr.Error()), d.writeAttempts)
}

// update replaces the resource under If-Match. Every attempt reads the
// resource first: as desired and owned, it is done; at the version the plan
// read, it is written; at any other version someone else changed it during
// apply, and it is left alone (a retry never overwrites a concurrent edit).
func (d *Driver) update(ctx context.Context, op apply.Operation) apply.Result {
	var lastErr error
	wrote := false
	for attempt := 1; ; attempt++ {
		cur, err := d.client.GetResource(ctx, op.ID)
		switch {
		case honua.IsNotFound(err) && op.Live == nil && !wrote:
			// Deleted out of band before the plan read it, and the guard
			// allowed repairing: create.
			c := op
			c.Action = plan.Create
			r := d.create(ctx, c)
			r.Action = plan.Update
			return r
		case honua.IsNotFound(err):
			return attempts(apply.ResultFor(op, apply.Failed, changedDuringApply("deleted on the server by someone else during apply", nil)), attempt)
		case err != nil && ctx.Err() != nil:
			return attempts(interruptedResult(op, wrote), attempt)
		case err != nil:
			lastErr = err
		default:
			if asDesired(op, cur) {
				msg := "already as desired on the server"
				if wrote {
					msg = "confirmed by reading it back"
				}
				return attempts(apply.ResultFor(op, apply.Applied, msg), attempt)
			}
			if what := changedOnServer(op, live(cur)); what != "" {
				return attempts(apply.ResultFor(op, apply.Failed, changedDuringApply(what, nil)), attempt)
			}
			_, err = d.client.UpdateResource(ctx, op.Desired, cur.ETag)
			wrote = true
			if err == nil {
				return attempts(apply.ResultFor(op, apply.Applied, ""), attempt)
			}
			if ctx.Err() != nil {
				return attempts(apply.ResultFor(op, apply.Failed, apply.MessageOutcomeUnknown), attempt)
			}
			lastErr = err
			if honua.IsPreconditionFailed(err) && attempt < d.writeAttempts {
				// Our own earlier write (a retry of a lost answer) or someone
				// else's: the next read tells which.
				continue
			}
		}
		if attempt >= d.writeAttempts || !retryable(lastErr) {
			break
		}
		if d.backoff(ctx, attempt) != nil {
			return attempts(interruptedResult(op, wrote), attempt)
		}
	}
	return attempts(failure(op, lastErr), d.writeAttempts)
}

// delete removes the resource under If-Match, only while this environment
// owns it and it is at the version the plan read.
func (d *Driver) delete(ctx context.Context, op apply.Operation) apply.Result {
	var lastErr error
	wrote := false
	for attempt := 1; ; attempt++ {
		cur, err := d.client.GetResource(ctx, op.ID)
		switch {
		case honua.IsNotFound(err):
			msg := "already absent from the server"
			if wrote {
				msg = "confirmed by reading it back"
			}
			return attempts(apply.ResultFor(op, apply.Applied, msg), attempt)
		case err != nil && ctx.Err() != nil:
			return attempts(interruptedResult(op, wrote), attempt)
		case err != nil:
			lastErr = err
		default:
			if why := apply.MayDelete(op, ownedBy(cur), cur.Annotations[resource.AnnotationEnvironment]); why != "" {
				return attempts(apply.ResultFor(op, apply.Skipped, why), attempt)
			}
			if what := changedOnServer(op, live(cur)); what != "" {
				return attempts(apply.ResultFor(op, apply.Failed, changedDuringApply(what+"; not deleted", nil)), attempt)
			}
			err = d.client.DeleteResource(ctx, op.ID, cur.ETag)
			wrote = true
			if err == nil || honua.IsNotFound(err) {
				return attempts(apply.ResultFor(op, apply.Applied, ""), attempt)
			}
			if ctx.Err() != nil {
				return attempts(apply.ResultFor(op, apply.Failed, apply.MessageOutcomeUnknown), attempt)
			}
			lastErr = err
			if honua.IsPreconditionFailed(err) && attempt < d.writeAttempts {
				continue // the next read shows who changed it
			}
		}
		if attempt >= d.writeAttempts || !retryable(lastErr) {
			break
		}
		if d.backoff(ctx, attempt) != nil {
			return attempts(interruptedResult(op, wrote), attempt)
		}
	}
	return attempts(failure(op, lastErr), d.writeAttempts)
}

// failure is the result of a write whose attempts ran out.
func failure(op apply.Operation, err error) apply.Result {
	if honua.IsPreconditionFailed(err) {
		return apply.ResultFor(op, apply.Failed, changedDuringApply("changed on the server during apply", err))
	}
	return apply.ResultFor(op, apply.Failed, err.Error())
}

// changedDuringApply words a concurrent change and what to do about it.
func changedDuringApply(what string, err error) string {
	msg := what + "; left as it is. Review it with `honua-gitops drift`, then re-run plan and apply"
	if err != nil {
		msg += " (" + err.Error() + ")"
	}
	return msg
}

// interruptedResult is the result of an operation cut short by the end of
// ctx: unknown when a write was sent, not attempted otherwise.
func interruptedResult(op apply.Operation, wrote bool) apply.Result {
	if wrote {
		return apply.ResultFor(op, apply.Failed, apply.MessageOutcomeUnknown)
	}
	return apply.ResultFor(op, apply.Skipped, apply.MessageInterrupted)
}

// live is the server's copy as the engine sees it.
func live(o *honua.Object) *apply.LiveObject {
	l := liveObject(*o)
	return &l
}

// asDesired reports whether the server's copy is what op writes: the same
// content and this environment's ownership marks.
func asDesired(op apply.Operation, o *honua.Object) bool {
	return live(o).OwnedBy(op.Environment) && apply.SameContent(op.Desired, o.Resource)
}

func ownedBy(o *honua.Object) bool {
	return o.Annotations[resource.AnnotationManagedBy] == resource.ManagedByValue
}

func attempts(r apply.Result, n int) apply.Result {
	r.Attempts = n
	return r
}

// retryable reports errors whose outcome is unknown or transient: the
// server's 5xx and 429, and transport failures. Writes are only retried
// after reading the resource back, so a retry never double-applies.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var api *honua.APIError
	if errors.As(err, &api) {
		return api.Status == http.StatusTooManyRequests || api.Status >= 500
	}
	return true
}
