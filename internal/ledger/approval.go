package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// Approval on the state branch
//
// A plan that needs approval, applied where GitHub cannot ask for it (the
// CLI), is recorded as awaiting-approval without claiming the environment
// (RecordAwaiting). Others approve it (Approve; never the person who asked)
// or reject it (Reject). Once approved, Claim takes the same deployment id
// from awaiting-approval to applying, and the caller proves the plan is
// still the one approved (its hash). A new deployment of the environment
// with another plan closes every older awaiting one as refused, in the
// commit that records it: approvals are for a plan, not an environment.

// RecordAwaiting records d, which the caller moved from planning to
// awaiting-approval (with its plan hash and verdict), without a claim. It
// retries on a moved branch.
func (l *Ledger) RecordAwaiting(ctx context.Context, d *deploy.Deployment) (string, error) {
	if d.Status != deploy.AwaitingApproval {
		return "", fmt.Errorf("deployment %s is %s, not awaiting approval", d.ID, d.Status)
	}
	return l.update(ctx, d.Environment, "record deployment "+d.ID, func(pos *Position) (*statebranch.Commit, error) {
		records, err := supersede(pos, d, l.opts.Now())
		if err != nil {
			return nil, err
		}
		changes, err := recordChanges(pos.View, append(records, d)...)
		if err != nil {
			return nil, err
		}
		return &statebranch.Commit{Subject: fmt.Sprintf("%s: %s %s awaiting approval", d.Environment, d.Kind, d.ID),
			Body: lastMessage(d), Trailers: trailers(d, string(deploy.AwaitingApproval)), Changes: changes}, nil
	})
}

