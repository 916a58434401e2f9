package apply

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/order"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// GuardMode says what to do when live state differs from recorded state
// before anything is written.
type GuardMode string

// Drift guard modes.
const (
	// GuardFail refuses to apply (exit code 4): someone changed the server
	// and a person should look.
	GuardFail GuardMode = "fail"
	// GuardWarn applies and reports the drift.
	GuardWarn GuardMode = "warn"
	// GuardOverwrite applies without reporting it as a problem.
	GuardOverwrite GuardMode = "overwrite"
)

// Request is one apply of one environment to one target.
type Request struct {
	Environment string
	// Desired is the environment's desired state (placeholders unresolved).
	Desired []*resource.Resource
	// Recorded is the last applied snapshot.
	Recorded []*resource.Resource
	// Observed are the snapshot's observed, not owned, resources (import
	// --observe): never written, unless desired state adopts one.
	Observed []*resource.Resource
	// Adopted are the identity keys of recorded resources the repository
	// adopted by import: deletable although never stamped (MayDelete).
	Adopted map[resource.Identity]bool
	// Secrets resolves ${secret:NAME}; Redact receives every value used.
	Secrets secret.Lookup
	Redact  func(values ...string)
	Guard   GuardMode
	Options Options
	// Verify reads live state back after writing and compares it with
	// desired state (on by default in the CLI).
	Verify bool
	// ReadyTimeout, when positive, polls readiness after writing.
	ReadyTimeout time.Duration
	// RollbackOnFailure reverts what this apply changed when any write
	// failed (the policy engine decides when to ask for it).
	RollbackOnFailure bool
	// Now is the clock.
	Now func() time.Time
	// Restore, in a rollback, is what the server held before the
	// deployments being undone wrote, by resource identity key (see
	// Operation.Restore).
	Restore map[resource.Identity][]Prior
}

// Outcome is what happened.
type Outcome struct {
	Target string `json:"target"`
	// Generation is the target's control-plane generation.
	Generation string       `json:"generation,omitempty"`
	Plan       *plan.Plan   `json:"plan"`
	Results    []Result     `json:"results"`
	Drift      []plan.Drift `json:"drift"`
	Verified   bool         `json:"verified"`
	// Problems are failures beyond single writes (readiness, verification
	// reads), in words.
	Problems []string `json:"problems,omitempty"`
	// Interrupted is true when Options.Stop was closed (or ctx ended)
	// before every operation ran: the journal then holds operations
	// skipped with MessageInterrupted or failed with MessageOutcomeUnknown,
	// no rollback was started, and Recorded holds what was read back.
	Interrupted bool `json:"interrupted,omitempty"`
	// Unowned fingerprints, after the writes, the facets of the target's
	// resources that the repository does not own (drivers that read facet
	// by facet): the baseline drift compares them with.
	Unowned map[string]map[string]string `json:"unowned,omitempty"`
	// RolledBack lists the results of the rollback, when one ran.
	RolledBack []Result `json:"rolledBack,omitempty"`
	// Recorded is the state to record: recorded state with exactly the
	// writes that landed (placeholders, never secret values).
	Recorded []*resource.Resource `json:"-"`
	Started  time.Time            `json:"started"`
	Finished time.Time            `json:"finished"`
}

// Failed reports whether any operation failed or a problem occurred.
func (o *Outcome) Failed() bool {
	if len(o.Problems) > 0 {
		return true
	}
	for _, r := range o.Results {
		if r.Status == Failed {
			return true
		}
	}
	return false
}

// Counts tallies results by status.
func (o *Outcome) Counts() map[Status]int {
	m := map[Status]int{}
	for _, r := range o.Results {
		m[r.Status]++
	}
	return m
}

// DriftError is returned when the drift guard refuses to write.
type DriftError struct {
	Target string
	Drift  []plan.Drift
}

func (e *DriftError) Error() string {
	subjects := make([]string, 0, len(e.Drift))
	for _, d := range e.Drift {
		subjects = append(subjects, d.Subject()+" ("+string(d.Type)+")")
	}
	return fmt.Sprintf("%s: live state differs from recorded state for %s; nothing was written (review with `honua-gitops drift`, or apply with `--drift-guard=overwrite`)",
		e.Target, strings.Join(subjects, ", "))
}

