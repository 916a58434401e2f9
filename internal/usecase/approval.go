package usecase

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/ledger"
)

// ApprovalResult is what approving or rejecting a deployment did.
type ApprovalResult struct {
	Deployment *deploy.Deployment
	// Commit is the state-branch commit ("" when nothing changed: the
	// actor had approved already).
	Commit string
	// Message says what happened and what to do next.
	Message string
}

// ApproveDeployment adds actor's approval to deployment id of env, which
// awaits approval on the state branch.
func ApproveDeployment(ctx context.Context, branch ledger.Branch, branchName, env, id, actor string, now func() time.Time) (*ApprovalResult, error) {
	l := ledger.New(branch, ledger.Options{Name: branchName, Now: now})
	d, commit, err := l.Approve(ctx, env, id, actor)
	if err != nil {
		return nil, err
	}
	n, req := len(d.Approvals), d.ApprovalsRequired()
	verb := "Approved"
	if commit == "" {
		verb = "You (" + actor + ") had already approved"
	}
	msg := fmt.Sprintf("%s deployment %s of %s: %d of %d approvals", verb, id, env, n, req)
	if d.Approved() {
		msg += fmt.Sprintf("; run `honua-gitops apply --env %s` to apply it (plan %s)", env, ShortPlanHash(d.Plan.Hash))
	} else {
		msg += fmt.Sprintf("; it needs %d more from someone other than %s (`honua-gitops deployment approve %s --env %s`)", req-n, approvers(d), id, env)
	}
	return &ApprovalResult{Deployment: d, Commit: commit, Message: msg + "."}, nil
}

// RejectDeployment closes deployment id of env, awaiting approval, as
// refused by actor for reason.
func RejectDeployment(ctx context.Context, branch ledger.Branch, branchName, env, id, actor, reason string, now func() time.Time) (*ApprovalResult, error) {
	l := ledger.New(branch, ledger.Options{Name: branchName, Now: now})
	d, commit, err := l.Reject(ctx, env, id, actor, reason)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("Rejected deployment %s of %s: it is refused and will not be applied. To deploy, change the configuration and run `honua-gitops apply --env %s` to request approval of a new plan.", id, env, env)
	return &ApprovalResult{Deployment: d, Commit: commit, Message: msg}, nil
}

// approvers names who may not approve (the requester) and who already did.
func approvers(d *deploy.Deployment) string {
	names := []string{d.Actor}
	for _, a := range d.Approvals {
		names = append(names, a.By)
	}
	return strings.Join(names, ", ")
}

// ShortPlanHash is a plan hash as messages show it (its first 12 digits).
func ShortPlanHash(h string) string { return h[:min(len(h), 12)] }

// Awaiting is a deployment awaiting approval, as status shows it.
type Awaiting struct {
	ID          string    `json:"id"`
	Actor       string    `json:"actor"`
	PlanHash    string    `json:"planHash"`
	Approvals   int       `json:"approvals"`
	Required    int       `json:"required"`
	ApprovedBy  []string  `json:"approvedBy,omitempty"`
	RequestedAt time.Time `json:"requestedAt"`
}

// Guards is what stops or waits on an environment's next deployment.
type Guards struct {
	// Hold is set while a rollback holds the environment.
	Hold *deploy.Hold `json:"hold,omitempty"`
	// Awaiting is the newest deployment awaiting approval.
	Awaiting *Awaiting `json:"awaitingApproval,omitempty"`
}

// ReadGuards reads each environment's hold and deployment awaiting
// approval, at one revision of the state branch.
func ReadGuards(ctx context.Context, branch ledger.Branch, envs []string) (map[string]Guards, error) {
	view, err := branch.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("read state branch: %w", err)
	}
	out := make(map[string]Guards, len(envs))
	for _, env := range envs {
		pos, err := ledger.PositionAt(view, env)
		if err != nil {
			return nil, err
		}
		g := Guards{Hold: pos.Hold}
		d, ok, err := pos.Awaiting()
		if err != nil {
			return nil, err
		}
		if ok {
			a := &Awaiting{ID: d.ID, Actor: d.Actor, PlanHash: d.Plan.Hash, Approvals: len(d.Approvals), Required: d.ApprovalsRequired(), RequestedAt: d.StartedAt}
			for _, ap := range d.Approvals {
				a.ApprovedBy = append(a.ApprovedBy, ap.By)
			}
			g.Awaiting = a
		}
		out[env] = g
	}
	return out, nil
}
