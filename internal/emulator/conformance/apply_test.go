package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §1.4, Appendix A.12: absent → create; changed → update; unchanged since
// the last apply → skip "No changes."; the summary equals the entries.
func TestApplyCreateUpdateSkip(t *testing.T) {
	t.Parallel()
	s := start(t)
	steps := []struct {
		name      string
		resources []map[string]any
		want      []string
	}{
		{"first apply creates", []map[string]any{layer("a"), layer("b")},
			[]string{"create Layer/default/a", "create Layer/default/b"}},
		{"same manifest skips", []map[string]any{layer("a"), layer("b")},
			[]string{"skip Layer/default/a [No changes.]", "skip Layer/default/b [No changes.]"}},
		{"changed spec updates", []map[string]any{withSpec(layer("a"), "srid", 3857), layer("b")},
			[]string{"update Layer/default/a", "skip Layer/default/b [No changes.]"}},
		{"key order does not matter", []map[string]any{withSpec(layer("a"), "srid", 3857), layer("b")},
			[]string{"skip Layer/default/a [No changes.]", "skip Layer/default/b [No changes.]"}},
	}
	for _, st := range steps {
		got := s.apply(applyBody(false, false, st.resources...))
		assert.False(t, got.DryRun)
		assert.Equal(t, st.want, got.actions(), st.name)
	}
	a, _, _ := s.get("Layer", "default", "a")
	assert.EqualValues(t, 3857, a["spec"].(map[string]any)["srid"])
	assert.EqualValues(t, 2, a["metadata"].(map[string]any)["generation"])
}

// §1.4: a dry run gives counts and entries only and writes nothing, not
// even a version.
func TestApplyDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.apply(applyBody(false, false, layer("keep"), layer("gone")))
	before := s.do(http.MethodGet, admin+"/manifest", nil).dataObj(t, http.StatusOK)

	got := s.apply(applyBody(true, true, withSpec(layer("keep"), "srid", 1), layer("new")))
	assert.True(t, got.DryRun)
	assert.Equal(t, []string{"update Layer/default/keep", "create Layer/default/new", "delete Layer/default/gone"}, got.actions())

	after := s.do(http.MethodGet, admin+"/manifest", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, before["manifestHash"], after["manifestHash"])
	assert.Equal(t, before["resources"], after["resources"])
	versions := s.do(http.MethodGet, admin+"/manifest/versions", nil).dataObj(t, http.StatusOK)["versions"].([]any)
	assert.Len(t, versions, 1, "a dry run stores no version")
}

// §1.4, Appendix A.12: prune deletes unlisted resources that share a kind
// and a namespace with a listed one, and nothing else.
func TestApplyPruneScope(t *testing.T) {
	t.Parallel()
	seed := []map[string]any{
		layer("a"), layer("b"),
		res("Layer", "other", "c", nil),
		res("Style", "default", "s", nil),
		res("Theme", "other", "t", nil),
	}
	tests := []struct {
		name     string
		manifest []map[string]any
		deleted  []string
	}{
		{"same kind and namespace only", []map[string]any{layer("a")}, []string{"Layer/default/b"}},
		{"kind in another namespace is kept", []map[string]any{res("Layer", "other", "c", nil)}, nil},
		{"two scopes", []map[string]any{layer("a"), res("Theme", "other", "x", nil)},
			[]string{"Layer/default/b", "Theme/other/t"}},
		{"a kind spelled differently is another scope", []map[string]any{res("layer", "default", "z", nil)}, nil},
		{"a different namespace of the same kind", []map[string]any{res("Style", "other", "s2", nil)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			s.apply(applyBody(false, false, seed...))
			got := s.apply(applyBody(false, true, tt.manifest...))
			var deleted []string
			for _, e := range got.Entries {
				if e.Action == "delete" {
					deleted = append(deleted, e.Resource.String())
					assert.Nil(t, e.Message)
				}
			}
			assert.Equal(t, tt.deleted, deleted)
			for _, d := range tt.deleted {
				parts := strings.Split(d, "/")
				_, _, found := s.get(parts[0], parts[1], parts[2])
				assert.False(t, found, d)
			}
			assert.Len(t, s.list(""), len(seed)+countNew(seed, tt.manifest)-len(tt.deleted))
		})
	}
	t.Run("without prune nothing is deleted", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		s.apply(applyBody(false, false, seed...))
		got := s.apply(applyBody(false, false, layer("a")))
		assert.Equal(t, []string{"skip Layer/default/a [No changes.]"}, got.actions())
		assert.Len(t, s.list(""), len(seed))
	})
}

