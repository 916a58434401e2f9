package conformance

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

const (
	releasePkgs = admin + "/metadata/release-packages"
	prevalidate = admin + "/metadata/prevalidate"
	bindingsQ   = admin + "/metadata/environment-bindings/query"
)

// honua-gen2-metadata-v2.md §2 and §5: release packages, gitops-manifest,
// prevalidate and the bindings query. None of them writes the graph.
func TestGen2ReleasePackages(t *testing.T) {
	s := start(t, seeded)
	req := map[string]any{"title": "Promote parcels", "sourceEnvironment": "default", "targetEnvironments": []string{"default", "prod"},
		"semanticIds": []string{"res.parcels"}}

	r := s.do(http.MethodPost, releasePkgs, req)
	require.Equal(t, http.StatusCreated, r.status, "body: %s", r.body)
	pkg := r.obj(t)
	assert.NotContains(t, pkg, "success", "release responses are bare JSON")
	id := pkg["packageId"].(string)
	assert.Equal(t, releasePkgs+"/"+id, r.header.Get("Location"))
	assert.Equal(t, "draft", pkg["status"])
	assert.EqualValues(t, 1, pkg["sourceRevision"])
	md := pkg["metadata"].(map[string]any)
	assert.Regexp(t, `^promote-parcels-`, md["name"])
	assert.Equal(t, "default", md["namespace"])
	assert.Equal(t, "1", md["labels"].(map[string]any)["sourceRevision"])
	assert.Equal(t, pkg["sourceEtag"], md["annotations"].(map[string]any)["metadata.honua.io/sourceEtag"])
	entry := pkg["entries"].([]any)[0].(map[string]any)
	assert.Equal(t, "resource", entry["artifactKind"])
	assert.Equal(t, "metadata", entry["changeClass"])
	assert.Equal(t, []any{"pub.cadastre.parcels"}, entry["dependentSemanticIds"])
	ts := entry["targetStates"].([]any)
	assert.Equal(t, "bound", ts[0].(map[string]any)["bindingState"])
	assert.EqualValues(t, 1, ts[0].(map[string]any)["currentMetadataRevision"])
	assert.Equal(t, "environment-unavailable", ts[1].(map[string]any)["bindingState"])
	assert.True(t, jsonbSorted(topKeys(t, r.body)))

	// Two titles give two keys; a repeated packageKey in the namespace is a 409.
	second := s.do(http.MethodPost, releasePkgs, req)
	require.Equal(t, http.StatusCreated, second.status)
	assert.NotEqual(t, md["name"], second.obj(t)["metadata"].(map[string]any)["name"])
	keyed := map[string]any{"packageKey": "gitops-abc", "sourceEnvironment": "default", "targetEnvironments": []string{"default"}, "semanticIds": []string{"svc.cadastre"}}
	require.Equal(t, http.StatusCreated, s.do(http.MethodPost, releasePkgs, keyed).status)
	s.do(http.MethodPost, releasePkgs, keyed).problem(t, http.StatusConflict)
	keyed["namespace"] = "other"
	require.Equal(t, http.StatusCreated, s.do(http.MethodPost, releasePkgs, keyed).status, "another namespace")

	for name, body := range map[string]any{
		"no source":       map[string]any{"targetEnvironments": []string{"default"}, "semanticIds": []string{"res.parcels"}},
		"no targets":      map[string]any{"sourceEnvironment": "default", "semanticIds": []string{"res.parcels"}},
		"null ids":        map[string]any{"sourceEnvironment": "default", "targetEnvironments": []string{"default"}, "semanticIds": nil},
		"11 targets":      map[string]any{"sourceEnvironment": "default", "targetEnvironments": make([]string, 11), "semanticIds": []string{"res.parcels"}},
		"bad changeClass": map[string]any{"sourceEnvironment": "default", "targetEnvironments": []string{"default"}, "semanticIds": []string{"res.parcels"}, "changeClasses": map[string]string{"res.parcels": "schema"}},
	} {
		t.Run(name, func(t *testing.T) { s.do(http.MethodPost, releasePkgs, body).problem(t, http.StatusBadRequest) })
	}
	s.do(http.MethodPost, releasePkgs, map[string]any{"sourceEnvironment": "staging", "targetEnvironments": []string{"default"}, "semanticIds": []string{"res.parcels"}}).problem(t, http.StatusNotFound)
	s.do(http.MethodPost, releasePkgs, map[string]any{"sourceEnvironment": "default", "targetEnvironments": []string{"default"}, "semanticIds": []string{"res.nope"}}).problem(t, http.StatusNotFound)

	// List: newest first, paged.
	list := s.do(http.MethodGet, releasePkgs+"?limit=2&offset=1", nil).obj(t)
	assert.EqualValues(t, 4, list["count"])
	assert.EqualValues(t, 2, list["limit"])
	assert.EqualValues(t, 1, list["offset"])
	items := list["items"].([]any)
	require.Len(t, items, 2)
	assert.Equal(t, "gitops-abc", items[0].(map[string]any)["packageKey"])
	assert.Equal(t, "default", items[0].(map[string]any)["namespace"])
	assert.EqualValues(t, 1, items[0].(map[string]any)["entryCount"])
	all := s.do(http.MethodGet, releasePkgs, nil).obj(t)["items"].([]any)
	assert.Equal(t, id, all[3].(map[string]any)["packageId"], "the oldest last")
	s.do(http.MethodGet, releasePkgs+"?limit=501", nil).problem(t, http.StatusBadRequest)
	s.do(http.MethodGet, releasePkgs+"?offset=-1", nil).problem(t, http.StatusBadRequest)

	got := s.do(http.MethodGet, releasePkgs+"/"+id, nil).obj(t)
	assert.Equal(t, pkg["entries"], got["entries"])
	man := s.do(http.MethodGet, releasePkgs+"/"+id+"/gitops-manifest", nil).obj(t)
	assert.Equal(t, "metadata.honua.io/v2alpha1", man["apiVersion"])
	assert.Equal(t, "MetadataReleasePackage", man["kind"])
	spec := man["spec"].(map[string]any)
	assert.Equal(t, id, spec["packageId"])
	assert.EqualValues(t, 1, spec["source"].(map[string]any)["revision"])
	assert.Equal(t, []any{map[string]any{"environment": "default"}, map[string]any{"environment": "prod"}}, spec["targets"])
	s.do(http.MethodGet, releasePkgs+"/5f0c7c1e-3a52-4c44-9c39-1d2b1c7f0aff", nil).problem(t, http.StatusNotFound)
	s.do(http.MethodGet, releasePkgs+"/not-a-guid", nil).empty(t, http.StatusNotFound)
	s.do(http.MethodGet, releasePkgs, nil, noAuth).problem(t, http.StatusUnauthorized)

	assert.EqualValues(t, 1, s.gen2Log().Revision, "packages are not graph writes")
}

