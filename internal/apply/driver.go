// Package apply executes a plan against one Honua target and reports exactly
// what happened, resource by resource. The Honua side sits behind Driver, one
// implementation per server generation; this package owns what every
// generation shares: secret resolution, the drift guard, ownership-scoped
// deletes, verification, readiness, rollback and the new recorded state.
package apply

import (
	"context"
	"time"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Driver talks to one Honua target. Drivers are chosen by the server's
// generation (see package driver).
type Driver interface {
	// Describe names the target and its generation for people.
	Describe() string
	// Live reads every resource on the server.
	Live(ctx context.Context) ([]LiveObject, error)
	// Apply performs ops, which are in dependency order, and returns one
	// result per op in the same order. It never reports a write as applied
	// unless the server confirmed it (or a read-back shows it landed).
	Apply(ctx context.Context, ops []Operation, opts Options) []Result
	// WaitReady polls the server's readiness until it is ready or timeout.
	WaitReady(ctx context.Context, timeout time.Duration) error
}

// LiveObject is a resource as the server holds it.
type LiveObject struct {
	// Resource is the canonical form, comparable with desired state.
	Resource *resource.Resource
	// Managed is true when the object carries this tool's managed-by
	// annotation: only such objects are ever deleted.
	Managed bool
	// ResourceVersion and ETag identify the version read, for If-Match.
	ResourceVersion string
	ETag            string
}

// Operation is one write the engine asks a driver to perform.
type Operation struct {
	Action plan.Action
	ID     resource.Identity
	// Desired is what to write for create and update: secrets resolved,
	// ownership annotations stamped. Nil for delete.
	Desired *resource.Resource
	// Live is the object as read before writing, when it exists.
	Live *LiveObject
}

// Strategy is how a Generation 1 driver writes.
type Strategy string

// Strategies.
const (
	// StrategyAuto picks manifest apply when the server offers it, else
	// per-resource CRUD.
	StrategyAuto Strategy = "auto"
	// StrategyManifest sends creates and updates in one manifest apply
	// (never with prune); deletes still go one by one.
	StrategyManifest Strategy = "manifest"
	// StrategyResources writes each resource with CRUD and If-Match, in
	// dependency order, concurrently within a dependency level.
	StrategyResources Strategy = "resources"
)

// Options tune how a driver writes.
type Options struct {
	Strategy Strategy
	// Concurrency bounds parallel writes within one dependency level.
	Concurrency int
	// DryRun asks the server to validate without writing, where it can.
	DryRun bool
}

// Status is the outcome of one operation.
type Status string

// Statuses.
const (
	Applied Status = "applied"
	Failed  Status = "failed"
	Skipped Status = "skipped"
	// Planned is the status of every operation in a dry run.
	Planned Status = "planned"
)

// Result is the journal entry of one operation.
type Result struct {
	Action    plan.Action `json:"action"`
	Kind      string      `json:"kind"`
	Namespace string      `json:"namespace"`
	Name      string      `json:"name"`
	Status    Status      `json:"status"`
	// Message says why it failed or was skipped, or how it was applied.
	Message string `json:"message,omitempty"`
	// Attempts counts write calls made.
	Attempts int `json:"attempts,omitempty"`
}

// ID returns the result's resource identity.
func (r Result) ID() resource.Identity {
	return resource.Identity{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
}

// ResultFor starts a result for an operation.
func ResultFor(op Operation, status Status, message string) Result {
	return Result{Action: op.Action, Kind: op.ID.Kind, Namespace: op.ID.Namespace, Name: op.ID.Name, Status: status, Message: message}
}
