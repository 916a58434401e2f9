package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/ledger"
)

// ReleaseHold releases env's rollback hold with a commit on the state
// branch, returning the hold released and the commit. An environment that
// is not held is invalid input.
func ReleaseHold(ctx context.Context, branch ledger.Branch, branchName, env, actor, reason string, now func() time.Time) (*deploy.Hold, string, error) {
	l := ledger.New(branch, ledger.Options{Name: branchName, Now: now})
	commit, h, err := l.ReleaseHold(ctx, env, actor, reason)
	if errors.Is(err, ledger.ErrNoHold) {
		return nil, "", &app.InputError{Err: fmt.Errorf("environment %s is not held: there is no hold to release (a rollback holds the environment until it is released)", env)}
	}
	if err != nil {
		return nil, "", err
	}
	return h, commit, nil
}

// HoldReleasedMessage says what releasing h did and what to do next.
func HoldReleasedMessage(env string, h *deploy.Hold) string {
	set := "deployment " + h.Deployment
	if h.RolledBack != "" {
		set = fmt.Sprintf("rollback deployment %s (deployment %s was rolled back)", h.Deployment, h.RolledBack)
	}
	return fmt.Sprintf("Released the hold on %s set by %s. Deployments of %s may apply again: run `honua-gitops apply --env %s` to deploy the repository.", env, set, env, env)
}

// HoldMessage describes an environment's hold for status: since when, why,
// and how to release it.
func HoldMessage(env string, h *deploy.Hold) string {
	msg := fmt.Sprintf("held since %s", h.At.UTC().Format(time.RFC3339))
	if h.RolledBack != "" {
		msg += fmt.Sprintf(" after rollback of deployment %s by deployment %s", h.RolledBack, h.Deployment)
	} else {
		msg += fmt.Sprintf(" by deployment %s", h.Deployment)
	}
	return msg + fmt.Sprintf("; release with `honua-gitops release-hold --env %s`", env)
}