func TestGen2Prevalidate(t *testing.T) {
	s := start(t, seeded)
	inline := func(ids ...string) map[string]any {
		return map[string]any{"sourceEnvironment": "default", "targetEnvironments": []string{"default"}, "semanticIds": ids}
	}
	report := func(t *testing.T, body any) map[string]any {
		t.Helper()
		return s.do(http.MethodPost, prevalidate, body).dataObj(t, http.StatusOK) // ApiResponse-wrapped
	}

	rep := report(t, map[string]any{"releasePackage": inline("res.parcels", "svc.cadastre"), "targetEnvironment": "default"})
	assert.Equal(t, "ready", rep["status"])
	assert.Equal(t, true, rep["canCreatePullRequest"])
	assert.Equal(t, true, rep["canPromote"])
	assert.EqualValues(t, 1, rep["targetRevision"])
	assert.Empty(t, rep["findings"])
	assert.Equal(t, "metadata-only", rep["rollbackReadiness"].(map[string]any)["classification"])

	// A semantic id the target graph lacks blocks (inline packages need not resolve in the source).
	rep = report(t, map[string]any{"releasePackage": inline("res.parcels", "res.roads"), "targetEnvironment": "default",
		"dataScripts": []any{map[string]any{"scriptId": "s1"}}})
	assert.Equal(t, "blocked", rep["status"])
	assert.Equal(t, false, rep["canCreatePullRequest"])
	assert.Equal(t, false, rep["canPromote"])
	assert.EqualValues(t, 1, rep["uncoveredErrorCount"])
	assert.EqualValues(t, 1, rep["scriptCount"])
	f := rep["findings"].([]any)[0].(map[string]any)
	assert.Equal(t, "metadata.compat.resource.missing", f["code"])
	assert.Equal(t, "error", f["severity"])
	assert.Equal(t, "res.roads", f["affectedSemanticId"])
	assert.Equal(t, "uncovered", f["coverageState"])

	// An unknown target environment is unknown, with state.unavailable.
	rep = report(t, map[string]any{"releasePackage": inline("res.parcels"), "targetEnvironment": "prod"})
	assert.Equal(t, "unknown", rep["status"])
	assert.Equal(t, false, rep["canPromote"])
	assert.NotContains(t, rep, "targetRevision")
	assert.Equal(t, "metadata.compat.state.unavailable", rep["findings"].([]any)[0].(map[string]any)["code"])

	// By id.
	created := s.do(http.MethodPost, releasePkgs, inline("res.parcels"))
	require.Equal(t, http.StatusCreated, created.status)
	id := created.obj(t)["packageId"].(string)
	rep = report(t, map[string]any{"releasePackageId": id, "targetEnvironment": "default"})
	assert.Equal(t, "ready", rep["status"])
	assert.Equal(t, id, rep["releasePackageId"])
	assert.NotEmpty(t, rep["packageKey"])

	for name, body := range map[string]any{
		"neither":     map[string]any{"targetEnvironment": "default"},
		"both":        map[string]any{"releasePackageId": id, "releasePackage": inline("res.parcels"), "targetEnvironment": "default"},
		"no target":   map[string]any{"releasePackage": inline("res.parcels")},
		"null arrays": map[string]any{"releasePackage": map[string]any{"sourceEnvironment": "default", "targetEnvironments": nil, "semanticIds": nil}, "targetEnvironment": "default"},
	} {
		t.Run(name, func(t *testing.T) {
			assert.NotEmpty(t, s.do(http.MethodPost, prevalidate, body).problem(t, http.StatusBadRequest)["detail"])
		})
	}
	s.do(http.MethodPost, prevalidate, map[string]any{"targetEnvironment": "default"}, noAuth).problem(t, http.StatusUnauthorized)
	assert.EqualValues(t, 1, s.gen2Log().Revision, "prevalidate writes nothing")
	assert.Len(t, s.do(http.MethodGet, releasePkgs, nil).obj(t)["items"], 1, "inline packages are not persisted")
}

