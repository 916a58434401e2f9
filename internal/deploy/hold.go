package deploy

import (
	"slices"
	"time"
)

// HoldPath is where an environment's rollback hold lives.
func HoldPath(env string) string { return env + "/hold.json" }

// Hold stops an environment from being deployed to after a rollback, until
// someone releases it (`honua-gitops release-hold`): applying the
// repository again would re-apply what was just rolled back.
type Hold struct {
	FormatVersion int    `json:"formatVersion"`
	Environment   string `json:"environment"`
	// Deployment is the rollback deployment that set the hold.
	Deployment string `json:"deployment"`
	// RolledBack is the deployment that was rolled back.
	RolledBack string    `json:"rolledBack,omitempty"`
	Actor      string    `json:"actor"`
	Reason     string    `json:"reason,omitempty"`
	At         time.Time `json:"at"`
}

// ReadHold reads an environment's hold, nil when it is not held.
func ReadHold(f Files, env string) (*Hold, error) {
	var h Hold
	switch err := readJSON(f, HoldPath(env), &h); err {
	case nil:
		return &h, nil
	case errAbsent:
		return nil, nil
	default:
		return nil, err
	}
}

// Override records that a deployment went ahead although the policy
// blocked it.
type Override struct {
	Reason string `json:"reason"`
	Actor  string `json:"actor"`
	// Rules are the blocking rules that were overridden.
	Rules []string `json:"rules,omitempty"`
}

// Approval is one person's approval of a deployment awaiting approval.
type Approval struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// ApprovedBy reports whether actor approved the deployment.
func (d *Deployment) ApprovedBy(actor string) bool {
	return slices.ContainsFunc(d.Approvals, func(a Approval) bool { return a.By == actor })
}

// ApprovalsRequired is how many approvals the deployment's verdict asks
// for: the most any approval rule requires (a rule without a count asks
// for one); 0 when no rule asks.
func (d *Deployment) ApprovalsRequired() int {
	n := 0
	for _, r := range d.Verdict.Approvals() {
		n = max(n, r.Require, 1)
	}
	return n
}

// Approved reports whether the deployment has the approvals it needs.
func (d *Deployment) Approved() bool { return len(d.Approvals) >= d.ApprovalsRequired() }
