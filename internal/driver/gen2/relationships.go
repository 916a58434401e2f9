package gen2

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// relationshipConflictRetries bounds the re-reads-and-retries of a
// relationships write the server answers 409 (its own retries exhausted
// by a concurrent writer): at most 1 + 3 writes.
const relationshipConflictRetries = 3

// applyRelationship replaces the entry with id metadata.name in the origin
// layer's relationships facet. The facet is a full replace, so it is read
// first and only the repository's entry changes; the other entries stay.
func (d *Driver) applyRelationship(ctx context.Context, op apply.Operation) ([]string, error) {
	ref := op.Desired
	if op.Action == plan.Delete {
		ref = op.Live.Resource
	}
	origin, originName := d.layerNamed(ref, "originLayerId")
	if origin == nil {
		return nil, fmt.Errorf("origin layer %q is not published on the server", originName)
	}
	var entry map[string]any
	if p, ok := priorOf(op.Restore, priorRelationships); ok && op.Action == plan.Delete {
		// A rollback of a change to an entry that was there before puts
		// that entry back instead of removing it.
		entry, _ = p.(map[string]any)
	}
	if op.Action != plan.Delete {
		related, relatedName := d.layerNamed(ref, "relatedLayerId")
		if related == nil {
			return nil, fmt.Errorf("related layer %q is not published on the server", relatedName)
		}
		entry = relationshipEntry(ref, related.id)
	}
	for attempt := 1; ; attempt++ {
		doc, err := d.client.Gen2LayerFacet(ctx, origin.id, "relationships")
		if err != nil {
			return nil, fmt.Errorf("read relationships of layer %s: %w", originName, err)
		}
		entries, _ := doc["relationships"].([]any)
		next, same := replaceEntry(entries, op.ID.Name, entry)
		if same {
			return nil, nil
		}
		savePrior(ctx, priorRelationships, entryOf(entries, op.ID.Name))
		err = d.write(ctx, fmt.Sprintf("PUT relationships of layer %s (id %d)", originName, origin.id),
			func(ctx context.Context) error {
				return d.client.Gen2PutLayerFacet(ctx, origin.id, "relationships", map[string]any{"relationships": next})
			},
			func(ctx context.Context) (bool, error) {
				doc, err := d.client.Gen2LayerFacet(ctx, origin.id, "relationships")
				if err != nil {
					return false, err
				}
				got, _ := doc["relationships"].([]any)
				_, same := replaceEntry(got, op.ID.Name, entry)
				return same, nil
			})
		if honuaConflict(err) && attempt <= relationshipConflictRetries {
			continue
		}
		if err != nil {
			return nil, err
		}
		return []string{"relationships"}, nil
	}
}

// honuaConflict reports a 409 write error.
func honuaConflict(err error) bool {
	we, ok := err.(*writeError)
	return ok && we.status == http.StatusConflict
}

// relationshipEntry is the facet entry of a Relationship.
func relationshipEntry(r *resource.Resource, relatedID int64) map[string]any {
	s := r.Spec
	name, _ := s["name"].(string)
	if name == "" {
		name = r.Metadata.Name
	}
	card, _ := s["relationshipType"].(string)
	e := map[string]any{
		"id": r.Metadata.Name, "name": name, "relatedLayerId": relatedID,
		"cardinality": cardinalities[strings.ToLower(card)], "originField": s["originForeignKey"], "destinationField": s["destinationForeignKey"],
	}
	if e["cardinality"] == "" {
		e["cardinality"] = card
	}
	for _, k := range []string{"description", "role", "composite", "esriRelationshipId"} {
		if v, ok := s[k]; ok && v != nil {
			e[k] = v
		}
	}
	return e
}

// entryOf returns the entry id of a relationships facet, or nil.
func entryOf(entries []any, id string) any {
	for _, e := range entries {
		if m, ok := e.(map[string]any); ok && m["id"] == id {
			return m
		}
	}
	return nil
}

// replaceEntry returns entries with the entry id replaced by entry (added
// when absent, removed when entry is nil), and whether nothing changed.
func replaceEntry(entries []any, id string, entry map[string]any) ([]any, bool) {
	out := make([]any, 0, len(entries)+1)
	found, same := false, true
	for _, e := range entries {
		m, _ := e.(map[string]any)
		if m["id"] != id {
			out = append(out, e)
			continue
		}
		found = true
		if entry == nil {
			same = false
			continue
		}
		for k, v := range entry {
			if differs(v, m[k]) {
				same = false
			}
		}
		out = append(out, entry)
	}
	if !found && entry != nil {
		out = append(out, entry)
		same = false
	}
	return out, same
}