// Checked is what Preflight found: the plan against live state and the
// drift that matters to it.
type Checked struct {
	// Plan is the plan from recorded to desired state, with live drift; with
	// GuardOverwrite it includes the writes that repair drift.
	Plan *plan.Plan
	// Drift is the drift an apply would overwrite (drift that already is
	// what the repository wants is left out).
	Drift []plan.Drift
	// LiveCount is how many resources the server holds.
	LiveCount int
}

// prepared is everything Run needs before writing.
type prepared struct {
	Checked
	resolved map[resource.Identity]*resource.Resource
	live     map[resource.Identity]*LiveObject
	// scope is desired and recorded state as the target can hold them:
	// what live reads after the writes are about.
	scope Scope
}

// Preflight does everything Run does before writing, and writes nothing: it
// resolves secrets (the error names the resource), reads live state (the
// error names the target), computes the plan against live state and the
// relevant drift, and returns a *DriftError when the guard is GuardFail and
// drift is relevant. Checking every target this way before claiming an
// environment reports a wrong key, a dead server or a drifted one before
// anything is recorded.
func Preflight(ctx context.Context, d Driver, req Request) (*Checked, error) {
	p, err := prepare(ctx, d, req)
	if err != nil {
		return nil, err
	}
	return &p.Checked, nil
}

func prepare(ctx context.Context, d Driver, req Request) (*prepared, error) {
	// Secrets first: a missing one stops the run before anything is read
	// or written. The values are registered with Redact below, once.
	check := req
	check.Redact = nil
	if _, err := resolveAll(req.Desired, check); err != nil {
		return nil, err
	}
	tp, err := PlanTarget(ctx, d, plan.Input{Environment: req.Environment, Desired: req.Desired, Recorded: req.Recorded, Observed: req.Observed}, PlanOptions{Restore: req.Restore})
	if err != nil {
		return nil, err
	}
	p := tp.Plan
	if len(p.Blocked) > 0 {
		return nil, &BlockedError{Target: d.Describe(), Blocked: p.Blocked}
	}
	resolved, err := resolveAll(tp.Desired, req)
	if err != nil {
		return nil, err
	}
	liveByID := indexLive(tp.Live)
	drift := relevantDrift(p, liveByID, resolved)
	if len(drift) > 0 && req.Guard != GuardWarn && req.Guard != GuardOverwrite {
		return nil, &DriftError{Target: d.Describe(), Drift: drift}
	}
	if req.Guard == GuardOverwrite {
		repairDrift(p, resolved)
	}
	return &prepared{Checked: Checked{Plan: p, Drift: drift, LiveCount: len(tp.Live)}, resolved: resolved, live: liveByID, scope: Scope{Desired: tp.Desired, Recorded: tp.Recorded}}, nil
}

// resolveAll resolves every ${secret:NAME} of rs, passing each value used
// to req.Redact; the error names the resource.
func resolveAll(rs []*resource.Resource, req Request) (map[resource.Identity]*resource.Resource, error) {
	resolved := make(map[resource.Identity]*resource.Resource, len(rs))
	for _, r := range rs {
		rr, values, err := secret.Resolve(r, req.Secrets)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.ID(), err)
		}
		if req.Redact != nil {
			req.Redact(values...)
		}
		resolved[r.ID().Key()] = rr
	}
	return resolved, nil
}

