package gen2_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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
			assert.Equal(t, "none", r.Spec["geometryType"], "non-spatial: the repository's documented value")
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

// discoverOnly starts an emulator holding seed and discovers it.
func discoverOnly(t *testing.T, seed *emulator.Gen2Seed) (*target, []*resource.Resource, []string) {
	t.Helper()
	tg := start(t, seed)
	d, ok := tg.driver(t).(*gen2.Driver)
	require.True(t, ok)
	found, skipped, err := d.Discover(context.Background())
	require.NoError(t, err)
	return tg, found, skipped
}

func byID(found []*resource.Resource) map[string]*resource.Resource {
	out := map[string]*resource.Resource{}
	for _, r := range found {
		out[r.ID().String()] = r
	}
	return out
}

// noteTable is a table without geometry.
var noteTable = emulator.Gen2SeedTable{Schema: "public", Table: "notes", PrimaryKey: "id",
	Columns: []emulator.Gen2SeedColumn{{Name: "id", Type: "Integer"}, {Name: "body", Type: "String"}}}

func TestDiscoverNonSpatialTableIsGeometryTypeNone(t *testing.T) {
	ctx := context.Background()
	conn := emulator.Gen2SeedConnection{Name: "gis", Host: "db", DatabaseName: "gis", Username: "u", Password: "p",
		Tables: []emulator.Gen2SeedTable{noteTable}}
	seed := &emulator.Gen2Seed{Services: []emulator.Gen2SeedService{{Name: "records", EnabledProtocols: []string{"FeatureServer"}}},
		Connections: []emulator.Gen2SeedConnection{conn},
		Layers:      []emulator.Gen2SeedLayer{{LayerID: 7, Connection: "gis", ServiceName: "records", LayerName: "notes", Table: "notes"}}}
	tg, found, _ := discoverOnly(t, seed)
	l := byID(found)["Layer/default/notes"]
	require.NotNil(t, l)
	assert.Equal(t, "none", l.Spec["geometryType"])
	assert.Equal(t, int64(0), l.Spec["srid"])

	// Import then plan is empty: the live read of the layer is "none" too.
	again, err := apply.Run(ctx, tg.driver(t), apply.Request{Environment: "x", Desired: found, Recorded: found, Verify: true, Secrets: secrets})
	require.NoError(t, err)
	assert.Empty(t, again.Results)
	assert.Empty(t, again.Drift)
	assert.Empty(t, again.Problems)
}

func TestPublishNonSpatialLayerSendsNoGeometryType(t *testing.T) {
	ctx := context.Background()
	for _, geom := range []string{"none", "None"} {
		t.Run(geom, func(t *testing.T) {
			conn := emulator.Gen2SeedConnection{Name: "gis", Host: "db", DatabaseName: "gis", Username: "u", Password: "p",
				Tables: []emulator.Gen2SeedTable{noteTable}}
			tg := start(t, &emulator.Gen2Seed{Connections: []emulator.Gen2SeedConnection{conn}})
			layer := &resource.Resource{APIVersion: "honua.io/v1alpha1", Kind: "Layer", Metadata: resource.Metadata{Name: "notes", Namespace: "default"},
				Spec: map[string]any{"serviceId": "records", "connectionId": "gis", "schemaName": "public", "tableName": "notes",
					"geometryType": geom, "srid": int64(0), "primaryKey": "id"}}
			desired := []*resource.Resource{layer}
			out, err := apply.Run(ctx, tg.driver(t), apply.Request{Environment: "x", Desired: desired, Verify: true, Secrets: secrets})
			require.NoError(t, err)
			for _, r := range out.Results {
				require.Equal(t, apply.Applied, r.Status, "%s/%s: %s", r.Kind, r.Name, r.Message)
			}
			d, ok := tg.driver(t).(*gen2.Driver)
			require.True(t, ok)
			found, _, err := d.Discover(ctx)
			require.NoError(t, err)
			l := byID(found)["Layer/default/notes"]
			require.NotNil(t, l)
			assert.Equal(t, "none", l.Spec["geometryType"], "the server holds no geometry type")
			var listed struct {
				Data []map[string]any `json:"data"`
			}
			raw := call(t, tg, http.MethodGet, "/api/v1/admin/connections/"+connectionIDOf(t, tg)+"/layers?serviceName=records", "")
			require.NoError(t, json.Unmarshal(raw, &listed))
			require.Len(t, listed.Data, 1)
			assert.NotContains(t, listed.Data[0], "geometryType", "\"none\" is never sent to the server: it lists no geometry type")

			// And the next plan is empty.
			again, err := apply.Run(ctx, tg.driver(t), apply.Request{Environment: "x", Desired: desired, Recorded: desired, Verify: true, Secrets: secrets})
			require.NoError(t, err)
			assert.Empty(t, again.Results)
			assert.Empty(t, again.Drift)
		})
	}
}

