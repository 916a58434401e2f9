package conformance

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

func capability(t *testing.T, doc map[string]any, id string) map[string]any {
	t.Helper()
	for _, c := range doc["capabilities"].([]any) {
		if m := c.(map[string]any); m["id"] == id {
			return m
		}
	}
	t.Fatalf("capability %s missing", id)
	return nil
}

func TestGen2CapabilityManifest(t *testing.T) {
	s := start(t, generation2)

	t.Run("stock server, anonymous", func(t *testing.T) {
		r := s.do(http.MethodGet, gen2Manifest, nil, noAuth)
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
		assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
		doc := r.obj(t)
		assert.Equal(t, "honua.capability_manifest.v1", doc["schemaVersion"])
		env := doc["environment"].(map[string]any)
		assert.Equal(t, "default", env["environmentId"])
		assert.Equal(t, false, env["requested"])
		assert.Equal(t, true, env["available"])
		assert.EqualValues(t, 1, env["revision"])
		assert.Equal(t, emulator.MetadataAPIVersionV2, doc["server"].(map[string]any)["metadataApiVersion"])
		assert.Equal(t, true, capability(t, doc, "package.metadata-v2")["available"])
		rp := capability(t, doc, "package.release-package")
		assert.Equal(t, true, rp["supported"])
		assert.Equal(t, false, rp["available"])
		assert.Equal(t, "insufficient-policy", rp["reasonCode"])
		assert.True(t, jsonbSorted(topKeys(t, r.body)), "keys %v", topKeys(t, r.body))
	})
	t.Run("known environment", func(t *testing.T) {
		doc := s.do(http.MethodGet, gen2Manifest+"?environment=default", nil).obj(t)
		env := doc["environment"].(map[string]any)
		assert.Equal(t, true, env["requested"])
		assert.Equal(t, true, env["available"])
		assert.EqualValues(t, 1, env["revision"])
		assert.NotEmpty(t, env["loadedAt"])
		for _, id := range []string{"package.release-package", "package.gitops-manifest", "gitops.release-manifest", "publication.metadata-release"} {
			assert.Equal(t, true, capability(t, doc, id)["available"], id)
		}
	})
	t.Run("unknown environment", func(t *testing.T) {
		r := s.do(http.MethodGet, gen2Manifest+"?environment=staging", nil)
		require.Equal(t, http.StatusOK, r.status)
		doc := r.obj(t)
		env := doc["environment"].(map[string]any)
		assert.Equal(t, "staging", env["environmentId"])
		assert.Equal(t, false, env["available"])
		assert.Equal(t, "environment-unavailable", env["reasonCode"])
		assert.NotContains(t, env, "revision")
		gm := capability(t, doc, "package.gitops-manifest")
		assert.Equal(t, true, gm["supported"])
		assert.Equal(t, false, gm["available"])
		assert.Equal(t, "environment-unavailable", gm["reasonCode"])
		assert.Equal(t, true, capability(t, doc, "package.metadata-v2")["available"])
	})
	t.Run("invalid identifier", func(t *testing.T) {
		s.do(http.MethodGet, gen2Manifest+"?environment=bad%20env", nil).problem(t, http.StatusBadRequest)
	})
	t.Run("generation 1 has no manifest", func(t *testing.T) {
		start(t).do(http.MethodGet, gen2Manifest, nil).empty(t, http.StatusNotFound)
	})
}

func TestGen2Inventory(t *testing.T) {
	s := start(t, seeded)
	r := s.do(http.MethodGet, gen2Inv, nil)
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	assert.Empty(t, r.header.Get("ETag"), "no route sends ETag headers")
	inv := r.obj(t)
	assert.NotContains(t, inv, "success", "the inventory is bare JSON")
	assert.Equal(t, "default", inv["environment"])
	assert.EqualValues(t, 1, inv["revision"])
	etag, _ := inv["etag"].(string)
	assert.Regexp(t, `^"[0-9a-f]{64}"$`, etag)
	assert.True(t, jsonbSorted(topKeys(t, r.body)), "keys %v", topKeys(t, r.body))
	var ids []string
	for _, e := range inv["entries"].([]any) {
		m := e.(map[string]any)
		ids = append(ids, m["semanticId"].(string))
		for k, v := range m {
			assert.NotNil(t, v, "null member %s is absent", k)
		}
	}
	assert.ElementsMatch(t, []string{"svc.cadastre", "svc.empty", "res.parcels", "pub.cadastre.parcels"}, ids)

	filtered := s.do(http.MethodGet, gen2Inv+"?artifactKind=resource&resourceType=feature-dataset", nil).obj(t)
	require.Len(t, filtered["entries"], 1)
	assert.Equal(t, "res.parcels", filtered["entries"].([]any)[0].(map[string]any)["semanticId"])

	s.do(http.MethodGet, gen2Inv+"?artifactKind=bogus", nil).problem(t, http.StatusBadRequest)
	p := s.do(http.MethodGet, admin+"/metadata/environments/staging/inventory", nil).problem(t, http.StatusNotFound)
	assert.Contains(t, p["detail"], "does not have an active revision")
	s.do(http.MethodGet, gen2Inv, nil, noAuth).problem(t, http.StatusUnauthorized)
}

