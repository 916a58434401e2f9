package contract

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/honua"
)

// The Generation 2 suite (gen2_*_test.go) runs every check against the
// seeded Generation 2 emulator and, when HONUA_URL/HONUA_API_KEY name a
// Generation 2 server, against that server: read-only checks always,
// writes only with HONUA_CONTRACT_WRITES=1 (see doc.go).

// Seed identities of the Generation 2 emulator.
const (
	gen2ConnID  = "5f0c7c1e-3a52-4c44-9c39-1d2b1c7f0a01"
	gen2Service = "cadastre"
	gen2Parcels = int64(1)
	gen2Owners  = int64(2)
)

// gen2Seed is the contract graph: service cadastre with two published
// layers (parcels, owners) on connection gis, an unpublished table roads,
// and column descriptions for the alias fallback.
func gen2Seed() *emulator.Gen2Seed {
	return &emulator.Gen2Seed{
		Services: []emulator.Gen2SeedService{{Name: gen2Service, Description: "Land parcels",
			EnabledProtocols: []string{"FeatureServer", "OgcFeatures"},
			AccessPolicy:     emulator.Gen2AccessPolicy{AllowAnonymous: true, AllowedRoles: []string{"viewer"}}}},
		Connections: []emulator.Gen2SeedConnection{{
			ConnectionID: gen2ConnID, Name: "gis", Host: "db", Port: 5432, DatabaseName: "gis", Username: "honua",
			Provider: "postgresql", SslMode: "require", SecretReference: "env://GIS_DB", SecretType: "environment",
			Tables: []emulator.Gen2SeedTable{
				{Schema: "public", Table: "parcels", GeometryColumn: "geom", GeometryType: "Polygon", Srid: 4326, PrimaryKey: "id",
					Columns: []emulator.Gen2SeedColumn{{Name: "id", Type: "Integer"}, {Name: "apn", Type: "String", Description: "Parcel number"},
						{Name: "owner_id", Type: "Integer"}}},
				{Schema: "public", Table: "owners", GeometryColumn: "geom", GeometryType: "Point", Srid: 4326, PrimaryKey: "id",
					Columns: []emulator.Gen2SeedColumn{{Name: "id", Type: "Integer"}, {Name: "name", Type: "String"}}},
				{Schema: "public", Table: "roads", GeometryColumn: "geom", GeometryType: "LineString", Srid: 4326, PrimaryKey: "id",
					Columns: []emulator.Gen2SeedColumn{{Name: "id", Type: "Integer"}, {Name: "label", Type: "String"}}},
			},
		}},
		Layers: []emulator.Gen2SeedLayer{
			{LayerID: int(gen2Parcels), Connection: "gis", ServiceName: gen2Service, LayerName: "parcels", Schema: "public", Table: "parcels"},
			{LayerID: int(gen2Owners), Connection: "gis", ServiceName: gen2Service, LayerName: "owners", Schema: "public", Table: "owners"},
		},
	}
}

// gen2Target is one Generation 2 server for the running test.
type gen2Target struct {
	name string
	// emulated is true for the in-process emulator.
	emulated bool
	// writes is true when the test may write: always on the emulator, on a
	// real server only with HONUA_CONTRACT_WRITES=1.
	writes bool
	url    string
	key    string
	auth   honua.AuthType
	caFile string
	client *honua.Client
	// run is the emulator, nil for a real server.
	run *emulator.Running
}

func (tg *gen2Target) newClient(t *testing.T) *honua.Client {
	t.Helper()
	c, err := honua.New(honua.Config{BaseURL: tg.url, Credential: tg.key, Auth: tg.auth, CAFile: tg.caFile,
		Timeout: 30 * time.Second, UserAgent: "honua-gitops-contract"})
	require.NoError(t, err)
	return c
}

// startGen2 starts a seeded Generation 2 emulator.
func startGen2(t *testing.T, faults emulator.Faults) *gen2Target {
	t.Helper()
	run, err := emulator.Start(t.Context(), emulator.Options{APIKey: emulatorKey, Generation: emulator.Generation2,
		Gen2Seed: gen2Seed(), Faults: faults})
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	tg := &gen2Target{name: "emulator generation 2", emulated: true, writes: true, url: run.URL, key: emulatorKey, run: run}
	tg.client = tg.newClient(t)
	return tg
}

func openRealGen2(t *testing.T) *gen2Target {
	t.Helper()
	url, key := os.Getenv("HONUA_URL"), os.Getenv("HONUA_API_KEY")
	if url == "" || key == "" {
		t.Skip("HONUA_URL and HONUA_API_KEY are not set: skipping the real-server run")
	}
	tg := &gen2Target{name: "real server", url: url, key: key, auth: honua.AuthType(os.Getenv("HONUA_AUTH")),
		caFile: os.Getenv("HONUA_CA_FILE"), writes: os.Getenv("HONUA_CONTRACT_WRITES") == "1"}
	tg.client = tg.newClient(t)
	realGen2Once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		realGen2Caps, realGen2Err = tg.client.Capabilities(ctx)
	})
	require.NoError(t, realGen2Err, "the real server's capabilities")
	if realGen2Caps.Generation != honua.Generation2 {
		t.Skipf("the server at HONUA_URL speaks %s (server version %q): the Generation 2 suite covers Generation 2 only; skipping the real-server run",
			realGen2Caps.Generation, realGen2Caps.ServerVersion)
	}
	return tg
}