func TestDiscoverConnectionSecretReferences(t *testing.T) {
	base := func(name, ref string) emulator.Gen2SeedConnection {
		return emulator.Gen2SeedConnection{Name: name, Host: "db", DatabaseName: "gis", Username: "u", SecretReference: ref, SecretType: "password"}
	}
	seed := &emulator.Gen2Seed{Connections: []emulator.Gen2SeedConnection{
		base("aws", "aws-sm://prod/gis-db"), base("vault", "vault://secret/data/gis#password"), base("env", "env://GIS_DB"),
		{Name: "managed", Host: "db", DatabaseName: "gis", Username: "u", Password: "a-database-password"},
	}}
	_, found, skipped := discoverOnly(t, seed)
	got := byID(found)
	require.Len(t, got, 4)
	assert.Equal(t, "aws-sm://prod/gis-db", got["Connection/default/aws"].Spec["secretReference"])
	assert.Equal(t, "aws", got["Connection/default/aws"].Spec["secretType"])
	assert.Equal(t, "vault://secret/data/gis#password", got["Connection/default/vault"].Spec["secretReference"])
	assert.Equal(t, "vault", got["Connection/default/vault"].Spec["secretType"])
	for _, name := range []string{"env", "managed"} {
		for _, k := range []string{"secretReference", "secretType", "password"} {
			assert.NotContains(t, got["Connection/default/"+name].Spec, k, name)
		}
	}
	assert.Contains(t, skipped, `skipped: the secret reference of connection env because its scheme "env://" is neither aws-sm:// nor vault:// (secretType cannot be inferred: set secretReference and secretType by hand)`)
	raw, err := json.Marshal(found)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "a-database-password")
	assert.NotContains(t, string(raw), "env://GIS_DB")
}

func TestDiscoverSkipsRetiredAndArchivedLayers(t *testing.T) {
	conn := emulator.Gen2SeedConnection{Name: "gis", Host: "db", DatabaseName: "gis", Username: "u", Password: "p"}
	var layers []emulator.Gen2SeedLayer
	for i, lc := range []string{"", "active", "deprecated", "retired", "archived", "Retired"} {
		tb := noteTable
		tb.Table = fmt.Sprintf("t%d", i)
		conn.Tables = append(conn.Tables, tb)
		layers = append(layers, emulator.Gen2SeedLayer{LayerID: 10 + i, Connection: "gis", ServiceName: "records",
			LayerName: fmt.Sprintf("layer-%d", i), Table: tb.Table, Lifecycle: lc})
	}
	seed := &emulator.Gen2Seed{Connections: []emulator.Gen2SeedConnection{conn}, Layers: layers}
	_, found, skipped := discoverOnly(t, seed)
	got := byID(found)
	for _, name := range []string{"layer-0", "layer-1", "layer-2"} {
		assert.Contains(t, got, "Layer/default/"+name)
	}
	for _, name := range []string{"layer-3", "layer-4", "layer-5"} {
		assert.NotContains(t, got, "Layer/default/"+name)
	}
	assert.Contains(t, skipped, "skipped: layer layer-3 (service records, id 13) because it is retired")
	assert.Contains(t, skipped, "skipped: layer layer-4 (service records, id 14) because it is archived")
	assert.Contains(t, skipped, "skipped: layer layer-5 (service records, id 15) because it is retired")
}
