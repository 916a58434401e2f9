package apply_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/emulator"
)

// startGen2 starts a Generation 2 emulator seeded as the example
// repository expects: its services and its database's tables.
func startGen2(t *testing.T) *emulator.Running {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	seed, err := emulator.LoadGen2Seed(filepath.Join(filepath.Dir(file), "..", "..", "emulator", "seeds", "riverton.gen2.json"))
	require.NoError(t, err)
	run, err := emulator.Start(context.Background(), emulator.Options{APIKey: key, Generation: emulator.Generation2, Gen2Seed: seed})
	require.NoError(t, err)
	t.Cleanup(func() { _ = run.Close() })
	return run
}

// gen2Get reads a Generation 2 admin route's data.
func gen2Get(t *testing.T, url, path string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+path, nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))
	require.NoError(t, json.Unmarshal(raw, &struct {
		Data any `json:"data"`
	}{Data: v}))
}

// parcelsAlias is the live alias of a field of the parcels layer.
func parcelsAlias(t *testing.T, url, field string) string {
	t.Helper()
	var conns []struct {
		ConnectionID string `json:"connectionId"`
	}
	gen2Get(t, url, "/api/v1/admin/connections", &conns)
	require.NotEmpty(t, conns)
	var layers []struct {
		LayerID   int    `json:"layerId"`
		LayerName string `json:"layerName"`
	}
	gen2Get(t, url, "/api/v1/admin/connections/"+conns[0].ConnectionID+"/layers?serviceName=land-records", &layers)
	for _, l := range layers {
		if l.LayerName != "parcels" {
			continue
		}
		var facet struct {
			Fields []struct {
				Name  string `json:"name"`
				Alias string `json:"alias"`
			} `json:"fields"`
		}
		gen2Get(t, url, "/api/v1/admin/metadata/layers/"+strconv.Itoa(l.LayerID)+"/fields", &facet)
		for _, f := range facet.Fields {
			if f.Name == field {
				return f.Alias
			}
		}
	}
	t.Fatalf("no field %s on parcels", field)
	return ""
}

// The whole loop on a Generation 2 server, through the CLI: apply (publish,
// adopt), a second apply that writes nothing, an alias edit, rollback, and
// a change the server cannot make refused before any write.
func TestGeneration2Loop(t *testing.T) {
	run := startGen2(t)
	dir, _ := setup(t)
	url := run.URL

	first := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	require.Equal(t, app.ExitOK, first.Code, first.Stdout+first.Stderr)
	assert.Contains(t, first.Stdout, "Generation 2, metadata environment default")
	assert.Equal(t, 1, strings.Count(first.Stdout, "Theme/city/riverton: Theme has no Generation 2 surface"), first.Stdout)
	assert.Contains(t, first.Stdout, "published")
	list := deployments(t, dir, "staging")
	require.Len(t, list, 1)
	assert.Equal(t, "Generation 2", list[0].Generation())

	// A plan that reads no server (a pull request's) names the generation
	// the last deployment recorded, and what that server cannot hold.
	editAndCommit(t, dir, "environments/common/theme.yaml", "fontFamily: Source Sans 3", "fontFamily: Inter")
	pr := cmdtest.Run(t, env, "plan", "--env", "staging", "--dir", dir)
	require.Equal(t, app.ExitOK, pr.Code, pr.Stdout+pr.Stderr)
	assert.Contains(t, pr.Stdout, "Targets as last deployed ("+list[0].ID+"): "+url+" (Generation 2).")
	assert.Contains(t, pr.Stdout, url+" (Generation 2): Theme/city/riverton: Theme has no Generation 2 surface")
	applyOK(t, dir, "--target", url)

	rev := run.Server.Gen2Log().Revision
	again := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	require.Equal(t, app.ExitOK, again.Code, again.Stdout+again.Stderr)
	assert.Contains(t, again.Stdout, "Nothing to deploy")
	assert.Contains(t, again.Stdout, "No drift")
	assert.Equal(t, rev, run.Server.Gen2Log().Revision, "the second apply wrote nothing")

	editAndCommit(t, dir, "environments/common/layers/planning.yaml", "alias: Owner}", "alias: Owner of record}")
	applyOK(t, dir, "--target", url)
	assert.Equal(t, "Owner of record", parcelsAlias(t, url, "owner_name"))

	back := cmdtest.Run(t, env, "rollback", "--env", "staging", "--steps", "1", "--dir", dir, "--target", url, "--yes")
	require.Equal(t, app.ExitOK, back.Code, back.Stdout+back.Stderr)
	assert.Equal(t, "Owner", parcelsAlias(t, url, "owner_name"))

	editAndCommit(t, dir, "environments/common/layers/planning.yaml", "geometryType: Point\n  srid: ${STORAGE_SRID}\n  primaryKey: address_id", "geometryType: MultiPoint\n  srid: ${STORAGE_SRID}\n  primaryKey: address_id")
	rev = run.Server.Gen2Log().Revision
	blocked := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitRefused, blocked.Code, blocked.Stdout+blocked.Stderr)
	assert.Contains(t, blocked.Stderr, "Layer/planning/address-points: spec.geometryType cannot change after the layer is published")
	assert.Contains(t, blocked.Stderr, "nothing was claimed or recorded")
	assert.Equal(t, rev, run.Server.Gen2Log().Revision)
}

// A facet git does not own (the parcels layer's popup info) changed by hand
// is a note in drift: not drift, not counted by --detailed-exitcode, and
// never written by apply.
func TestGeneration2UnownedFacetIsANoteNotDrift(t *testing.T) {
	run := startGen2(t)
	dir, _ := setup(t)
	url := run.URL
	applyOK(t, dir, "--target", url)

	var conns []struct {
		ConnectionID string `json:"connectionId"`
	}
	gen2Get(t, url, "/api/v1/admin/connections", &conns)
	var layers []struct {
		LayerID   int    `json:"layerId"`
		LayerName string `json:"layerName"`
	}
	gen2Get(t, url, "/api/v1/admin/connections/"+conns[0].ConnectionID+"/layers?serviceName=land-records", &layers)
	id := -1
	for _, l := range layers {
		if l.LayerName == "parcels" {
			id = l.LayerID
		}
	}
	require.GreaterOrEqual(t, id, 0)
	req, err := http.NewRequest(http.MethodPut, url+"/api/v1/admin/metadata/layers/"+strconv.Itoa(id)+"/popup-info", strings.NewReader(`{"title":"{situs_address}"}`))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	d := cmdtest.Run(t, env, "drift", "--env", "staging", "--dir", dir, "--target", url, "--detailed-exitcode")
	require.Equal(t, app.ExitOK, d.Code, d.Stdout+d.Stderr)
	assert.Contains(t, d.Stdout, "No drift")
	assert.Contains(t, d.Stdout, "note: Layer/planning/parcels: popup-info changed on the server since deployment")
	assert.Contains(t, d.Stdout, "git does not own it, so it is not drift and is never written")

	rev := run.Server.Gen2Log().Revision
	again := cmdtest.Run(t, env, "apply", "--env", "staging", "--dir", dir, "--target", url)
	require.Equal(t, app.ExitOK, again.Code, again.Stdout+again.Stderr)
	assert.Equal(t, rev, run.Server.Gen2Log().Revision, "an unowned facet is never written")
}