var (
	realGen2Once sync.Once
	realGen2Caps *honua.Capabilities
	realGen2Err  error
)

// eachGen2 runs fn against the seeded Generation 2 emulator and, when
// configured, a real Generation 2 server.
func eachGen2(t *testing.T, fn func(t *testing.T, tg *gen2Target)) {
	t.Helper()
	for _, spec := range []struct {
		name string
		open func(t *testing.T) *gen2Target
	}{
		{"emulator generation 2", func(t *testing.T) *gen2Target { return startGen2(t, emulator.Faults{}) }},
		{"real server", openRealGen2},
	} {
		t.Run(spec.name, func(t *testing.T) {
			t.Parallel()
			fn(t, spec.open(t))
		})
	}
}

// writesAllowed skips a real server unless HONUA_CONTRACT_WRITES=1.
func (tg *gen2Target) writesAllowed(t *testing.T) {
	t.Helper()
	if !tg.writes {
		t.Skip("writes to a real server need HONUA_CONTRACT_WRITES=1 (even an identical write creates a graph revision)")
	}
}

// rawAnswer is an HTTP answer read without the client, for what the
// client's types hide (member names, headers, key order).
type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

// raw sends a request with the target's credential, bypassing the client.
func (tg *gen2Target) raw(t *testing.T, method, path string, body io.Reader) rawAnswer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, tg.url+path, body)
	require.NoError(t, err)
	if tg.auth == honua.AuthBearer {
		req.Header.Set("Authorization", "Bearer "+tg.key)
	} else {
		req.Header.Set("X-API-Key", tg.key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	if tg.caFile != "" {
		pem, err := os.ReadFile(tg.caFile)
		require.NoError(t, err)
		pool := x509.NewCertPool()
		require.True(t, pool.AppendCertsFromPEM(pem), "HONUA_CA_FILE holds no certificate")
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	resp, err := hc.Do(req)
	require.NoError(t, err, "%s %s", method, path)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return rawAnswer{status: resp.StatusCode, header: resp.Header, body: b}
}

// rawData reads an envelope's data (or a bare body) as generic JSON.
func (tg *gen2Target) rawData(t *testing.T, path string) (any, rawAnswer) {
	t.Helper()
	a := tg.raw(t, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, a.status, "GET %s: %s", path, a.body)
	var v any
	require.NoError(t, json.Unmarshal(a.body, &v), "GET %s", path)
	if env, ok := v.(map[string]any); ok {
		if d, ok := env["data"]; ok {
			if _, ok := env["success"]; ok {
				return d, a
			}
		}
	}
	return v, a
}

// gen2Log reads the emulator's test-only write log.
func (tg *gen2Target) gen2Log(t *testing.T) emulator.Gen2Log {
	t.Helper()
	a := tg.raw(t, http.MethodGet, "/__emulator/gen2/log", nil)
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	var l emulator.Gen2Log
	require.NoError(t, json.Unmarshal(a.body, &l))
	return l
}

// revision is the graph's current revision as the inventory reports it.
func (tg *gen2Target) revision(t *testing.T) int64 {
	t.Helper()
	env, err := tg.client.Gen2Environment(t.Context())
	require.NoError(t, err)
	inv, err := tg.client.Gen2Inventory(t.Context(), env)
	require.NoError(t, err)
	return inv.Revision
}

// apiError returns the *honua.APIError in err's chain.
func apiError(t *testing.T, err error) *honua.APIError {
	t.Helper()
	require.Error(t, err)
	var ae *honua.APIError
	require.ErrorAs(t, err, &ae)
	return ae
}

// firstLayer is the first published layer found on the target: its
// connection, service and summary; ok is false when there is none.
type foundLayer struct {
	connection string
	service    string
	layer      honua.Gen2Layer
}

func (tg *gen2Target) firstLayer(t *testing.T) (foundLayer, bool) {
	t.Helper()
	conns, err := tg.client.Gen2Connections(t.Context())
	require.NoError(t, err)
	for _, svc := range tg.serviceNames(t) {
		for _, c := range conns {
			ls, err := tg.client.Gen2Layers(t.Context(), c.ConnectionID, svc)
			if honua.IsNotFound(err) {
				continue
			}
			require.NoError(t, err)
			if len(ls) > 0 {
				return foundLayer{connection: c.ConnectionID, service: svc, layer: ls[0]}, true
			}
		}
	}
	return foundLayer{}, false
}

// serviceNames lists the services (GET /api/v1/admin/services; the client
// has no method for it).
func (tg *gen2Target) serviceNames(t *testing.T) []string {
	t.Helper()
	d, _ := tg.rawData(t, "/api/v1/admin/services")
	list, ok := d.([]any)
	require.True(t, ok, "the services list is an array: %v", d)
	var out []string
	for _, e := range list {
		m, ok := e.(map[string]any)
		require.True(t, ok)
		name, _ := m["serviceName"].(string)
		require.NotEmpty(t, name, "every service has a serviceName: %v", m)
		out = append(out, name)
	}
	return out
}