// countNew counts manifest resources whose identity is not in seed.
func countNew(seed, manifest []map[string]any) int {
	id := func(r map[string]any) string {
		m := r["metadata"].(map[string]any)
		return r["kind"].(string) + "/" + m["namespace"].(string) + "/" + m["name"].(string)
	}
	have := map[string]bool{}
	for _, r := range seed {
		have[id(r)] = true
	}
	n := 0
	for _, r := range manifest {
		if !have[id(r)] {
			n++
		}
	}
	return n
}

// §1.4, Appendix B.1: failed writes come back as skip entries with a
// message inside HTTP 200 and success:true, mixed with harmless skips.
func TestApplyFailedWritesAreSkips(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.apply(applyBody(false, false, layer("ok")))
	s.create(res("Layer", "default", "taken", nil))
	r := s.do(http.MethodPost, admin+"/manifest/apply", applyBody(false, false,
		layer("ok"), res("layer", "default", "taken", nil), layer("new")))
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, true, r.obj(t)["success"])
	got := decodeApply(t, r)
	assert.Equal(t, []string{
		"skip Layer/default/ok [No changes.]",
		"skip layer/default/taken [Resource already exists.]",
		"create Layer/default/new",
	}, got.actions())
	assert.Equal(t, 2, got.Summary["skipped"])
}

// §1.4: validation runs first. Empty resources → 400; any invalid resource
// → 400 on the first error and nothing is applied. §1.3: validation is
// shallow: apiVersion, kind, metadata.name, spec an object, required keys.
func TestApplyValidation(t *testing.T) {
	t.Parallel()
	noKind := layer("x")
	delete(noKind, "kind")
	badKind := res("Raster", "default", "x", map[string]any{})
	badAPI := layer("x")
	badAPI["apiVersion"] = "honua.io/v2"
	noAPI := layer("x")
	delete(noAPI, "apiVersion")
	noName := layer("x")
	delete(noName["metadata"].(map[string]any), "name")
	arraySpec := layer("x")
	arraySpec["spec"] = []any{1}
	noSpec := layer("x")
	delete(noSpec, "spec")
	tests := []struct {
		name string
		body any
		want string // substring of the message
	}{
		{"empty resources", map[string]any{"resources": []any{}}, "At least one resource"},
		{"no resources key", map[string]any{"dryRun": true}, "At least one resource"},
		{"missing apiVersion", applyBody(false, false, noAPI), "apiVersion"},
		{"unsupported apiVersion", applyBody(false, false, badAPI), "Unsupported apiVersion"},
		{"missing kind", applyBody(false, false, noKind), "kind"},
		{"unknown kind", applyBody(false, false, badKind), "Unsupported kind"},
		{"missing name", applyBody(false, false, noName), "metadata.name"},
		{"spec not an object", applyBody(false, false, arraySpec), "spec"},
		{"spec missing", applyBody(false, false, noSpec), "spec"},
		{"second resource invalid", applyBody(false, false, layer("valid"), noName), "resources[1]"},
	}
	for kind, required := range map[string][]string{
		"Service":      {"description", "srid"},
		"Layer":        {"tableName", "schemaName", "geometryType", "srid"},
		"Relationship": {"originLayerId", "relatedLayerId", "name", "relationshipType", "originForeignKey", "destinationForeignKey"},
		"Style":        {"layerId", "style"},
		"Connection":   {"name", "host", "databaseName"},
		"MapTemplate":  {"name", "category"},
		"Theme":        {"name"},
	} {
		for _, key := range required {
			spec := validSpec(kind)
			delete(spec, key)
			tests = append(tests, struct {
				name string
				body any
				want string
			}{kind + " without " + key, applyBody(false, false, layer("valid"), res(kind, "default", "x", spec)), "spec." + key})
		}
	}
	s := start(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := s.do(http.MethodPost, admin+"/manifest/apply", tt.body).failure(t, http.StatusBadRequest)
			assert.Contains(t, msg, tt.want)
			assert.Empty(t, s.list(""), "nothing applied")
		})
	}
	t.Run("every kind with exactly its required keys is valid", func(t *testing.T) {
		var all []map[string]any
		for _, k := range []string{"Service", "Layer", "Relationship", "Style", "Connection", "MapTemplate", "Theme"} {
			all = append(all, res(k, "default", "v", nil))
		}
		assert.Len(t, s.apply(applyBody(true, false, all...)).Entries, 7)
	})
	t.Run("unbindable body is 400 with an empty body", func(t *testing.T) {
		for _, body := range []string{"", "null", "{", `{"resources":"x"}`, `{"resources":[{"metadata":{"name":"a","resourceVersion":1}}]}`} {
			s.do(http.MethodPost, admin+"/manifest/apply", body).empty(t, http.StatusBadRequest)
		}
	})
}