func TestGen2RevisionsAndLog(t *testing.T) {
	s := start(t, seeded)
	l := s.gen2Log()
	assert.EqualValues(t, 1, l.Revision)
	assert.Empty(t, l.Writes)
	etag1 := l.ETag

	body := map[string]any{"enabledProtocols": []string{"FeatureServer", "OgcFeatures"}}
	s.do(http.MethodPut, admin+"/services/cadastre/protocols", body).data(t, http.StatusOK)
	s.do(http.MethodPut, admin+"/services/cadastre/protocols", body).data(t, http.StatusOK)

	l = s.gen2Log()
	assert.EqualValues(t, 3, l.Revision, "an identical write is still a new revision")
	require.Len(t, l.Writes, 2)
	assert.EqualValues(t, 2, l.Writes[0].Revision)
	assert.Equal(t, "service.protocols", l.Writes[1].Facet)
	assert.Equal(t, "cadastre", l.Writes[1].Target)
	assert.NotEqual(t, etag1, l.ETag)

	inv := s.do(http.MethodGet, gen2Inv, nil).obj(t)
	assert.EqualValues(t, 3, inv["revision"])
	assert.Equal(t, l.ETag, inv["etag"])

	// Reads and rejected writes write nothing.
	s.do(http.MethodGet, admin+"/services/cadastre/settings", nil).data(t, http.StatusOK)
	s.do(http.MethodPut, admin+"/services/cadastre/protocols", map[string]any{"enabledProtocols": []string{}}).failure(t, http.StatusBadRequest)
	s.do(http.MethodPut, admin+"/services/nope/protocols", body).failure(t, http.StatusNotFound)
	assert.EqualValues(t, 3, s.gen2Log().Revision)

	// Connection writes are outside the graph.
	s.do(http.MethodPut, admin+"/connections/"+gen2ConnID, map[string]any{"description": "x"}).data(t, http.StatusOK)
	assert.EqualValues(t, 3, s.gen2Log().Revision)
}

func TestGen2Persistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	withFile := func(o *emulator.Options) { seeded(o); o.StateFile = path }
	s := start(t, withFile)
	s.do(http.MethodPut, admin+"/services/cadastre/access-policy", map[string]any{"allowAnonymous": false}).data(t, http.StatusOK)
	before := s.gen2Log()
	require.NoError(t, s.run.Close())

	// The seed is ignored once the state file exists.
	s2 := start(t, withFile)
	after := s2.gen2Log()
	assert.Equal(t, before.Revision, after.Revision)
	assert.Equal(t, before.ETag, after.ETag)
	assert.Len(t, after.Writes, 1)
	st := s2.do(http.MethodGet, admin+"/services/cadastre/settings", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, false, st["accessPolicy"].(map[string]any)["allowAnonymous"])

	// A Generation 1 server refuses the Generation 2 file.
	_, err := emulator.New(emulator.Options{APIKey: apiKey, StateFile: path})
	assert.Error(t, err)
}

func TestGen2WriteFaults(t *testing.T) {
	body := map[string]any{"enabledProtocols": []string{"FeatureServer"}}
	for _, tt := range []struct {
		when emulator.FaultTiming
		rev  int64
	}{{emulator.FaultBefore, 1}, {emulator.FaultAfter, 2}} {
		t.Run(string(tt.when), func(t *testing.T) {
			s := start(t, seeded, faults(emulator.Faults{FailNthWrite: 1, When: tt.when}))
			r := s.do(http.MethodPut, admin+"/services/cadastre/protocols", body)
			r.problem(t, http.StatusInternalServerError)
			assert.Equal(t, "fail-nth-write", r.header.Get("X-Honua-Emulator-Fault"))
			assert.Equal(t, tt.rev, s.gen2Log().Revision)
			s.do(http.MethodPut, admin+"/services/cadastre/protocols", body).data(t, http.StatusOK)
		})
	}
}