// Run applies the plan from recorded to desired state through d.
func Run(ctx context.Context, d Driver, req Request) (*Outcome, error) {
	now := req.Now
	if now == nil {
		now = time.Now
	}
	out := &Outcome{Target: d.Describe(), Generation: d.Generation(), Started: now()}
	pr, err := prepare(ctx, d, req)
	if err != nil {
		return nil, err
	}
	p := pr.Plan
	out.Plan, out.Drift = p, pr.Drift

	opts := req.Options
	opts.Progress = serialised(opts.Progress)
	ops, pre := operations(p, req.Environment, pr.resolved, pr.live, req.Restore, req.Adopted)
	if len(ops) > 0 && (opts.Stopped() || ctx.Err() != nil) {
		// Interrupted before the first write: the driver is not called.
		for _, op := range ops {
			pre = append(pre, ResultFor(op, Skipped, MessageInterrupted))
		}
		ops = nil
	}
	for _, r := range pre {
		opts.report(r)
	}
	results := make([]Result, 0, len(p.Changes))
	if len(ops) > 0 {
		results = append(results, d.Apply(ctx, ops, opts)...)
	}
	results = append(results, pre...)
	out.Results = orderLike(p, results)
	out.Interrupted = interrupted(out.Results)
	if req.Options.DryRun {
		out.Recorded = req.Recorded
		out.Finished = now()
		return out, nil
	}

	// After an interruption the writes that landed are still read back, so
	// that what is recorded is exactly what the server holds.
	wrote := len(ops) > 0
	switch {
	case wrote && ctx.Err() != nil:
		// A hard abort (a second signal) cut requests off: a bounded read on
		// a context of its own settles the writes whose answer was lost, so
		// the record stays exact and the abort still ends within seconds.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortReadBack)
		settleUnknown(rctx, d, out, pr, req.Environment)
		if req.Verify {
			verify(rctx, d, out, pr)
		}
		cancel()
	case wrote && (req.Verify || out.Interrupted):
		verify(ctx, d, out, pr)
	}
	if req.ReadyTimeout > 0 && !out.Interrupted {
		if err := d.WaitReady(ctx, req.ReadyTimeout); err != nil {
			out.Problems = append(out.Problems, "server not ready after apply: "+err.Error())
		}
	}
	out.Recorded = unplanned(record(req.Recorded, req.Desired, out.Results), req.Desired, p)

	// An interruption is a person's decision to stop: do not start more
	// writes on their behalf.
	if out.Failed() && req.RollbackOnFailure && !out.Interrupted {
		rollback(ctx, d, req, out)
	}
	out.Finished = now()
	return out, nil
}

// report passes r to o.Progress when it is set.
func (o Options) report(r Result) {
	if o.Progress != nil {
		o.Progress(r)
	}
}

// serialised wraps f so that calls never overlap, whatever the driver does.
func serialised(f func(Result)) func(Result) {
	if f == nil {
		return nil
	}
	var mu sync.Mutex
	return func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		f(r)
	}
}

// interrupted reports whether an interruption cut any operation short.
func interrupted(results []Result) bool {
	for _, r := range results {
		if r.Message == MessageInterrupted || r.Message == MessageOutcomeUnknown {
			return true
		}
	}
	return false
}

// relevantDrift keeps drift that an apply would overwrite. Drift that is
// already what the repository wants — a write of an interrupted apply that
// landed without being confirmed, or a delete that already happened — is
// not a reason to stop: applying again converges.
func relevantDrift(p *plan.Plan, live map[resource.Identity]*LiveObject, desired map[resource.Identity]*resource.Resource) []plan.Drift {
	out := []plan.Drift{}
	for _, d := range p.Drift {
		id := resource.Identity{Kind: d.Kind, Namespace: d.Namespace, Name: d.Name}.Key()
		want, l := desired[id], live[id]
		switch {
		case d.Observed:
			continue // never written, so never overwritten
		case d.Type == plan.Missing && want == nil:
			continue
		case l != nil && want != nil && SameContent(want, l.Compared(want)):
			continue
		}
		out = append(out, d)
	}
	return out
}

// repairDrift adds a write for every desired resource that drifted on the
// server but has no change of its own, so that overwrite restores what the
// repository declares.
func repairDrift(p *plan.Plan, desired map[resource.Identity]*resource.Resource) {
	planned := make(map[resource.Identity]bool, len(p.Changes))
	for _, c := range p.Changes {
		planned[resource.Identity{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}.Key()] = true
	}
	for _, d := range p.Drift {
		id := resource.Identity{Kind: d.Kind, Namespace: d.Namespace, Name: d.Name}
		if planned[id.Key()] || desired[id.Key()] == nil || d.Type == plan.Unmanaged || d.Observed {
			continue
		}
		p.Changes = append(p.Changes, plan.Change{Action: plan.Update, Kind: d.Kind, Namespace: d.Namespace, Name: d.Name,
			Risk: plan.Medium, Reasons: []string{"repairs drift (" + string(d.Type) + ")"}})
	}
	order.Sort(p.Changes, func(c plan.Change) resource.Identity {
		return resource.Identity{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}
	}, func(c plan.Change) bool { return c.Action == plan.Delete })
}

