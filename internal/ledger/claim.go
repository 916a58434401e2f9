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

// ClaimPolicy says how to treat another deployment's claim.
type ClaimPolicy struct {
	// Timeout: a claim held longer than this is stale (default 30m).
	Timeout time.Duration
	// Wait bounds how long to wait for a claim that is not stale
	// (default 10m).
	Wait time.Duration
	// TakeOver allows taking a stale claim over.
	TakeOver bool
	// RunAlive asks whether the run holding a claim is still in progress;
	// known is false when it cannot tell. A run known to have ended makes
	// its claim stale at once. Nil: only age counts.
	RunAlive func(ctx context.Context, c *deploy.Claim) (alive, known bool)
	// Stop ends a wait without claiming (the run was interrupted).
	Stop <-chan struct{}
	// RunURL, Repository and RunID are written into the claim so that
	// others can tell whether this run is alive.
	RunURL     string
	Repository string
	RunID      int64
}

// Decide is called with every position read before the claim is taken;
// waited is true once the ledger waited for a claim or lost a race since
// the first read. It returns the intent commit's message, "" when there is
// nothing to deploy (no claim is taken), or an error (a refusal).
type Decide func(pos *Position, waited bool) (message string, err error)

// Claimed is a claim the deployment holds.
type Claimed struct {
	// Commit is the intent commit.
	Commit string
	// Position is what the claim was taken on.
	Position *Position
	// TookOver names the deployment whose stale claim was taken over.
	TookOver string
}

// ErrStopped is returned when the run was interrupted before it claimed
// the environment (while planning, checking the targets or waiting for
// another deployment's claim): nothing was claimed or recorded.
var ErrStopped = errors.New("interrupted before the environment was claimed; nothing was applied or recorded")

// Claim takes the environment for d (which must be in planning, or
// awaiting approval and recorded so by RecordAwaiting) with an intent
// commit, moving d to applying; older deployments awaiting approval of
// another plan are closed as superseded in the same commit. A deployment
// awaiting approval is refused unless the branch still has it awaiting,
// with the approvals it needs. It returns nil without error when decide
// says there is nothing to deploy.
func (l *Ledger) Claim(ctx context.Context, d *deploy.Deployment, policy ClaimPolicy, decide Decide) (*Claimed, error) {
	policy = withPolicyDefaults(policy)
	env := d.Environment
	w := &wait{}
	waited := false
	for attempt := 1; ; {
		pos, err := l.Position(ctx, env)
		if err != nil {
			return nil, err
		}
		var takeOver *deploy.Claim
		if c := pos.Claim; c != nil && c.Deployment != d.ID {
			stale, why := l.stale(ctx, c, policy)
			if !stale {
				if err := l.waitFor(ctx, env, c, policy, w); err != nil {
					return nil, err
				}
				waited = true
				continue
			}
			if !policy.TakeOver {
				return nil, &app.RefusedError{Reason: fmt.Sprintf("environment %s is claimed by deployment %s (%s) since %s: %s. If that run is gone, take the claim over with `--take-over-stale-claim` (in the Action: `take-over-stale-claim: true`)",
					env, c.Deployment, c.Actor, c.ClaimedAt.Format(time.RFC3339), why)}
			}
			takeOver = c
		}
		if d.Status == deploy.AwaitingApproval {
			if err := readyToClaim(pos, d); err != nil {
				return nil, err
			}
		}
		msg, err := decide(pos, waited)
		if err != nil || msg == "" {
			return nil, err
		}
		hash, err := l.commitIntent(ctx, pos, d, msg, takeOver, policy)
		if errors.Is(err, statebranch.ErrConflict) && attempt < maxCommitAttempts {
			attempt++
			waited = true
			l.opts.Log.Info("state branch moved; re-reading", "environment", env, "attempt", attempt)
			if err := l.opts.Sleep(ctx, backoff(attempt)); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("claim %s on the state branch %s: %w", env, l.opts.Name, err)
		}
		out := &Claimed{Commit: hash, Position: pos}
		if takeOver != nil {
			out.TookOver = takeOver.Deployment
		}
		return out, nil
	}
}

// stale decides whether another deployment's claim may be taken over, and
// says why in words.
func (l *Ledger) stale(ctx context.Context, c *deploy.Claim, policy ClaimPolicy) (bool, string) {
	age := c.Age(l.opts.Now()).Round(time.Second)
	if c.Stale(l.opts.Now(), policy.Timeout) {
		return true, fmt.Sprintf("held for %s, longer than the %s claim timeout", age, policy.Timeout)
	}
	if policy.RunAlive != nil && (c.RunID != 0 || c.RunURL != "") {
		if alive, known := policy.RunAlive(ctx, c); known && !alive {
			return true, fmt.Sprintf("its run %s is no longer in progress", runName(c))
		}
	}
	return false, ""
}

// wait is the time spent waiting for claims: the sum of the polls slept,
// so it does not depend on the clock (which tests fix).
type wait struct {
	spent, sinceNotice time.Duration
	noticed            bool
}

