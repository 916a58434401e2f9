package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// ErrNoHold is returned by ReleaseHold when the environment is not held.
var ErrNoHold = errors.New("the environment is not held")

// ReleaseHold removes the environment's rollback hold with a commit of its
// own ("<env>: hold released"), retrying on a moved branch. It returns the
// commit and the hold released, or ErrNoHold when there is none.
func (l *Ledger) ReleaseHold(ctx context.Context, env, actor, reason string) (string, *deploy.Hold, error) {
	for attempt := 1; ; attempt++ {
		pos, err := l.Position(ctx, env)
		if err != nil {
			return "", nil, err
		}
		if pos.Hold == nil {
			return "", nil, ErrNoHold
		}
		body := fmt.Sprintf("released by %s the hold set by deployment %s", actor, pos.Hold.Deployment)
		if reason != "" {
			body += ": " + reason
		}
		t := []statebranch.Trailer{
			{Key: "Honua-Environment", Value: env},
			{Key: "Honua-Hold", Value: "released"},
			{Key: "Honua-Actor", Value: oneLine(actor)},
		}
		hash, err := l.commit(ctx, pos.View, statebranch.Commit{Subject: env + ": hold released", Body: body, Trailers: t,
			Changes: []statebranch.Change{{Path: deploy.HoldPath(env), Delete: true}}})
		if errors.Is(err, statebranch.ErrConflict) && attempt < maxCommitAttempts {
			if err := l.opts.Sleep(ctx, backoff(attempt)); err != nil {
				return "", nil, err
			}
			continue
		}
		if err != nil {
			return "", nil, fmt.Errorf("release the hold on %s on the state branch %s: %w", env, l.opts.Name, err)
		}
		return hash, pos.Hold, nil
	}
}

// encodeHold renders a hold for env, filling what the caller left out.
func encodeHold(h *deploy.Hold, env string) ([]byte, error) {
	c := *h
	if c.FormatVersion == 0 {
		c.FormatVersion = deploy.FormatVersion
	}
	if c.Environment == "" {
		c.Environment = env
	}
	c.At = c.At.UTC()
	return deploy.Encode(c)
}
