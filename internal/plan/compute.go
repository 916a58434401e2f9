package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/order"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// Input is what a plan is computed from.
type Input struct {
	Environment string
	// Desired is the environment's resources after overlay and variables.
	Desired []*resource.Resource
	// Recorded is the last applied snapshot (empty when nothing was applied).
	Recorded []*resource.Resource
	// RecordedState describes where Recorded came from.
	RecordedState RecordedState
	// Live is the server's state, or nil when it was not read. Live state
	// only adds drift; it never changes the operations or the hash.
	Live []*resource.Resource
	// LiveRead is true when Live was read (it may be empty).
	LiveRead bool
	// Observed are the resources recorded as observed, not owned (import
	// --observe): never created, updated or deleted, unless the desired
	// resource adopts one (resource.AnnotationAdopt), which updates it
	// from its observed value.
	Observed []*resource.Resource
	// Adopting names, by identity key, observed resources to adopt even
	// though Desired no longer carries the annotation: a target that cannot
	// hold annotations (Generation 2) cut it off before planning.
	Adopting map[resource.Identity]bool
}

// Compute diffs desired against recorded state (and recorded against live,
// for drift) and returns the plan with its operations in apply order.
func Compute(in Input) *Plan {
	p := &Plan{
		FormatVersion: FormatVersion,
		Environment:   in.Environment,
		Changes:       []Change{},
		Drift:         []Drift{},
		LiveRead:      in.LiveRead,
		Recorded:      in.RecordedState,
	}
	p.Recorded.Empty = len(in.Recorded) == 0
	desired := index(in.Desired)
	recorded := index(in.Recorded)
	observed := index(in.Observed)

	ops := make([]op, 0)
	for key, d := range desired {
		r, ok := recorded[key]
		if o, seen := observed[key]; !ok && seen {
			if resource.Adopts(d) || in.Adopting[key] {
				ops = append(ops, op{action: Update, res: d, fields: compare(o, d), adopt: true})
				continue
			}
			p.Observed = append(p.Observed, d.ID().String())
			continue
		}
		if !ok {
			ops = append(ops, op{action: Create, res: d, fields: diff.Leaves("", contentOf(d), diff.Add)})
			continue
		}
		if fields := compare(r, d); len(fields) > 0 {
			ops = append(ops, op{action: Update, res: d, fields: fields})
		} else {
			p.Summary.Unchanged++
		}
	}
	for key, r := range recorded {
		if _, ok := desired[key]; !ok {
			ops = append(ops, op{action: Delete, res: r, fields: diff.Leaves("", contentOf(r), diff.Remove)})
		}
	}
	order.Sort(ops, func(o op) resource.Identity { return o.res.ID() }, func(o op) bool { return o.action == Delete })
	for _, o := range ops {
		c := o.change()
		p.Changes = append(p.Changes, c)
		switch c.Action {
		case Create:
			p.Summary.Create++
		case Update:
			p.Summary.Update++
		case Delete:
			p.Summary.Delete++
		}
	}
	p.Hash = Hash(in.Environment, ops)
	slices.Sort(p.Observed)
	if len(p.Observed) > 0 {
		p.Notes = append(p.Notes, ObservedNote(p.Observed))
	}
	if in.LiveRead {
		p.Drift = computeDrift(desired, recorded, observed, index(in.Live))
	}
	return p
}

// ObservedNote tells reviewers why some declared resources have no
// operation, and how to manage them.
func ObservedNote(subjects []string) string {
	return fmt.Sprintf("Observed, not owned (imported with --observe): %s. honua-gitops never changes or deletes them; "+
		"to manage one, add the annotation %s: \"true\" to it, or import it again without --observe.",
		strings.Join(subjects, ", "), resource.AnnotationAdopt)
}

// op is a change before redaction: it keeps real values for the hash.
type op struct {
	action Action
	res    *resource.Resource
	fields []diff.Change
	// adopt marks an update that takes over an observed resource.
	adopt bool
}

