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
// with a failure the rest is skipped: later levels may depend on it.
func (d *Driver) applyResources(ctx context.Context, ops []apply.Operation, opts apply.Options) []apply.Result {
	results := make([]apply.Result, len(ops))
	index := make(map[resource.Identity]int, len(ops))
	for i, op := range ops {
		index[op.ID.Key()] = i
	}
	levels := order.Levels(ops, func(o apply.Operation) resource.Identity { return o.ID }, func(o apply.Operation) bool { return o.Action == plan.Delete })
	stopped := ""
	for _, level := range levels {
		if stopped != "" || ctx.Err() != nil {
			for _, op := range level {
				msg := "not attempted: " + stopped
				if stopped == "" {
					msg = "not attempted: " + ctx.Err().Error()
				}
				results[index[op.ID.Key()]] = apply.ResultFor(op, apply.Skipped, msg)
			}
			continue
		}
		sem := make(chan struct{}, opts.Concurrency)
		var wg sync.WaitGroup
		for _, op := range level {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				results[index[op.ID.Key()]] = d.write(ctx, op, opts.DryRun)
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
// (a lost answer, a 5xx) never double-applies and never reports success
// that the server did not confirm.
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
	for attempt := 1; attempt <= d.writeAttempts; attempt++ {
		_, err := d.client.CreateResource(ctx, op.Desired)
		if err == nil {
			return attempts(apply.ResultFor(op, apply.Applied, ""), attempt)
		}
		lastErr = err
		// Whatever went wrong, the server now tells the truth: did it land?
		cur, gerr := d.client.GetResource(ctx, op.ID)
		switch {
		case gerr == nil && apply.SameContent(op.Desired, cur.Resource):
			return attempts(apply.ResultFor(op, apply.Applied, "confirmed by reading it back"), attempt)
		case gerr == nil && honua.IsConflict(err):
			return attempts(apply.ResultFor(op, apply.Failed, "created on the server by someone else meanwhile: "+err.Error()), attempt)
		case gerr != nil && !honua.IsNotFound(gerr):
			lastErr = fmt.Errorf("%w (and reading it back failed: %v)", err, gerr)
		}
		if !retryable(err) || d.backoff(ctx, attempt) != nil {
			break
		}
	}
	return apply.ResultFor(op, apply.Failed, lastErr.Error())
}

func (d *Driver) update(ctx context.Context, op apply.Operation) apply.Result {
	var lastErr error
	for attempt := 1; attempt <= d.writeAttempts; attempt++ {
		cur, err := d.client.GetResource(ctx, op.ID)
		if honua.IsNotFound(err) {
			// Deleted out of band and the guard allowed repairing: create.
			c := op
			c.Live = nil
			c.Action = plan.Create
			r := d.create(ctx, c)
			r.Action = plan.Update
			return r
		}
		if err != nil {
			lastErr = err
			if !retryable(err) || d.backoff(ctx, attempt) != nil {
				break
			}
			continue
		}
		if apply.SameContent(op.Desired, cur.Resource) && ownedBy(cur) {
			return attempts(apply.ResultFor(op, apply.Applied, "already as desired on the server"), attempt)
		}
		if op.Live != nil && op.Live.ResourceVersion != "" && cur.ResourceVersion != op.Live.ResourceVersion && attempt == 1 {
			return apply.ResultFor(op, apply.Failed, "changed on the server after it was read (resourceVersion "+op.Live.ResourceVersion+" → "+cur.ResourceVersion+"); re-run to plan against the new state")
		}
		_, err = d.client.UpdateResource(ctx, op.Desired, cur.ETag)
		if err == nil {
			return attempts(apply.ResultFor(op, apply.Applied, ""), attempt)
		}
		lastErr = err
		if honua.IsPreconditionFailed(err) {
			// Our earlier attempt may have landed; the loop re-reads.
			if attempt > 1 {
				continue
			}
			again, gerr := d.client.GetResource(ctx, op.ID)
			if gerr == nil && apply.SameContent(op.Desired, again.Resource) {
				return attempts(apply.ResultFor(op, apply.Applied, "confirmed by reading it back"), attempt)
			}
			return attempts(apply.ResultFor(op, apply.Failed, "changed on the server during apply: "+err.Error()), attempt)
		}
		if !retryable(err) || d.backoff(ctx, attempt) != nil {
			break
		}
	}
	return apply.ResultFor(op, apply.Failed, lastErr.Error())
}

func (d *Driver) delete(ctx context.Context, op apply.Operation) apply.Result {
	var lastErr error
	for attempt := 1; attempt <= d.writeAttempts; attempt++ {
		cur, err := d.client.GetResource(ctx, op.ID)
		if honua.IsNotFound(err) {
			msg := ""
			if attempt == 1 {
				msg = "already absent from the server"
			}
			return attempts(apply.ResultFor(op, apply.Applied, msg), attempt)
		}
		if err != nil {
			lastErr = err
			if !retryable(err) || d.backoff(ctx, attempt) != nil {
				break
			}
			continue
		}
		if !ownedBy(cur) {
			return apply.ResultFor(op, apply.Skipped, "not deleted: the server's copy does not carry "+resource.AnnotationManagedBy)
		}
		if op.Live != nil && op.Live.ResourceVersion != "" && cur.ResourceVersion != op.Live.ResourceVersion {
			return apply.ResultFor(op, apply.Failed, "changed on the server after it was read; not deleted")
		}
		err = d.client.DeleteResource(ctx, op.ID, cur.ETag)
		if err == nil || honua.IsNotFound(err) {
			return attempts(apply.ResultFor(op, apply.Applied, ""), attempt)
		}
		lastErr = err
		if honua.IsPreconditionFailed(err) {
			return attempts(apply.ResultFor(op, apply.Failed, "changed on the server during apply: "+err.Error()), attempt)
		}
		if !retryable(err) || d.backoff(ctx, attempt) != nil {
			break
		}
	}
	return apply.ResultFor(op, apply.Failed, lastErr.Error())
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
