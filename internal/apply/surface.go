package apply

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Surface is implemented by drivers whose server cannot hold everything a
// repository's resources say (Generation 2, set facet by facet): the
// engine plans such a target against what its server can hold, so keys and
// kinds it cannot hold are notes, never changes, and a change it cannot
// make at all blocks the target before any write.
type Surface interface {
	// Representable returns the part of r the server can hold, in the form
	// compared with live state, and notes on what it cannot hold (kept in
	// git, never written). A nil resource means the server holds nothing
	// of r.
	Representable(r *resource.Resource) (*resource.Resource, []string)
	// Adopts reports whether a live object of kind that the repository
	// declares but has not recorded is taken over by the first apply
	// (Generation 2 Services and Connections exist on every server) rather
	// than reported as unmanaged drift.
	Adopts(kind string) bool
	// Blockers says why the server cannot make change c at all (a rename,
	// a geometry change after publish, a delete it has no route for), in
	// words that tell a person what to do by hand; none when it can.
	// desired, recorded and live are the change's resource in each state,
	// nil where absent; restore is what a rollback can put back
	// (Operation.Restore), so that a delete the server cannot make can
	// become a restore instead.
	Blockers(c plan.Change, desired, recorded *resource.Resource, live *LiveObject, restore []Prior) []string
}

// BlockedError is returned when a target's server cannot make some of the
// plan's changes: nothing was written.
type BlockedError struct {
	Target  string
	Blocked []plan.Blocker
}

func (e *BlockedError) Error() string {
	parts := make([]string, 0, len(e.Blocked))
	for _, b := range e.Blocked {
		parts = append(parts, b.Subject+": "+b.Reason)
	}
	return fmt.Sprintf("%s cannot make %d change(s) of this plan, so nothing was written: %s", e.Target, len(e.Blocked), strings.Join(parts, "; "))
}

// TargetPlan is one environment's plan against one target's live state.
type TargetPlan struct {
	// Plan is the plan from recorded to desired state as the target can
	// hold them, with live drift, the target's notes and its blockers.
	Plan *plan.Plan
	// Live is what the target holds.
	Live []LiveObject
	// Desired and Recorded are the states as the target can hold them
	// (the inputs unchanged for a driver without a Surface).
	Desired, Recorded []*resource.Resource
	// Unowned fingerprints what the repository does not own, by subject
	// and facet (PlanOptions.Unowned).
	Unowned map[string]map[string]string
}

// UnownedOf collects the fingerprints of unowned facets of live objects,
// by subject (Kind/namespace/name) and facet; nil when there are none.
func UnownedOf(live []LiveObject) map[string]map[string]string {
	var out map[string]map[string]string
	for _, l := range live {
		if len(l.Unowned) == 0 {
			continue
		}
		if out == nil {
			out = map[string]map[string]string{}
		}
		out[l.Resource.ID().String()] = l.Unowned
	}
	return out
}

// UnownedChanges compares fingerprints of unowned facets with a baseline
// and says, one line each, which changed: notes for drift, never drift,
// never written. Facets the baseline does not know are not reported.
func UnownedChanges(baseline, now map[string]map[string]string, since string) []string {
	var out []string
	for _, subject := range slices.Sorted(maps.Keys(now)) {
		was := baseline[subject]
		for _, facet := range slices.Sorted(maps.Keys(now[subject])) {
			if old, known := was[facet]; known && old != now[subject][facet] {
				out = append(out, fmt.Sprintf("%s: %s changed on the server since %s; git does not own it, so it is not drift and is never written (own it by setting it in git)", subject, facet, since))
			}
		}
	}
	return out
}

// PlanOptions tune PlanTarget.
type PlanOptions struct {
	// Restore is what a rollback can put back, by resource (nil outside
	// rollbacks).
	Restore map[resource.Identity][]Prior
	// Unowned also fingerprints what the repository does not own
	// (TargetPlan.Unowned), for drift.
	Unowned bool
}

