package plan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

func parcelsLayer(fields ...any) *resource.Resource {
	return res("Layer", "parcels", map[string]any{"tableName": "parcels", "schemaName": "public", "geometryType": "Polygon",
		"srid": int64(4326), "description": "Tax parcels", "fields": fields})
}

func fieldSpec(name, alias string) map[string]any {
	return map[string]any{"name": name, "type": "string", "alias": alias}
}

// TestListEditsAreElementWise reproduces issue 10 item 1: adding one field
// and renaming another used to be one replaced /spec/fields value.
func TestListEditsAreElementWise(t *testing.T) {
	recorded := []*resource.Resource{parcelsLayer(fieldSpec("parcel_id", "Parcel ID"), fieldSpec("owner_name", "Owner"))}
	desired := []*resource.Resource{parcelsLayer(fieldSpec("parcel_id", "Parcel ID (APN)"), fieldSpec("situs_address", "Site address"), fieldSpec("owner_name", "Owner"))}
	p := plan.Compute(plan.Input{Environment: "staging", Desired: desired, Recorded: recorded})
	require.Len(t, p.Changes, 1)
	assert.Equal(t, []plan.FieldChange{
		{Path: "/spec/fields/0/alias", Op: plan.OpReplace, Before: "Parcel ID", After: "Parcel ID (APN)",
			Key: map[string]any{"name": "parcel_id"}, DisplayPath: "/spec/fields[name=parcel_id]/alias"},
		{Path: "/spec/fields/1", Op: plan.OpAdd, After: fieldSpec("situs_address", "Site address"),
			Key: map[string]any{"name": "situs_address"}, DisplayPath: "/spec/fields[name=situs_address]"},
	}, p.Changes[0].Changes)
}

// TestStyleLayerMove: a reordered style layer is one move with both
// positions.
func TestStyleLayerMove(t *testing.T) {
	style := func(ids ...string) *resource.Resource {
		layers := make([]any, len(ids))
		for i, id := range ids {
			layers[i] = map[string]any{"id": id, "type": "line"}
		}
		return res("Style", "roads", map[string]any{"layerId": "roads", "style": map[string]any{"version": int64(8), "layers": layers}})
	}
	p := plan.Compute(plan.Input{Environment: "staging", Desired: []*resource.Resource{style("casing", "labels", "fill")}, Recorded: []*resource.Resource{style("fill", "casing", "labels")}})
	require.Len(t, p.Changes, 1)
	assert.Equal(t, []plan.FieldChange{{Path: "/spec/style/layers/2", Op: plan.OpMove, From: "/spec/style/layers/0", Before: int64(0), After: int64(2),
		Key: map[string]any{"id": "fill"}, DisplayPath: "/spec/style/layers[id=fill]"}}, p.Changes[0].Changes)
}

// TestHashWithoutListEditsIsUnchanged pins the hash of an update without
// list edits to its value before lists were diffed element-wise: plans
// that were approved keep their hash.
func TestHashWithoutListEditsIsUnchanged(t *testing.T) {
	fields := []any{fieldSpec("parcel_id", "Parcel ID")}
	before := parcelsLayer(fields...)
	after := parcelsLayer(fields...)
	after.Spec["srid"] = int64(3857)
	after.Spec["description"] = "Tax parcels of the county"
	p := plan.Compute(plan.Input{Environment: "staging", Desired: []*resource.Resource{after, layer("roads", 4326)}, Recorded: []*resource.Resource{before}})
	assert.Equal(t, "0e964445a0b75863d2265c87a8f8f721ecc2cd62fd1cc8ccefe82961dad6886e", p.Hash)
}