func TestGen2BindingsQuery(t *testing.T) {
	s := start(t, seeded)
	d := s.do(http.MethodPost, bindingsQ, map[string]any{"environments": []string{"default", "prod"}, "semanticIds": []string{"res.parcels", "res.roads"}}).obj(t)
	assert.NotEmpty(t, d["requestedAt"])
	envs := d["environments"].([]any)
	assert.Equal(t, true, envs[0].(map[string]any)["available"])
	assert.Equal(t, false, envs[1].(map[string]any)["available"])
	b := d["bindings"].([]any)
	require.Len(t, b, 4)
	assert.Equal(t, "bound", b[0].(map[string]any)["bindingState"])
	assert.Equal(t, "env://GIS_DB", b[0].(map[string]any)["secretRef"])
	assert.Equal(t, "missing", b[1].(map[string]any)["bindingState"])
	assert.Equal(t, "environment-unavailable", b[2].(map[string]any)["bindingState"])
	s.do(http.MethodPost, bindingsQ, map[string]any{"environments": []string{}, "semanticIds": []string{"x"}}).problem(t, http.StatusBadRequest)
	s.do(http.MethodPost, bindingsQ, map[string]any{"environments": []string{"default"}}).problem(t, http.StatusBadRequest)
	assert.EqualValues(t, 1, s.gen2Log().Revision)
}

// Packages live in the state file and survive a restart; creating one is
// a write the fault machinery can fail.
func TestGen2ReleasePackagesPersistAndFault(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	withState := func(o *emulator.Options) { seeded(o); o.StateFile = state }
	s := start(t, withState)
	req := map[string]any{"packageKey": "gitops-1", "sourceEnvironment": "default", "targetEnvironments": []string{"default"}, "semanticIds": []string{"res.parcels"}}
	require.Equal(t, http.StatusCreated, s.do(http.MethodPost, releasePkgs, req).status)
	s.run.Close()
	raw, err := os.ReadFile(state)
	require.NoError(t, err)
	var st map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &st))
	assert.Contains(t, st, "packages")

	s = start(t, withState)
	assert.Len(t, s.do(http.MethodGet, releasePkgs, nil).obj(t)["items"], 1)
	s.do(http.MethodPost, releasePkgs, req).problem(t, http.StatusConflict)

	f := start(t, seeded, faults(emulator.Faults{FailResource: emulator.Identity{Kind: "ReleasePackage", Namespace: "default", Name: "gitops-1"}}))
	f.do(http.MethodPost, releasePkgs, req).problem(t, http.StatusInternalServerError)
	assert.Empty(t, f.do(http.MethodGet, releasePkgs, nil).obj(t)["items"])
}
