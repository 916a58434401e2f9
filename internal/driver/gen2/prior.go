package gen2

import (
	"context"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Prior facets: the names of the values a Result.Prior saves (see
// apply.Prior and mapping.md).
const (
	priorProtocols     = "protocols"
	priorAccessPolicy  = "access-policy"
	priorConnection    = "connection"
	priorEnabled       = "enabled"
	priorStyle         = "style"
	priorRelationships = "relationships"
)

// savePrior saves the live value of facet before the operation writes it
// (the first value saved for a facet wins: it is what the server held
// before this operation). v is cloned; nil means the facet held nothing.
// Secrets never get here: the server never returns them.
func savePrior(ctx context.Context, facet string, v any) {
	rec := recordOf(ctx)
	if rec == nil {
		return
	}
	for _, p := range rec.prior {
		if p.Facet == facet {
			return
		}
	}
	if v != nil {
		v = resource.Clone(v)
		if n, err := resource.Normalize(v); err == nil {
			v = n
		}
	}
	rec.prior = append(rec.prior, apply.Prior{Facet: facet, Value: v})
}

// priorOf returns the oldest prior value of facet in restore: what the
// server held before the first deployment being undone wrote it.
func priorOf(restore []apply.Prior, facet string) (any, bool) {
	for _, p := range restore {
		if p.Facet == facet {
			return p.Value, true
		}
	}
	return nil, false
}

// connectionPrior is the non-secret part of a live connection: what a
// rollback can put back. Secrets are never returned by the server, so
// they are never saved.
func connectionPrior(live map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range connectionUpdatable {
		if v, ok := live[k]; ok {
			out[k] = v
		}
	}
	return out
}

// restores reports whether a delete of kind that Generation 2 cannot make
// becomes a restore of the prior values in restore.
func restores(kind string, restore []apply.Prior) bool {
	switch kind {
	case "Service":
		_, p := priorOf(restore, priorProtocols)
		_, a := priorOf(restore, priorAccessPolicy)
		return p || a
	case "Style":
		_, ok := priorOf(restore, priorStyle)
		return ok
	}
	return false
}

// release marks id as handed back to the server: its delete restored the
// prior values instead of removing it, so it is no longer this
// environment's, and live reads that do not desire it leave it out (the
// engine then sees the delete as done).
func (d *Driver) release(id resource.Identity) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.released == nil {
		d.released = map[resource.Identity]bool{}
	}
	d.released[id.Key()] = true
}