// Approve adds actor's approval to deployment id of env, which must be
// awaiting approval and requested by someone else. Approving twice is no
// change: it returns the record and no commit.
func (l *Ledger) Approve(ctx context.Context, env, id, actor string) (*deploy.Deployment, string, error) {
	var out *deploy.Deployment
	hash, err := l.update(ctx, env, "approve deployment "+id, func(pos *Position) (*statebranch.Commit, error) {
		d, err := awaiting(pos, id)
		if err != nil {
			return nil, err
		}
		out = d
		if d.Actor == actor {
			return nil, &app.RefusedError{Reason: fmt.Sprintf("you requested deployment %s; someone else must approve it", id)}
		}
		if d.ApprovedBy(actor) {
			return nil, nil
		}
		d.Approvals = append(d.Approvals, deploy.Approval{By: actor, At: l.opts.Now().UTC()})
		changes, err := recordChanges(pos.View, d)
		if err != nil {
			return nil, err
		}
		t := append(trailers(d, string(deploy.AwaitingApproval)), statebranch.Trailer{Key: "Honua-Approved-By", Value: oneLine(actor)})
		return &statebranch.Commit{Subject: fmt.Sprintf("%s: deployment %s approved by %s", env, id, oneLine(actor)),
			Body: fmt.Sprintf("%d of %d approvals", len(d.Approvals), d.ApprovalsRequired()), Trailers: t, Changes: changes}, nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, hash, nil
}

// Reject closes deployment id of env, awaiting approval, as refused:
// "rejected by <actor>: <reason>".
func (l *Ledger) Reject(ctx context.Context, env, id, actor, reason string) (*deploy.Deployment, string, error) {
	var out *deploy.Deployment
	hash, err := l.update(ctx, env, "reject deployment "+id, func(pos *Position) (*statebranch.Commit, error) {
		d, err := awaiting(pos, id)
		if err != nil {
			return nil, err
		}
		msg := "rejected by " + actor
		if reason != "" {
			msg += ": " + reason
		}
		if err := d.Advance(deploy.Refused, l.opts.Now(), msg); err != nil {
			return nil, err
		}
		out = d
		changes, err := recordChanges(pos.View, d)
		if err != nil {
			return nil, err
		}
		t := append(trailers(d, string(deploy.Refused)), statebranch.Trailer{Key: "Honua-Rejected-By", Value: oneLine(actor)})
		return &statebranch.Commit{Subject: fmt.Sprintf("%s: %s %s rejected", env, d.Kind, id), Body: msg, Trailers: t, Changes: changes}, nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, hash, nil
}

// Awaiting returns the environment's newest deployment awaiting approval.
func (p *Position) Awaiting() (*deploy.Deployment, bool, error) {
	recent, err := p.Recent()
	if err != nil {
		return nil, false, err
	}
	for _, s := range recent {
		if s.Status == deploy.AwaitingApproval {
			return p.Record(s.ID)
		}
	}
	return nil, false, nil
}

// awaiting reads deployment id, refusing unless it awaits approval.
func awaiting(pos *Position, id string) (*deploy.Deployment, error) {
	d, ok, err := pos.Record(id)
	if err != nil {
		return nil, &app.InputError{Err: err}
	}
	if !ok {
		return nil, &app.InputError{Err: fmt.Errorf("no deployment %s in environment %s on the state branch (list them with `honua-gitops deployments --env %s`)", id, pos.Environment, pos.Environment)}
	}
	if d.Status != deploy.AwaitingApproval {
		return nil, &app.RefusedError{Reason: fmt.Sprintf("deployment %s is %s, not awaiting approval: %s", id, d.Status, lastMessage(d))}
	}
	return d, nil
}

// supersede closes, as refused, the environment's deployments awaiting
// approval of another plan than d's: d is newer, and approvals were given
// to a plan. It returns the records to write with d's.
func supersede(pos *Position, d *deploy.Deployment, now time.Time) ([]*deploy.Deployment, error) {
	recent, err := pos.Recent()
	if err != nil {
		return nil, err
	}
	var out []*deploy.Deployment
	for _, s := range recent {
		if s.Status != deploy.AwaitingApproval || s.ID == d.ID || s.PlanHash == d.Plan.Hash {
			continue
		}
		old, ok, err := pos.Record(s.ID)
		if err != nil {
			return nil, err
		}
		if !ok || old.Status != deploy.AwaitingApproval {
			continue
		}
		if err := old.Advance(deploy.Refused, now, fmt.Sprintf("superseded by deployment %s (plan changed: earlier approvals no longer count)", d.ID)); err != nil {
			return nil, err
		}
		out = append(out, old)
	}
	return out, nil
}

// readyToClaim checks that d, awaiting approval, is still so on the branch
// and approved, and takes the approvals recorded there.
func readyToClaim(pos *Position, d *deploy.Deployment) error {
	rec, ok, err := pos.Record(d.ID)
	if err != nil {
		return err
	}
	if !ok {
		return nil // never recorded as awaiting: nothing to continue
	}
	if rec.Status != deploy.AwaitingApproval {
		return &app.RefusedError{Reason: fmt.Sprintf("deployment %s is %s on the state branch (%s); nothing was applied: plan again to ask for approval anew", d.ID, rec.Status, lastMessage(rec))}
	}
	d.Approvals = rec.Approvals
	if !d.Approved() {
		return &app.RefusedError{Reason: fmt.Sprintf("deployment %s has %d of %d approvals; nothing was applied: someone other than %s must run `honua-gitops deployment approve %s --env %s`",
			d.ID, len(d.Approvals), d.ApprovalsRequired(), d.Actor, d.ID, d.Environment)}
	}
	return nil
}

// update commits what build makes of a fresh read of env, rebuilding it on
// the new tip when the branch moved. A nil commit commits nothing.
func (l *Ledger) update(ctx context.Context, env, what string, build func(pos *Position) (*statebranch.Commit, error)) (string, error) {
	for attempt := 1; ; attempt++ {
		pos, err := l.Position(ctx, env)
		if err != nil {
			return "", err
		}
		c, err := build(pos)
		if err != nil || c == nil {
			return "", err
		}
		hash, err := l.commit(ctx, pos.View, *c)
		if errors.Is(err, statebranch.ErrConflict) && attempt < maxCommitAttempts {
			if err := l.opts.Sleep(ctx, backoff(attempt)); err != nil {
				return "", err
			}
			continue
		}
		if err != nil {
			return "", fmt.Errorf("%s on the state branch %s: %w", what, l.opts.Name, err)
		}
		return hash, nil
	}
}
