package gen2

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// reciprocalPairs finds the composite Relationships whose reciprocal is
// written in the same apply: the server validates composite relationships
// across layers, so one side alone is refused and the two must go in one
// PUT /metadata/layers/relationships/batch. It maps each first op's index
// to its partner's.
func reciprocalPairs(ops []apply.Operation) map[int]int {
	pairs := map[int]int{}
	taken := map[int]bool{}
	for i, a := range ops {
		if !compositeWrite(a) || taken[i] {
			continue
		}
		for j := i + 1; j < len(ops); j++ {
			b := ops[j]
			if taken[j] || !compositeWrite(b) {
				continue
			}
			if sameRef(a.Desired, "originLayerId", b.Desired, "relatedLayerId") && sameRef(a.Desired, "relatedLayerId", b.Desired, "originLayerId") {
				pairs[i] = j
				taken[i], taken[j] = true, true
				break
			}
		}
	}
	return pairs
}

func compositeWrite(op apply.Operation) bool {
	return op.ID.Kind == "Relationship" && op.Action != plan.Delete && op.Desired != nil && op.Desired.Spec["composite"] == true
}

func sameRef(a *resource.Resource, ka string, b *resource.Resource, kb string) bool {
	ia, oka := refID(a, ka, "Layer")
	ib, okb := refID(b, kb, "Layer")
	return oka && okb && ia.Key() == ib.Key()
}

// applyReciprocal writes a composite pair in one relationships batch,
// keeping every other entry of both layers' facets. A 409 is re-read and
// retried (bounded), as for one layer.
func (d *Driver) applyReciprocal(ctx context.Context, a, b apply.Operation) (apply.Result, apply.Result) {
	recA, recB := &opRecord{}, &opRecord{}
	type side struct {
		op     apply.Operation
		origin *layerRef
		entry  map[string]any
		rec    *opRecord
	}
	sides := [2]*side{{op: a, rec: recA}, {op: b, rec: recB}}
	fail := func(err error) (apply.Result, apply.Result) {
		ra, rb := apply.ResultFor(a, apply.Failed, err.Error()), apply.ResultFor(b, apply.Failed, err.Error())
		if errors.Is(err, errUnknown) {
			ra.Message, rb.Message = apply.MessageOutcomeUnknown, apply.MessageOutcomeUnknown
		}
		ra.Attempts, ra.Prior, rb.Prior = recA.attempts, recA.prior, recB.prior
		return ra, rb
	}
	for _, s := range sides {
		origin, originName := d.layerNamed(s.op.Desired, "originLayerId")
		related, relatedName := d.layerNamed(s.op.Desired, "relatedLayerId")
		switch {
		case origin == nil:
			return fail(fmt.Errorf("origin layer %q is not published on the server", originName))
		case related == nil:
			return fail(fmt.Errorf("related layer %q is not published on the server", relatedName))
		}
		s.origin, s.entry = origin, relationshipEntry(s.op.Desired, related.id)
	}
	ctxA := withRecord(ctx, recA)
	for attempt := 1; ; attempt++ {
		items := make([]any, 0, 2)
		same := true
		for _, s := range sides {
			doc, err := d.client.Gen2LayerFacet(ctx, s.origin.id, "relationships")
			if err != nil {
				return fail(fmt.Errorf("read relationships of layer %d: %w", s.origin.id, err))
			}
			entries, _ := doc["relationships"].([]any)
			next, unchanged := replaceEntry(entries, s.op.ID.Name, s.entry)
			same = same && unchanged
			savePrior(withRecord(ctx, s.rec), priorRelationships, entryOf(entries, s.op.ID.Name))
			items = append(items, map[string]any{"layerId": s.origin.id, "relationships": next})
		}
		if same {
			ra, rb := apply.ResultFor(a, apply.Applied, "already as desired on the server: nothing written"), apply.ResultFor(b, apply.Applied, "already as desired on the server: nothing written")
			ra.Prior, rb.Prior = recA.prior, recB.prior
			return ra, rb
		}
		err := d.write(ctxA, "PUT relationships batch of layers "+layerIDs(sides[0].origin.id, sides[1].origin.id),
			func(ctx context.Context) error {
				return d.client.Gen2PutRelationshipsBatch(ctx, items)
			},
			func(ctx context.Context) (bool, error) {
				for _, s := range sides {
					doc, err := d.client.Gen2LayerFacet(ctx, s.origin.id, "relationships")
					if err != nil {
						return false, err
					}
					got, _ := doc["relationships"].([]any)
					if _, same := replaceEntry(got, s.op.ID.Name, s.entry); !same {
						return false, nil
					}
				}
				return true, nil
			})
		if honuaConflict(err) && attempt <= relationshipConflictRetries {
			continue
		}
		if err != nil {
			return fail(err)
		}
		msg := "wrote relationships (one batch with its reciprocal " + b.ID.String() + ")"
		ra := apply.ResultFor(a, apply.Applied, msg)
		rb := apply.ResultFor(b, apply.Applied, "wrote relationships (one batch with its reciprocal "+a.ID.String()+")")
		ra.Attempts, ra.Prior, rb.Prior = recA.attempts, recA.prior, recB.prior
		return ra, rb
	}
}

func layerIDs(ids ...int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, " and ")
}