func indexLive(live []LiveObject) map[resource.Identity]*LiveObject {
	m := make(map[resource.Identity]*LiveObject, len(live))
	for i := range live {
		m[live[i].Resource.ID().Key()] = &live[i]
	}
	return m
}

// operations turns the plan into driver operations. Deletes are scoped to
// what this environment owns: a recorded resource (every delete in a plan
// is) whose live object still carries the managed-by annotation and this
// environment's environment annotation, so environments sharing a server
// never delete each other's resources. Deletes that need no call, or must
// not be made, come back as results directly.
func operations(p *plan.Plan, env string, resolved map[resource.Identity]*resource.Resource, live map[resource.Identity]*LiveObject, restore map[resource.Identity][]Prior, adopted map[resource.Identity]bool) ([]Operation, []Result) {
	var ops []Operation
	var pre []Result
	for _, c := range p.Changes {
		id := resource.Identity{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}
		op := Operation{Action: c.Action, ID: id, Live: live[id.Key()], Environment: env, Changes: c.Changes, Restore: restore[id.Key()]}
		switch c.Action {
		case plan.Create, plan.Update:
			op.Desired = stamp(resolved[id.Key()], env)
		case plan.Delete:
			if op.Live == nil {
				pre = append(pre, ResultFor(op, Applied, "already absent from the server"))
				continue
			}
			op.Adopted = adopted[id.Key()]
			if why := MayDelete(op, op.Live.Managed, op.Live.Environment); why != "" && !op.Live.OwnedByRecord {
				pre = append(pre, ResultFor(op, Skipped, why))
				continue
			}
		}
		ops = append(ops, op)
	}
	return ops, pre
}

// MayDelete is NotOwned for op: a resource the repository adopted by
// import, whose server copy carries no ownership marks at all, is owned by
// the record (import writes nothing, so it could not stamp it).
func MayDelete(op Operation, managed bool, objectEnv string) string {
	if op.Adopted && !managed && objectEnv == "" {
		return ""
	}
	return NotOwned(managed, objectEnv, op.Environment)
}

// NotOwned explains why an object with the given ownership marks must not
// be deleted by environment env, or returns "" when env owns it. Drivers use
// it for the check they repeat just before deleting.
func NotOwned(managed bool, objectEnv, env string) string {
	switch {
	case !managed:
		return "not deleted: the server's copy does not carry " + resource.AnnotationManagedBy + ", so honua-gitops does not own it"
	case objectEnv == "":
		return fmt.Sprintf("not deleted: the server's copy carries no %s annotation, so it is not known to belong to environment %q", resource.AnnotationEnvironment, env)
	case objectEnv != env:
		return fmt.Sprintf("not deleted: the server's copy was applied by environment %q, not %q; an environment deletes only what it applied", objectEnv, env)
	}
	return ""
}

// stamp returns a copy of r with the ownership annotations this tool
// writes on every resource (Honua replaces annotations wholesale).
func stamp(r *resource.Resource, env string) *resource.Resource {
	c := *r
	c.Metadata.Annotations = maps.Clone(r.Metadata.Annotations)
	if c.Metadata.Annotations == nil {
		c.Metadata.Annotations = map[string]string{}
	}
	c.Metadata.Annotations[resource.AnnotationManagedBy] = resource.ManagedByValue
	c.Metadata.Annotations[resource.AnnotationEnvironment] = env
	return &c
}

func orderLike(p *plan.Plan, results []Result) []Result {
	pos := make(map[resource.Identity]int, len(p.Changes))
	for i, c := range p.Changes {
		pos[resource.Identity{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}.Key()] = i
	}
	out := slices.Clone(results)
	slices.SortStableFunc(out, func(a, b Result) int { return pos[a.ID().Key()] - pos[b.ID().Key()] })
	return out
}

// SameContent reports whether a live object matches a desired resource,
// ignoring fields that cannot be compared (secrets, which servers may not
// return as written) and annotations the server or this tool stamps.
func SameContent(desired, live *resource.Resource) bool {
	return len(Differences(desired, live)) == 0
}

