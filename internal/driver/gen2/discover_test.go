package gen2_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/driver/gen2"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/resource"
)

func TestDiscoverThenPlanIsEmpty(t *testing.T) {
	ctx := context.Background()
	desired := exampleDesired(t, "staging")
	seed := seedFor(t, desired)
	// A layer someone removed from git: disabled on the server.
	conn := &seed.Connections[0]
	conn.Password = "seeded-database-password"
	conn.Tables = append(conn.Tables, emulator.Gen2SeedTable{Schema: "public", Table: "retired_parcels", GeometryColumn: "geom",
		GeometryType: "MultiPolygon", Srid: 4326, PrimaryKey: "id", Columns: []emulator.Gen2SeedColumn{{Name: "id", Type: "Integer"}}})
	off := false
	seed.Layers = append(seed.Layers, emulator.Gen2SeedLayer{LayerID: 900, Connection: conn.Name, ServiceName: seed.Services[0].Name,
		LayerName: "retired-parcels", Schema: "public", Table: "retired_parcels", Enabled: &off})
	// An enabled layer whose relationship points at the disabled one.
	conn.Tables = append(conn.Tables, emulator.Gen2SeedTable{Schema: "public", Table: "parcel_notes", PrimaryKey: "id",
		Columns: []emulator.Gen2SeedColumn{{Name: "id", Type: "Integer"}, {Name: "parcel_id", Type: "String"}}})
	seed.Layers = append(seed.Layers, emulator.Gen2SeedLayer{LayerID: 901, Connection: conn.Name, ServiceName: seed.Services[0].Name,
		LayerName: "parcel-notes", Schema: "public", Table: "parcel_notes"})
	tg := start(t, seed)
	put(t, tg, "/api/v1/admin/metadata/layers/901/relationships",
		`{"relationships":[{"id":"retired","name":"retired","relatedLayerId":900,"cardinality":"one-to-one","originField":"parcel_id","destinationField":"id"}]}`)

	out, err := apply.Run(ctx, tg.driver(t), request("staging", desired, nil))
	require.NoError(t, err)
	for _, r := range out.Results {
		require.Equal(t, apply.Applied, r.Status, "%s/%s: %s", r.Kind, r.Name, r.Message)
	}

	rev, writes := tg.revision(t)
	d, ok := tg.driver(t).(*gen2.Driver)
	require.True(t, ok)
	found, skipped, err := d.Discover(ctx)
	require.NoError(t, err)
	rev2, writes2 := tg.revision(t)
	assert.Equal(t, rev, rev2, "discover writes nothing")
	assert.Equal(t, writes, writes2)

	kinds := map[string]int{}
	for _, r := range found {
		kinds[r.Kind]++
		assert.Equal(t, "honua.io/v1alpha1", r.APIVersion)
		assert.Equal(t, "default", r.Metadata.Namespace)
		for _, k := range resource.LookupKind(r.Kind).RequiredSpec {
			assert.Contains(t, r.Spec, k, "%s: required spec.%s", r.ID(), k)
		}
	}
	if testing.Verbose() {
		for _, r := range found {
			b, _ := json.Marshal(r.Spec)
			t.Logf("%s %s", r.ID(), b)
		}
	}
	t.Logf("discovered %d resources %v; skipped %d: %s", len(found), kinds, len(skipped), strings.Join(skipped, "; "))
	// The example's staging environment, less what Generation 2 cannot
	// hold (themes, map templates).
	for _, kind := range []string{"Service", "Connection", "Layer", "Style", "Relationship"} {
		want := 0
		for _, r := range desired {
			if r.Kind == kind && (kind != "Style" || r.Spec["isDefault"] == true) {
				want++
			}
		}
		if kind == "Layer" {
			want++ // parcel-notes
		}
		assert.Equal(t, want, kinds[kind], kind)
	}
	assert.True(t, strings.Contains(strings.Join(skipped, "\n"), "skipped: layer retired-parcels"), "%v", skipped)
	assert.Contains(t, strings.Join(skipped, "\n"), "disabled (a layer removed from git is disabled on Generation 2)")
	assert.Contains(t, skipped, "skipped: relationship retired of layer parcel-notes because its related layer id 900 is not an enabled published layer")
	for _, r := range found {
		switch r.ID().String() {
		case "Service/default/land-records":
			assert.Equal(t, int64(2227), r.Spec["srid"], "the srid its enabled layers share")
		case "Layer/default/parcel-notes":
			assert.Equal(t, "", r.Spec["geometryType"], "non-spatial: as the server lists it")
			assert.Equal(t, int64(0), r.Spec["srid"])
		}
	}

	raw, err := json.Marshal(found)
	require.NoError(t, err)
	for _, secret := range []string{"dev-database-password", "seeded-database-password", "old/reference"} {
		assert.NotContains(t, string(raw), secret)
	}
	for _, r := range found {
		if r.Kind == "Connection" {
			for _, k := range []string{"password", "secretReference", "secretType"} {
				assert.NotContains(t, r.Spec, k)
			}
		}
	}

	// Import then plan is empty: from the record the import writes, nothing
	// changes and nothing drifted.
	again, err := apply.Run(ctx, tg.driver(t), apply.Request{Environment: "staging", Desired: found, Recorded: found, Verify: true, Secrets: secrets})
	require.NoError(t, err)
	assert.Empty(t, again.Results)
	assert.Empty(t, again.Drift)
	assert.Empty(t, again.Problems)

	// Adopting everything (nothing recorded) sends no write.
	adopt, err := apply.Run(ctx, tg.driver(t), apply.Request{Environment: "staging", Desired: found, Verify: true, Secrets: secrets})
	require.NoError(t, err)
	for _, r := range adopt.Results {
		assert.Equal(t, apply.Applied, r.Status, "%s/%s: %s", r.Kind, r.Name, r.Message)
		assert.Zero(t, r.Attempts, "%s/%s: %s", r.Kind, r.Name, r.Message)
	}
	rev3, writes3 := tg.revision(t)
	assert.Equal(t, rev, rev3, "adopting what was discovered created no graph revision")
	assert.Equal(t, writes, writes3, "adopting what was discovered sent no write")
	t.Logf("adopt: %d results, revision %d, writes %d", len(adopt.Results), rev3, writes3)

	// A second discover is the same.
	d2 := tg.driver(t).(*gen2.Driver)
	found2, skipped2, err := d2.Discover(ctx)
	require.NoError(t, err)
	assert.Equal(t, found, found2)
	assert.Equal(t, skipped, skipped2)
}