// PlanTarget reads d's live state and plans in against it. For a driver
// with a Surface, desired and recorded state are first cut to what the
// server can hold; the notes say what was left out.
func PlanTarget(ctx context.Context, d Driver, in plan.Input, opts PlanOptions) (*TargetPlan, error) {
	sf, _ := d.(Surface)
	var notes []string
	tp := &TargetPlan{Desired: in.Desired, Recorded: in.Recorded}
	if sf != nil {
		in.Adopting = adopting(in.Desired)
		tp.Desired, notes = represent(sf, in.Desired)
		tp.Recorded, _ = represent(sf, in.Recorded)
		in.Observed, _ = represent(sf, in.Observed)
	}
	live, err := d.Live(ctx, Scope{Desired: tp.Desired, Recorded: tp.Recorded, Unowned: opts.Unowned})
	if err != nil {
		return nil, fmt.Errorf("read live state of %s: %w", d.Describe(), err)
	}
	tp.Live, tp.Unowned = live, UnownedOf(live)
	in.Desired, in.Recorded, in.Live, in.LiveRead = tp.Desired, tp.Recorded, comparedLive(live, tp.Desired, append(slices.Clone(in.Observed), tp.Recorded...)), true
	p := plan.Compute(in)
	p.Notes = append(append(p.Notes, "Live state read from "+d.Describe()+"."), notes...)
	if sf != nil {
		var adopting []string
		p.Drift, adopting = adopted(sf, p.Drift)
		p.Notes = append(p.Notes, adopting...)
		p.Blocked = blockers(sf, p, tp, indexLive(live), opts.Restore)
	}
	tp.Plan = p
	return tp, nil
}

// represent cuts resources to what sf's server can hold, with one note per
// thing left out.
func represent(sf Surface, rs []*resource.Resource) ([]*resource.Resource, []string) {
	out := make([]*resource.Resource, 0, len(rs))
	var notes []string
	seen := map[string]bool{}
	for _, r := range rs {
		kept, ns := sf.Representable(r)
		for _, n := range ns {
			if !seen[n] {
				seen[n] = true
				notes = append(notes, n)
			}
		}
		if kept != nil {
			out = append(out, kept)
		}
	}
	return out, notes
}

// comparedLive is live state as compared with the repository: each partial
// object cut to the recorded resource's keys (what drift compares), or the
// desired one's when nothing is recorded.
func comparedLive(live []LiveObject, desired, recorded []*resource.Resource) []*resource.Resource {
	ref := make(map[resource.Identity]*resource.Resource, len(desired)+len(recorded))
	for _, r := range desired {
		ref[r.ID().Key()] = r
	}
	for _, r := range recorded {
		ref[r.ID().Key()] = r
	}
	out := make([]*resource.Resource, len(live))
	for i := range live {
		out[i] = live[i].Compared(ref[live[i].Resource.ID().Key()])
	}
	return out
}

// adopted turns the unmanaged drift of kinds the surface adopts into
// notes: such an object is expected on the server, not someone else's.
func adopted(sf Surface, drift []plan.Drift) ([]plan.Drift, []string) {
	out := drift[:0:0]
	var notes []string
	for _, d := range drift {
		if d.Type == plan.Unmanaged && sf.Adopts(d.Kind) {
			notes = append(notes, d.Subject()+": already on the server; the first apply adopts it and writes only what git declares that differs.")
			continue
		}
		out = append(out, d)
	}
	return out, notes
}

func blockers(sf Surface, p *plan.Plan, tp *TargetPlan, live map[resource.Identity]*LiveObject, restore map[resource.Identity][]Prior) []plan.Blocker {
	desired, recorded := index(tp.Desired), index(tp.Recorded)
	var out []plan.Blocker
	for _, c := range p.Changes {
		id := resource.Identity{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}.Key()
		for _, why := range sf.Blockers(c, desired[id], recorded[id], live[id], restore[id]) {
			out = append(out, plan.Blocker{Subject: c.Subject(), Reason: why})
		}
	}
	return out
}

func index(rs []*resource.Resource) map[resource.Identity]*resource.Resource {
	m := make(map[resource.Identity]*resource.Resource, len(rs))
	for _, r := range rs {
		m[r.ID().Key()] = r
	}
	return m
}

// adopting is the set of desired resources that carry the adopt
// annotation, which represent cuts off with the rest of the metadata.
func adopting(desired []*resource.Resource) map[resource.Identity]bool {
	out := map[resource.Identity]bool{}
	for _, r := range desired {
		if resource.Adopts(r) {
			out[r.ID().Key()] = true
		}
	}
	return out
}