func (o op) change() Change {
	id := o.res.ID()
	c := Change{Action: o.action, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name, Changes: make([]FieldChange, len(o.fields))}
	for i, f := range o.fields {
		c.Changes[i] = redact(id.Kind, f)
	}
	c.Risk, c.Reasons = assess(o.action, id.Kind, o.fields)
	if o.adopt {
		c.Reasons = append(c.Reasons, "adopts a resource imported as observed ("+resource.AnnotationAdopt+")")
	}
	return c
}

// compare diffs two versions of a resource, lists of objects element by
// element by the identity keys their kind declares.
func compare(before, after *resource.Resource) []diff.Change {
	return diff.Compare("", objectFor(before), objectFor(after), resource.ListKeysOf(before.Kind))
}

// objectFor is the compared form of a resource: apiVersion and identity are
// the same on both sides by construction, so only metadata maps and spec
// can differ.
func objectFor(r *resource.Resource) map[string]any {
	return r.Object()
}

// contentOf is a resource without its identity (apiVersion, kind, name,
// namespace), which the change's subject already names: what a create adds
// and a delete removes, field by field.
func contentOf(r *resource.Resource) map[string]any {
	obj := r.Object()
	delete(obj, "apiVersion")
	delete(obj, "kind")
	md := obj["metadata"].(map[string]any)
	delete(md, "name")
	delete(md, "namespace")
	if len(md) == 0 {
		delete(obj, "metadata")
	}
	return obj
}

func index(rs []*resource.Resource) map[resource.Identity]*resource.Resource {
	m := make(map[resource.Identity]*resource.Resource, len(rs))
	for _, r := range rs {
		m[r.ID().Key()] = r
	}
	return m
}

// redact turns a diff change into a plan field change, replacing secret
// values (by schema, or ${secret:...} placeholders) with Sensitive.
func redact(kind string, f diff.Change) FieldChange {
	fc := FieldChange{Path: f.Path, Before: f.Before, After: f.After, From: f.From, DisplayPath: f.Display}
	if f.Key != nil {
		// A key is a name, but a placeholder in it is masked like any value.
		fc.Key, _ = MaskSecrets(kind, f.Key).(map[string]any)
	}
	switch f.Op {
	case diff.Add:
		fc.Op = OpAdd
	case diff.Remove:
		fc.Op = OpRemove
	case diff.Move:
		// Positions, not values: nothing to mask.
		fc.Op = OpMove
		return fc
	default:
		fc.Op = OpReplace
	}
	if IsSensitive(kind, f.Path, f.Before) || IsSensitive(kind, f.Path, f.After) {
		fc.Sensitive = true
		fc.SecretsBefore, fc.SecretsAfter = secret.NamesIn(f.Before), secret.NamesIn(f.After)
		if f.Op != diff.Add {
			fc.Before = Sensitive
		}
		if f.Op != diff.Remove {
			fc.After = Sensitive
		}
		return fc
	}
	// A map or list added, removed or replaced as a whole may hold secrets
	// deeper down (a live spec.auth with a password): mask them by key.
	fc.Before, fc.After = MaskSecrets(kind, fc.Before), MaskSecrets(kind, fc.After)
	return fc
}

// MaskSecrets returns v with the value of every secret key, at any depth,
// and every string carrying a ${secret:NAME} placeholder replaced by
// Sensitive. Maps and lists are copied; v is not changed.
func MaskSecrets(kind string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if resource.IsSecretKey(kind, k) {
				out[k] = Sensitive
				continue
			}
			out[k] = MaskSecrets(kind, e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = MaskSecrets(kind, e)
		}
		return out
	case string:
		if containsPlaceholder(x) {
			return Sensitive
		}
	}
	return v
}

// IsSensitive reports whether a value at path must never be shown: a field
// the schema marks secret anywhere on the path under /spec, or a value that
// carries a ${secret:NAME} placeholder.
func IsSensitive(kind, path string, v any) bool {
	segs := diff.SplitPointer(path)
	if len(segs) > 1 && segs[0] == "spec" {
		for _, s := range segs[1:] {
			if resource.IsSecretKey(kind, s) {
				return true
			}
		}
	}
	return containsPlaceholder(v)
}

func containsPlaceholder(v any) bool { return secret.HasIn(v) }