// Comparable returns r in the one form every comparison of desired with
// live state uses: without the annotations the server or this tool stamps
// (resource.IsServerOwnedAnnotation), and with empty label and annotation
// maps absent. A copy sent to the server (stamped) and the copy read back
// (decoded without those annotations) compare equal in this form. r is not
// modified.
func Comparable(r *resource.Resource) *resource.Resource {
	c := *r
	c.Metadata.Annotations = nil
	for k, v := range r.Metadata.Annotations {
		if resource.IsServerOwnedAnnotation(k) {
			continue
		}
		if c.Metadata.Annotations == nil {
			c.Metadata.Annotations = map[string]string{}
		}
		c.Metadata.Annotations[k] = v
	}
	if len(c.Metadata.Labels) == 0 {
		c.Metadata.Labels = nil
	}
	return &c
}

// Differences lists the paths where live differs from desired, secrets
// excepted, both compared in their Comparable form.
func Differences(desired, live *resource.Resource) []string {
	var out []string
	for _, f := range diff.Values("", Comparable(desired).Object(), Comparable(live).Object()) {
		if plan.IsSensitive(desired.Kind, f.Path, nil) {
			continue
		}
		out = append(out, f.Path)
	}
	return out
}

// abortReadBack bounds the read-back after a hard abort.
const abortReadBack = 5 * time.Second

// settleUnknown reads live state and turns each write whose outcome is
// unknown into applied when the server shows it landed as desired (and as
// ours), so that it is recorded; the rest stay failed and unrecorded.
func settleUnknown(ctx context.Context, d Driver, out *Outcome, pr *prepared, env string) {
	resolved := pr.resolved
	unknown := false
	for _, r := range out.Results {
		unknown = unknown || r.Message == MessageOutcomeUnknown
	}
	if !unknown {
		return
	}
	live, err := d.Live(ctx, pr.scope)
	if err != nil {
		out.Problems = append(out.Problems, "after the interrupt: could not read back the writes in flight: "+err.Error())
		return
	}
	byID := indexLive(live)
	for i, r := range out.Results {
		if r.Message != MessageOutcomeUnknown {
			continue
		}
		l := byID[r.ID().Key()]
		landed := false
		switch r.Action {
		case plan.Create, plan.Update:
			landed = l != nil && l.OwnedBy(env) && SameContent(resolved[r.ID().Key()], l.Compared(resolved[r.ID().Key()]))
		case plan.Delete:
			landed = l == nil
		}
		if landed {
			out.Results[i].Status = Applied
			out.Results[i].Message = "landed before the interrupt (read back)"
		}
	}
}

// verify reads live state back and fails applied writes that did not land
// as desired.
func verify(ctx context.Context, d Driver, out *Outcome, pr *prepared) {
	resolved := pr.resolved
	scope := pr.scope
	scope.Unowned = true // the baseline drift compares unowned facets with
	live, err := d.Live(ctx, scope)
	if err != nil {
		out.Problems = append(out.Problems, "verify: read live state: "+err.Error())
		return
	}
	out.Unowned = UnownedOf(live)
	byID := indexLive(live)
	for i, r := range out.Results {
		if r.Status != Applied {
			continue
		}
		id := r.ID().Key()
		l := byID[id]
		switch r.Action {
		case plan.Create, plan.Update:
			if l == nil {
				out.Results[i].Status = Failed
				out.Results[i].Message = "verification: not found on the server after apply"
				continue
			}
			if diffs := Differences(resolved[id], l.Compared(resolved[id])); len(diffs) > 0 {
				out.Results[i].Status = Failed
				out.Results[i].Message = "verification: differs on the server after apply at " + strings.Join(diffs, ", ")
			}
		case plan.Delete:
			if l != nil {
				out.Results[i].Status = Failed
				out.Results[i].Message = "verification: still on the server after delete"
			}
		}
	}
	out.Verified = true
}