// waitFor sleeps one poll interval for a held claim, reporting the wait
// every NoticeEvery, and refuses once the wait limit is spent.
func (l *Ledger) waitFor(ctx context.Context, env string, c *deploy.Claim, policy ClaimPolicy, w *wait) error {
	if w.spent >= policy.Wait {
		return &app.RefusedError{Reason: fmt.Sprintf("environment %s is held by deployment %s (%s, since %s%s); gave up waiting after %s. Nothing was applied; run again when it has finished, or wait longer with `--wait`",
			env, c.Deployment, c.Actor, c.ClaimedAt.Format(time.RFC3339), runSuffix(c), policy.Wait)}
	}
	if !w.noticed || w.sinceNotice >= l.opts.NoticeEvery {
		w.noticed, w.sinceNotice = true, 0
		l.opts.Notice(fmt.Sprintf("waiting for %s: deployment %s by %s holds it since %s%s; waited %s of %s",
			env, c.Deployment, c.Actor, c.ClaimedAt.Format(time.RFC3339), runSuffix(c), w.spent.Round(time.Second), policy.Wait))
	}
	poll := min(l.opts.PollEvery, policy.Wait-w.spent)
	w.spent += poll
	w.sinceNotice += poll
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- l.opts.Sleep(pctx, poll) }()
	select {
	case <-policy.Stop:
		cancel()
		<-done
		return ErrStopped
	case err := <-done:
		if err != nil {
			return err
		}
		return nil
	}
}

// commitIntent writes the record (applying), the claim, and — when taking
// a stale claim over — the dead deployment's record closed as abandoned.
func (l *Ledger) commitIntent(ctx context.Context, pos *Position, d *deploy.Deployment, msg string, takeOver *deploy.Claim, policy ClaimPolicy) (string, error) {
	now := l.opts.Now()
	intent := d.Clone()
	intent.BaseSnapshot = pos.SnapshotBlob
	if takeOver != nil {
		msg += fmt.Sprintf("; took over the stale claim of deployment %s (%s, since %s)", takeOver.Deployment, takeOver.Actor, takeOver.ClaimedAt.Format(time.RFC3339))
	}
	if err := intent.Advance(deploy.Applying, now, msg); err != nil {
		return "", err
	}
	records, err := supersede(pos, intent, now)
	if err != nil {
		return "", err
	}
	records = append(records, intent)
	if takeOver != nil {
		dead, ok, err := pos.Record(takeOver.Deployment)
		if err != nil {
			return "", err
		}
		if ok && !dead.Status.Final() {
			why := fmt.Sprintf("abandoned: its claim went stale (held since %s) and deployment %s by %s took the environment over; what it applied before it stopped is not recorded, so the next plan against live state shows it as drift",
				takeOver.ClaimedAt.Format(time.RFC3339), d.ID, d.Actor)
			if err := dead.Advance(deploy.Abandoned, now, why); err != nil {
				return "", err
			}
			records = append([]*deploy.Deployment{dead}, records...)
		}
	}
	changes, err := recordChanges(pos.View, records...)
	if err != nil {
		return "", err
	}
	claim := deploy.Claim{FormatVersion: deploy.FormatVersion, Deployment: d.ID, Actor: d.Actor, RunURL: policy.RunURL,
		Repository: policy.Repository, RunID: policy.RunID, ClaimedAt: now.UTC(), ExpiresAt: now.Add(policy.Timeout).UTC()}
	data, err := deploy.Encode(claim)
	if err != nil {
		return "", err
	}
	changes = append(changes, statebranch.Change{Path: deploy.ClaimPath(d.Environment), Data: data})
	hash, err := l.commit(ctx, pos.View, statebranch.Commit{
		Subject: fmt.Sprintf("%s: %s %s (intent)", d.Environment, intent.Kind, d.ID), Body: msg,
		Trailers: trailers(intent, string(deploy.Applying)), Changes: changes})
	if err != nil {
		return "", err
	}
	*d = *intent
	return hash, nil
}

func withPolicyDefaults(p ClaimPolicy) ClaimPolicy {
	if p.Timeout <= 0 {
		p.Timeout = 30 * time.Minute
	}
	if p.Wait <= 0 {
		p.Wait = 10 * time.Minute
	}
	return p
}

func runSuffix(c *deploy.Claim) string {
	if c.RunURL == "" {
		return ""
	}
	return ", run " + c.RunURL
}

func runName(c *deploy.Claim) string {
	if c.RunURL != "" {
		return c.RunURL
	}
	return fmt.Sprint(c.RunID)
}

// backoff grows to about two seconds with jitter, so racing processes
// spread out.
func backoff(attempt int) time.Duration {
	d := time.Duration(min(attempt, 8)) * 250 * time.Millisecond
	return d/2 + time.Duration(time.Now().UnixNano()%int64(d/2+1))
}