// §1.5: POST validates the same way (400, nothing stored).
func TestCreateValidation(t *testing.T) {
	t.Parallel()
	s := start(t)
	msg := s.do(http.MethodPost, resAPI, res("Layer", "default", "x", map[string]any{"tableName": "t"})).failure(t, http.StatusBadRequest)
	assert.Contains(t, msg, "spec.schemaName")
	s.do(http.MethodPost, resAPI, "{").empty(t, http.StatusBadRequest)
	assert.Empty(t, s.list(""))
}

// §1.4: each real apply stores a version {versionId, manifestHash, summary
// "Created: x, Updated: y, Deleted: z, Skipped: w", actor "admin",
// appliedAt, resourceCount, manifest}.
func TestApplyStoresVersion(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.apply(applyBody(false, false, layer("a"), layer("b")))
	s.apply(applyBody(false, true, withSpec(layer("a"), "srid", 1)))
	list := s.do(http.MethodGet, admin+"/manifest/versions", nil).dataObj(t, http.StatusOK)["versions"].([]any)
	require.Len(t, list, 2)
	newest := list[0].(map[string]any)
	assert.ElementsMatch(t, []string{"versionId", "manifestHash", "summary", "actor", "appliedAt", "resourceCount"}, keys(newest))
	assert.Equal(t, "Created: 0, Updated: 1, Deleted: 1, Skipped: 0", newest["summary"])
	assert.Equal(t, "admin", newest["actor"])
	assert.EqualValues(t, 1, newest["resourceCount"])
	assert.Equal(t, "Created: 2, Updated: 0, Deleted: 0, Skipped: 0", list[1].(map[string]any)["summary"])

	detail := s.do(http.MethodGet, admin+"/manifest/versions/"+newest["versionId"].(string), nil).dataObj(t, http.StatusOK)
	manifest := detail["manifest"].(map[string]any)
	resources := manifest["resources"].([]any)
	require.Len(t, resources, 1)
	assert.EqualValues(t, 1, resources[0].(map[string]any)["spec"].(map[string]any)["srid"])

	// Rollback (§1.6): re-POST an old version's manifest.
	old := s.do(http.MethodGet, admin+"/manifest/versions/"+list[1].(map[string]any)["versionId"].(string), nil).dataObj(t, http.StatusOK)
	back := decodeApply(t, s.do(http.MethodPost, admin+"/manifest/apply",
		map[string]any{"resources": old["manifest"].(map[string]any)["resources"]}))
	assert.Equal(t, []string{"update Layer/default/a", "create Layer/default/b"}, back.actions())
}