// record returns the state to record: recorded state with the writes that
// landed applied to it, and nothing else.
func record(recorded, desired []*resource.Resource, results []Result) []*resource.Resource {
	state := make(map[resource.Identity]*resource.Resource, len(recorded))
	order := make([]resource.Identity, 0, len(recorded)+len(results))
	for _, r := range recorded {
		state[r.ID().Key()] = r
		order = append(order, r.ID().Key())
	}
	want := make(map[resource.Identity]*resource.Resource, len(desired))
	for _, r := range desired {
		want[r.ID().Key()] = r
	}
	for _, res := range results {
		if res.Status != Applied {
			continue
		}
		id := res.ID().Key()
		switch res.Action {
		case plan.Create, plan.Update:
			if _, seen := state[id]; !seen {
				order = append(order, id)
			}
			state[id] = want[id]
		case plan.Delete:
			delete(state, id)
		}
	}
	out := make([]*resource.Resource, 0, len(state))
	for _, id := range order {
		if r, ok := state[id]; ok && r != nil {
			out = append(out, r)
			delete(state, id)
		}
	}
	return out
}

// PriorsOf collects the prior values results saved, by resource identity
// key, in order: what a rollback of those results can put back.
func PriorsOf(results []Result) map[resource.Identity][]Prior {
	out := map[resource.Identity][]Prior{}
	for _, r := range results {
		if len(r.Prior) > 0 {
			out[r.ID().Key()] = append(out[r.ID().Key()], r.Prior...)
		}
	}
	return out
}

// unplanned records the desired state of every resource the target's plan
// has no operation for although desired and recorded state differ: what
// differs is only what the target's server cannot hold (a Generation 2
// server and a Theme, or a layer's title), so there is nothing to write and
// the target holds what it can. Without a Surface the target's plan is the
// environment's, and nothing changes here.
func unplanned(state, desired []*resource.Resource, p *plan.Plan) []*resource.Resource {
	planned := make(map[resource.Identity]bool, len(p.Changes))
	for _, c := range p.Changes {
		planned[resource.Identity{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}.Key()] = true
	}
	// Observed resources have no operation because they are not owned,
	// not because the server cannot hold them: they stay unrecorded.
	for _, s := range p.Observed {
		planned[observedKey(s)] = true
	}
	want := index(desired)
	out := make([]*resource.Resource, 0, len(desired))
	seen := make(map[resource.Identity]bool, len(state))
	for _, r := range state {
		id := r.ID().Key()
		seen[id] = true
		switch w, ok := want[id]; {
		case planned[id]:
			out = append(out, r)
		case ok:
			out = append(out, w)
		}
	}
	for _, r := range desired {
		if id := r.ID().Key(); !seen[id] && !planned[id] {
			out = append(out, r)
		}
	}
	return out
}

// rollback returns the target to the recorded state this apply started
// from, undoing exactly the writes that landed, and records the result.
func rollback(ctx context.Context, d Driver, req Request, out *Outcome) {
	tp, err := PlanTarget(ctx, d, plan.Input{Environment: req.Environment, Desired: req.Recorded, Recorded: out.Recorded, Observed: req.Observed}, PlanOptions{Restore: PriorsOf(out.Results)})
	if err != nil {
		out.Problems = append(out.Problems, "rollback: "+err.Error())
		return
	}
	back := tp.Plan
	if !back.HasChanges() {
		return
	}
	if len(back.Blocked) > 0 {
		out.Problems = append(out.Problems, "rollback: "+(&BlockedError{Target: d.Describe(), Blocked: back.Blocked}).Error())
		return
	}
	resolved, err := resolveAll(tp.Desired, req)
	if err != nil {
		out.Problems = append(out.Problems, "rollback: "+err.Error())
		return
	}
	// The journal's progress is the forward apply's; the rollback is
	// reported in Outcome.RolledBack. Stop still interrupts it.
	opts := req.Options
	opts.Progress = nil
	ops, pre := operations(back, req.Environment, resolved, indexLive(tp.Live), PriorsOf(out.Results), req.Adopted)
	var results []Result
	if len(ops) > 0 {
		results = d.Apply(ctx, ops, opts)
	}
	results = append(results, pre...)
	out.RolledBack = orderLike(back, results)
	out.Recorded = unplanned(record(out.Recorded, req.Recorded, out.RolledBack), req.Recorded, back)
}

// observedKey is the identity key of a plan's Observed subject.
func observedKey(subject string) resource.Identity {
	kind, rest, _ := strings.Cut(subject, "/")
	ns, name, _ := strings.Cut(rest, "/")
	return resource.Identity{Kind: kind, Namespace: ns, Name: name}.Key()
}
