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
	// Generation names the server's control-plane generation
	// ("Generation 1", "Generation 2"), for plans, records and status.
	Generation() string
	// Live reads the server's resources. A driver that reads the whole
	// server at once (Generation 1) may ignore scope; one that reads facet
	// by facet (Generation 2) reads only the resources scope names.
	Live(ctx context.Context, scope Scope) ([]LiveObject, error)
	// Apply performs ops, which are in dependency order, and returns one
	// result per op in the same order. It never reports a write as applied
	// unless the server confirmed it (or a read-back shows it landed).
	Apply(ctx context.Context, ops []Operation, opts Options) []Result
	// WaitReady polls the server's readiness until it is ready or timeout.
	WaitReady(ctx context.Context, timeout time.Duration) error
}

// Scope names the resources a live read is about: the desired and the
// recorded state of one environment.
type Scope struct {
	Desired  []*resource.Resource
	Recorded []*resource.Resource
	// Unowned asks a driver that reads facet by facet to also fingerprint
	// the facets of these resources that the repository does not own
	// (LiveObject.Unowned): the baseline an apply records and drift
	// compares with. Plans never ask for it, so they read only what they
	// must.
	Unowned bool
}

// LiveObject is a resource as the server holds it.
type LiveObject struct {
	// Resource is the canonical form, comparable with desired state.
	Resource *resource.Resource
	// Managed is true when the object carries this tool's managed-by
	// annotation: only such objects are ever deleted.
	Managed bool
	// Environment is the value of the server copy's
	// gitops.honua.io/environment annotation ("" when absent): the
	// environment that applied it. Environments that share a server delete
	// only their own objects.
	Environment string
	// ResourceVersion and ETag identify the version read, for If-Match.
	ResourceVersion string
	ETag            string
	// Partial is true when the server holds only part of what the
	// repository can say about the resource (a Generation 2 server is set
	// facet by facet): comparisons then cut it to the other side's keys
	// (plan.Restrict), so what the repository does not own is never
	// compared.
	Partial bool
	// OwnedByRecord is true when the server carries no ownership marks
	// (Generation 2): the state branch's record is the ownership, so a
	// recorded resource is this environment's.
	OwnedByRecord bool
	// Unowned maps each facet of the resource that the repository does
	// not own to a fingerprint of its live value (Scope.Unowned).
	Unowned map[string]string
}

// OwnedBy reports whether this tool applied the object for env: it carries
// the managed-by annotation and env's environment annotation, or the server
// keeps no marks and the record is the ownership.
func (l *LiveObject) OwnedBy(env string) bool {
	return l.OwnedByRecord || l.Managed && l.Environment == env
}

// Compared is the live resource as compared with ref: cut to ref's keys
// when the object is Partial.
func (l *LiveObject) Compared(ref *resource.Resource) *resource.Resource {
	if l.Partial {
		return plan.Restrict(l.Resource, ref)
	}
	return l.Resource
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
	// Changes are the plan's field changes of the operation (values of
	// sensitive fields masked): how a driver that cannot read a value back
	// (a secret, a write-only facet) knows whether it changed.
	Changes []plan.FieldChange
	// Restore, in a rollback, holds what the server held before the
	// deployments being undone wrote this resource (Result.Prior of their
	// journals, oldest first): a driver restores those values where the
	// recorded state cannot say (a resource the repository adopted, a
	// value it did not own). Nil outside rollbacks.
	Restore []Prior
	// Environment is the environment applying the operation. Drivers check
	// ownership against it: a delete removes only an object stamped with
	// it, and a read-back confirms a write only when the server's copy
	// carries it.
	Environment string
	// Adopted is set for a delete of a resource the repository adopted
	// (import) and never stamped: a server copy without any ownership
	// marks is then still its own (see MayDelete).
	Adopted bool
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
	// Stop, when closed, interrupts the apply gently: drivers start no new
	// write (they check before each write, dependency level and manifest
	// call), let writes in flight finish under ctx, and report the
	// operations they did not start as Skipped with MessageInterrupted.
	// Nil never stops.
	Stop <-chan struct{}
	// Progress, when set, receives each operation's result once, as the
	// operation finishes; calls never overlap. Results the engine produces
	// without a write (already absent, not owned, interrupted before the
	// driver ran) are reported too. Verification after the writes may
	// still turn an applied result into a failed one in Outcome.Results.
	Progress func(Result)
}

// Stopped reports whether o.Stop is closed.
func (o Options) Stopped() bool {
	if o.Stop == nil {
		return false
	}
	select {
	case <-o.Stop:
		return true
	default:
		return false
	}
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

// Messages of operations an interruption cut short. The engine recognises
// them to set Outcome.Interrupted, so drivers use them verbatim.
const (
	// MessageInterrupted is the message of an operation that was not
	// started because the apply was interrupted (Options.Stop closed, or
	// ctx ended).
	MessageInterrupted = "not attempted: interrupted"
	// MessageOutcomeUnknown is the message of a write whose ctx ended
	// while it was in flight: it may or may not have landed, so it is
	// failed and not recorded.
	MessageOutcomeUnknown = "outcome unknown: interrupted before the server answered"
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
	// Prior holds the live value of every facet the operation wrote, read
	// just before writing it (drivers that keep no per-facet state leave it
	// empty).
	Prior []Prior `json:"prior,omitempty"`
}

// ID returns the result's resource identity.
func (r Result) ID() resource.Identity {
	return resource.Identity{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
}

// Prior is the live value of one facet of a resource just before an apply
// changed it, saved in the deployment's journal so that a rollback can put
// back exactly what was there. Secrets are never saved: drivers cannot
// read them, and Value holds none.
type Prior struct {
	// Facet names what the value is, in the driver's terms (for
	// Generation 2: "protocols", "access-policy", "fields", "filter",
	// "popup-info", "drawing-info", "style", "relationships", "enabled",
	// "connection").
	Facet string `json:"facet"`
	// Value is the facet's value as the server returned it; nil when the
	// facet held nothing.
	Value any `json:"value"`
}

// ResultFor starts a result for an operation.
func ResultFor(op Operation, status Status, message string) Result {
	return Result{Action: op.Action, Kind: op.ID.Kind, Namespace: op.ID.Namespace, Name: op.ID.Name, Status: status, Message: message}
}
