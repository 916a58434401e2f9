// Package notify sends deployment events to the channels an environment's
// policy names: a signed JSON webhook, a Slack incoming webhook, email over
// SMTP and PagerDuty. A notification is a courtesy: a failure to send one is
// a warning and never fails or blocks a deployment.
package notify

import (
	"time"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// EventType names a deployment event.
type EventType string

// Event types, as policy.yaml names them in a channel's events.
const (
	ApprovalRequired EventType = "approval-required"
	Started          EventType = "started"
	Succeeded        EventType = "succeeded"
	Failed           EventType = "failed"
	RolledBack       EventType = "rolled-back"
	Held             EventType = "held"
	DriftDetected    EventType = "drift-detected"
)

// EventTypes lists every event type, in the order they are documented.
func EventTypes() []EventType {
	return []EventType{ApprovalRequired, Started, Succeeded, Failed, RolledBack, Held, DriftDetected}
}

// Event is one thing that happened to a deployment of an environment.
type Event struct {
	Type        EventType `json:"type"`
	Environment string    `json:"environment"`
	// Deployment is the deployment's id ("" for drift detected outside a
	// deployment).
	Deployment string `json:"deployment,omitempty"`
	// Kind is the deployment kind (apply, rollback, drift-repair).
	Kind string `json:"kind,omitempty"`
	// Summary counts the plan's operations.
	Summary plan.Summary `json:"summary"`
	// Verdict is the policy's decision on the plan ("" when not evaluated).
	Verdict plan.Decision `json:"verdict,omitempty"`
	// Rules are the verdict's rule lines, for people.
	Rules []string `json:"rules,omitempty"`
	// PlanHash names the plan.
	PlanHash string `json:"planHash,omitempty"`
	// Message says what happened, in one or two sentences.
	Message    string    `json:"message"`
	Actor      string    `json:"actor,omitempty"`
	Repository string    `json:"repository,omitempty"`
	Commit     string    `json:"commit,omitempty"`
	RunURL     string    `json:"runUrl,omitempty"`
	At         time.Time `json:"at"`
}
