package conformance

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

func devConnection(host, db string) map[string]any {
	return map[string]any{"name": "gis-postgis", "host": host, "port": 5432, "databaseName": db, "username": "honua_reader",
		"password": "from-the-workflow", "sslRequired": false, "sslMode": "prefer"}
}

// The seed's databases: a connection created at run time whose host and
// databaseName match a seeded database can publish its tables.
func TestGen2SeedDatabases(t *testing.T) {
	tbl := emulator.Gen2SeedTable{Schema: "landrecords", Table: "parcels", GeometryColumn: "geom", GeometryType: "MultiPolygon", Srid: 2227,
		PrimaryKey: "parcel_id", Columns: []emulator.Gen2SeedColumn{{Name: "parcel_id", Type: "String", Description: "APN"}}}
	s := start(t, func(o *emulator.Options) {
		seeded(o)
		o.Gen2Seed.Databases = []emulator.Gen2SeedDatabase{
			{Host: "pg.example", DatabaseName: "gis", Tables: []emulator.Gen2SeedTable{tbl}},
			{Host: "*", DatabaseName: "gis_any_host", Tables: []emulator.Gen2SeedTable{tbl}},
		}
	})
	publish := map[string]any{"schema": "landrecords", "table": "parcels", "layerName": "parcels", "serviceName": "land-records"}
	for _, c := range []struct {
		name, host, db string
		status         int
	}{
		{"exact", "PG.example", "GIS", http.StatusCreated},
		{"wrong host", "pg.other", "gis", http.StatusNotFound},
		{"any host", "pg.other", "gis_any_host", http.StatusCreated},
		{"wrong database", "pg.example", "gis_dev", http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := devConnection(c.host, c.db)
			body["name"] = "conn-" + c.name
			created := s.do(http.MethodPost, admin+"/connections", body).dataObj(t, http.StatusCreated)
			p := map[string]any{}
			for k, v := range publish {
				p[k] = v
			}
			p["serviceName"] = "svc-" + c.name
			r := s.do(http.MethodPost, admin+"/connections/"+created["connectionId"].(string)+"/layers", p)
			require.Equal(t, c.status, r.status, "body: %s", r.body)
		})
	}
	// The seeded connection keeps its own tables.
	require.Equal(t, http.StatusCreated, s.do(http.MethodPost, admin+"/connections/gis/layers",
		map[string]any{"schema": "public", "table": "parcels", "layerName": "parcels-copy", "serviceName": "x"}).status)
	// A layer published from a seeded database validates against it.
	d := s.do(http.MethodGet, admin+"/metadata/layers/2/validation", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, "valid", d["status"])
}

func TestGen2SeedDatabaseNeedsHostAndName(t *testing.T) {
	_, err := emulator.New(emulator.Options{APIKey: apiKey, Generation: emulator.Generation2,
		Gen2Seed: &emulator.Gen2Seed{Databases: []emulator.Gen2SeedDatabase{{Host: "*"}}}})
	require.ErrorContains(t, err, "databaseName")
}

// seeds/riverton.gen2.json is the seed the example repository
// (examples/honua-config) runs against: its services, no connections, and
// one database holding every table the example's Layers publish, in any
// environment (host and databaseName "*").
func TestGen2RivertonSeed(t *testing.T) {
	sd, err := emulator.LoadGen2Seed("../seeds/riverton.gen2.json")
	require.NoError(t, err)
	assert.Empty(t, sd.Connections)
	assert.Empty(t, sd.Layers)
	require.Len(t, sd.Databases, 1)
	s := start(t, func(o *emulator.Options) { o.Generation = emulator.Generation2; o.Gen2Seed = sd })

	svcs := s.do(http.MethodGet, admin+"/services", nil).data(t, http.StatusOK).([]any)
	var names []string
	for _, sv := range svcs {
		names = append(names, sv.(map[string]any)["serviceName"].(string))
	}
	assert.ElementsMatch(t, []string{"land-records", "permits", "streets"}, names)

	for _, env := range []struct{ host, db string }{
		{"pg-dev.gis.riverton.internal", "gis_dev"}, {"pg-staging.gis.riverton.internal", "gis_staging"}, {"pg-prod.gis.riverton.internal", "gis"},
	} {
		t.Run(env.db, func(t *testing.T) {
			s := start(t, func(o *emulator.Options) { o.Generation = emulator.Generation2; o.Gen2Seed = sd })
			conn := s.do(http.MethodPost, admin+"/connections", devConnection(env.host, env.db)).dataObj(t, http.StatusCreated)["connectionId"].(string)
			for _, l := range []struct{ schema, table, name, service string }{
				{"landrecords", "parcels", "parcels", "land-records"},
				{"planning", "zoning_districts", "zoning-districts", "land-records"},
				{"landrecords", "address_points", "address-points", "land-records"},
				{"qa", "parcel_topology_errors", "parcel-topology-errors", "land-records"},
				{"permits", "building_permits", "building-permits", "permits"},
				{"transportation", "road_centerlines", "road-centerlines", "streets"},
				{"debug", "permit_geocode_misses", "permit-geocode-misses", "default"},
			} {
				d := s.do(http.MethodPost, admin+"/connections/"+conn+"/layers", map[string]any{"schema": l.schema, "table": l.table,
					"layerName": l.name, "serviceName": l.service}).dataObj(t, http.StatusCreated)
				assert.EqualValues(t, 2227, d["srid"], l.name)
				v := s.do(http.MethodGet, admin+"/metadata/layers/"+itoa(d["layerId"])+"/validation", nil).dataObj(t, http.StatusOK)
				assert.Equal(t, "valid", v["status"], l.name)
			}
			// The alias-fallback quirk: a described column shows its description as the alias.
			f := s.do(http.MethodGet, admin+"/metadata/layers/1/fields", nil).dataObj(t, http.StatusOK)
			var alias any
			for _, x := range f["fields"].([]any) {
				if m := x.(map[string]any); m["name"] == "parcel_id" {
					alias = m["alias"]
				}
			}
			assert.Equal(t, "Assessor parcel number (APN)", alias)
		})
	}
}

func itoa(v any) string { return strconv.FormatFloat(v.(float64), 'f', -1, 64) }
