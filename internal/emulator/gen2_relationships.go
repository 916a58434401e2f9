package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The relationships facet (/metadata/layers/{layerId}/relationships and
// …/relationships/batch) replaces resource.relationships in full
// (AdminLayerAuthoringEndpoints). Relationships refer to the related
// layer by its global layer id.

type g2Relationship struct {
	ID                 string  `json:"id"`
	Name               string  `json:"name"`
	Description        *string `json:"description,omitempty"`
	RelatedLayerID     int     `json:"relatedLayerId"`
	Role               *string `json:"role,omitempty"`
	Cardinality        string  `json:"cardinality"`
	OriginField        string  `json:"originField"`
	DestinationField   string  `json:"destinationField"`
	EsriRelationshipID *int    `json:"esriRelationshipId,omitempty"`
	Composite          bool    `json:"composite"`
}

type g2RelationshipInput struct {
	ID                 string  `json:"id"`
	Name               string  `json:"name"`
	Description        *string `json:"description"`
	RelatedLayerID     *int    `json:"relatedLayerId"`
	Role               *string `json:"role"`
	Cardinality        *string `json:"cardinality"`
	OriginField        string  `json:"originField"`
	DestinationField   string  `json:"destinationField"`
	EsriRelationshipID *int    `json:"esriRelationshipId"`
	Composite          *bool   `json:"composite"`
}

type g2RelationshipsView struct {
	LayerID       int              `json:"layerId"`
	Relationships []g2Relationship `json:"relationships"`
}

const (
	gen2MaxRelationships      = 64
	gen2MaxRelationshipLayers = 64
	gen2RelationshipsConflict = "Metadata changed during relationship authoring. Retry against the current catalog."
	gen2CompositeRule         = "The relationship batch violates canonical metadata rules. Composite relationships require reciprocal declarations and read-only resources."
)

func relationshipsView(l *g2Layer) g2RelationshipsView {
	out := g2RelationshipsView{LayerID: l.LayerID, Relationships: []g2Relationship{}}
	out.Relationships = append(out.Relationships, l.Relationships...)
	return out
}

func (s *Server) handleGen2GetRelationships(w http.ResponseWriter, _ *http.Request, p params) {
	s.readLayer(w, p, func(id int, l *g2Layer) any { return relationshipsView(l) })
}

// relationshipsMember is a request member that tells "absent" (clear all)
// from "null" (a 400).
type relationshipsMember struct {
	set bool
	v   []g2RelationshipInput
}

func (m *relationshipsMember) UnmarshalJSON(b []byte) error {
	m.set = true
	if string(b) == "null" {
		m.v = nil
		return nil
	}
	m.v = []g2RelationshipInput{}
	return json.Unmarshal(b, &m.v)
}

func (m relationshipsMember) isNull() bool { return m.set && m.v == nil }

type g2RelationshipsBatchItem struct {
	LayerID       int                 `json:"layerId"`
	Relationships relationshipsMember `json:"relationships"`
}

func (s *Server) handleGen2PutRelationships(w http.ResponseWriter, r *http.Request, p params) {
	id, ok := gen2LayerID(w, p)
	if !ok {
		return
	}
	var req struct {
		Relationships relationshipsMember `json:"relationships"`
	}
	if !decodeGen2(w, r, &req) {
		return
	}
	s.gen2RelationshipsWrite(w, r, []g2RelationshipsBatchItem{{LayerID: id, Relationships: req.Relationships}}, false)
}

func (s *Server) handleGen2PutRelationshipsBatch(w http.ResponseWriter, r *http.Request, _ params) {
	var req struct {
		Layers []*g2RelationshipsBatchItem `json:"layers"`
	}
	if !decodeGen2(w, r, &req) {
		return
	}
	bad := func(detail string) { s.writeProblem(w, http.StatusBadRequest, "Bad Request", detail) }
	seen := map[int]bool{}
	items := []g2RelationshipsBatchItem{}
	for _, it := range req.Layers {
		if it == nil || seen[it.LayerID] {
			items = nil
			break
		}
		seen[it.LayerID] = true
		items = append(items, *it)
	}
	if len(items) < 1 || len(items) > gen2MaxRelationshipLayers {
		bad(fmt.Sprintf("Supply between 1 and %d distinct layers.", gen2MaxRelationshipLayers))
		return
	}
	s.gen2RelationshipsWrite(w, r, items, true)
}

// gen2RelationshipsWrite validates every item against the current graph
// (the whole candidate graph for composites), then saves once: one
// revision for a batch. Faults.RelationshipsConflict answers the 409 the
// server gives once its 5 save attempts are exhausted.
func (s *Server) gen2RelationshipsWrite(w http.ResponseWriter, r *http.Request, items []g2RelationshipsBatchItem, batch bool) {
	bad := func(detail string) { s.writeProblem(w, http.StatusBadRequest, "Bad Request", detail) }
	g := s.gen2
	g.mu.Lock()
	built := make([][]g2Relationship, len(items))
	detail := ""
	for i, it := range items {
		if l := g.layer(it.LayerID); l == nil {
			detail = fmt.Sprintf("Layer %d must resolve to exactly one routable storage-backed resource.", it.LayerID)
			break
		}
		if built[i], detail = g.buildRelationships(it); detail != "" {
			break
		}
	}
	if detail == "" {
		detail = g.checkComposites(items, built)
	}
	g.mu.Unlock()
	if detail != "" {
		bad(detail)
		return
	}
	if s.faults.relationshipsConflict() {
		w.Header().Set("X-Honua-Emulator-Fault", "relationships-conflict")
		s.writeProblem(w, http.StatusConflict, "Conflict", gen2RelationshipsConflict)
		return
	}
	env := s.gen2Env()
	target := strconv.Itoa(items[0].LayerID)
	facet := "layer.relationships"
	if batch {
		facet, target = "layer.relationships.batch", ""
		for i, it := range items {
			if i > 0 {
				target += ","
			}
			target += strconv.Itoa(it.LayerID)
		}
	}
	// A batch is one save; its fault identity is the first layer's.
	var views []g2RelationshipsView
	ok := s.gen2GraphWrite(w, r, Identity{Kind: "LayerRelationships", Namespace: env, Name: strconv.Itoa(items[0].LayerID)}, facet, target, func(g *gen2Store) error {
		for i, it := range items {
			if g.layer(it.LayerID) == nil {
				return errGen2Gone
			}
			g.layer(it.LayerID).Relationships = built[i]
		}
		views = views[:0]
		for _, it := range items {
			views = append(views, relationshipsView(g.layer(it.LayerID)))
		}
		return nil
	})
	if !ok {
		return
	}
	if batch {
		s.writeDataV2(w, http.StatusOK, struct {
			Layers []g2RelationshipsView `json:"layers"`
		}{views}, "")
		return
	}
	s.writeDataV2(w, http.StatusOK, views[0], "")
}

// buildRelationships validates one layer's relationships. The caller holds
// mu.
func (g *gen2Store) buildRelationships(it g2RelationshipsBatchItem) ([]g2Relationship, string) {
	if it.Relationships.isNull() {
		return nil, "relationships must not be null; send [] or omit the member to clear."
	}
	in := it.Relationships.v
	if len(in) > gen2MaxRelationships {
		return nil, fmt.Sprintf("A layer can have at most %d relationships.", gen2MaxRelationships)
	}
	origin := g.layer(it.LayerID)
	out := []g2Relationship{}
	ids := map[string]bool{}
	for _, rel := range in {
		switch {
		case strings.TrimSpace(rel.ID) == "":
			return nil, "Every relationship needs an id."
		case ids[rel.ID]:
			return nil, fmt.Sprintf("Relationship id '%s' is duplicated.", rel.ID)
		case strings.TrimSpace(rel.Name) == "":
			return nil, fmt.Sprintf("Relationship '%s' needs a name.", rel.ID)
		case rel.RelatedLayerID == nil:
			return nil, fmt.Sprintf("Relationship '%s' needs a relatedLayerId.", rel.ID)
		}
		ids[rel.ID] = true
		related := g.layer(*rel.RelatedLayerID)
		if related == nil {
			return nil, fmt.Sprintf("Layer %d must resolve to exactly one routable storage-backed resource.", *rel.RelatedLayerID)
		}
		card := "one-to-many"
		if rel.Cardinality != nil {
			card = *rel.Cardinality
		}
		if !slices.Contains([]string{"one-to-one", "one-to-many", "many-to-many"}, card) {
			return nil, fmt.Sprintf("Relationship '%s': cardinality '%s' is not one of one-to-one, one-to-many, many-to-many.", rel.ID, card)
		}
		of, df := origin.field(rel.OriginField), related.field(rel.DestinationField)
		if of == nil {
			return nil, fmt.Sprintf("Relationship '%s': origin field '%s' does not exist on layer %d.", rel.ID, rel.OriginField, origin.LayerID)
		}
		if df == nil {
			return nil, fmt.Sprintf("Relationship '%s': destination field '%s' does not exist on layer %d.", rel.ID, rel.DestinationField, related.LayerID)
		}
		out = append(out, g2Relationship{ID: rel.ID, Name: rel.Name, Description: rel.Description, RelatedLayerID: related.LayerID,
			Role: rel.Role, Cardinality: card, OriginField: of.Name, DestinationField: df.Name, EsriRelationshipID: rel.EsriRelationshipID,
			Composite: rel.Composite != nil && *rel.Composite})
	}
	return out, ""
}

// checkComposites applies the graph validator's rule to the whole
// candidate graph: every composite relationship needs a composite
// relationship back from the related layer, and both layers read-only.
// The caller holds mu.
func (g *gen2Store) checkComposites(items []g2RelationshipsBatchItem, built [][]g2Relationship) string {
	rels := func(id int) []g2Relationship {
		for i, it := range items {
			if it.LayerID == id {
				return built[i]
			}
		}
		if l := g.layer(id); l != nil {
			return l.Relationships
		}
		return nil
	}
	for _, o := range g.d.Layers {
		for _, rel := range rels(o.LayerID) {
			if !rel.Composite {
				continue
			}
			t := g.layer(rel.RelatedLayerID)
			reciprocal := t != nil && slices.ContainsFunc(rels(rel.RelatedLayerID), func(b g2Relationship) bool {
				return b.Composite && b.RelatedLayerID == o.LayerID
			})
			if !reciprocal || !o.ReadOnly || !t.ReadOnly {
				return gen2CompositeRule
			}
		}
	}
	return ""
}
