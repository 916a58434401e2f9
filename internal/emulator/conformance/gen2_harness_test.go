package conformance

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

const (
	gen2ConnID   = "5f0c7c1e-3a52-4c44-9c39-1d2b1c7f0a01"
	gen2LogPath  = "/__emulator/gen2/log"
	gen2Manifest = "/api/v1/capabilities/manifest"
	gen2Inv      = admin + "/metadata/environments/default/inventory"
)

// gen2Seed is a small Generation 2 graph: one service with a published
// parcels layer on a secret-referenced connection, and a second, empty
// service.
func gen2Seed() *emulator.Gen2Seed {
	return &emulator.Gen2Seed{
		Services: []emulator.Gen2SeedService{
			{Name: "cadastre", Description: "Land parcels", EnabledProtocols: []string{"FeatureServer", "OgcFeatures"},
				AccessPolicy: emulator.Gen2AccessPolicy{AllowAnonymous: true, AllowedRoles: []string{"viewer"}}},
			{Name: "empty"},
		},
		Connections: []emulator.Gen2SeedConnection{{
			ConnectionID: gen2ConnID, Name: "gis", Host: "db", DatabaseName: "gis", Username: "honua",
			SslMode: "require", SecretReference: "env://GIS_DB", SecretType: "environment",
			Tables: []emulator.Gen2SeedTable{{Schema: "public", Table: "parcels", GeometryColumn: "geom", GeometryType: "Polygon", Srid: 4326,
				PrimaryKey: "id", Columns: []emulator.Gen2SeedColumn{{Name: "id", Type: "Integer"}, {Name: "apn", Type: "String"}}}},
		}},
		Layers: []emulator.Gen2SeedLayer{{LayerID: 1, Connection: "gis", ServiceName: "cadastre", LayerName: "parcels", Schema: "public", Table: "parcels"}},
	}
}

func seeded(o *emulator.Options) {
	o.Generation = emulator.Generation2
	o.Gen2Seed = gen2Seed()
}

// gen2Log is the test-only write log.
type gen2Log struct {
	Environment string `json:"environment"`
	Revision    int64  `json:"revision"`
	ETag        string `json:"etag"`
	Writes      []struct {
		Revision int64  `json:"revision"`
		Method   string `json:"method"`
		Path     string `json:"path"`
		Facet    string `json:"facet"`
		Target   string `json:"target"`
	} `json:"writes"`
}

func (s *server) gen2Log() gen2Log {
	s.t.Helper()
	r := s.do(http.MethodGet, gen2LogPath, nil, noAuth)
	require.Equal(s.t, http.StatusOK, r.status, "body: %s", r.body)
	var l gen2Log
	require.NoError(s.t, json.Unmarshal(r.body, &l))
	return l
}

// topKeys returns an object's keys in wire order.
func topKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var out []string
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		out = append(out, k.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return out
}

// jsonbSorted reports whether keys are in JSONB order (length, then bytes).
func jsonbSorted(ks []string) bool {
	for i := 1; i < len(ks); i++ {
		a, b := ks[i-1], ks[i]
		if len(a) > len(b) || (len(a) == len(b) && a > b) {
			return false
		}
	}
	return true
}

// envData returns the raw data member of an envelope.
func envData(t *testing.T, r response) []byte {
	t.Helper()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(r.body, &env))
	return env.Data
}
