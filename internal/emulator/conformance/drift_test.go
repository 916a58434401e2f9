package conformance

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// driftRows renders drift entries as "type Kind/ns/name".
func driftRows(t *testing.T, d map[string]any) []string {
	t.Helper()
	var out []string
	for _, e := range d["resources"].([]any) {
		em := e.(map[string]any)
		id := em["identifier"].(map[string]any)
		out = append(out, em["driftType"].(string)+" "+id["kind"].(string)+"/"+id["namespace"].(string)+"/"+id["name"].(string))
	}
	return out
}

// §1.6, Appendix A.9, B.6: drift compares the live resources with the
// newest stored manifest version: missing, extra (everything outside the
// baseline, whatever its kind or namespace) and spec-drift; verbose adds
// the specs.
func TestDrift(t *testing.T) {
	t.Parallel()
	s := start(t)
	none := s.do(http.MethodGet, admin+"/manifest/drift", nil).dataObj(t, http.StatusOK)
	assert.ElementsMatch(t, []string{"generatedAt", "baselineVersionId", "hasDrift", "resources"}, keys(none))
	assert.Nil(t, none["baselineVersionId"])
	assert.Equal(t, false, none["hasDrift"])
	assert.Empty(t, none["resources"])

	s.apply(applyBody(false, false, layer("a"), layer("b"), layer("c")))
	s.apply(applyBody(false, false, layer("a"), layer("b"), layer("c"))) // the newest version is the baseline
	versions := s.do(http.MethodGet, admin+"/manifest/versions?limit=1", nil).dataObj(t, http.StatusOK)["versions"].([]any)
	clean := s.do(http.MethodGet, admin+"/manifest/drift?verbose=false", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, versions[0].(map[string]any)["versionId"], clean["baselineVersionId"])
	assert.Equal(t, false, clean["hasDrift"])

	s.do(http.MethodPut, resAPI+"/Layer/default/a", withSpec(layer("a"), "srid", 1), ifMatch("*")).data(t, http.StatusOK)
	s.do(http.MethodDelete, resAPI+"/Layer/default/b", nil, ifMatch("*")).data(t, http.StatusOK)
	s.create(res("Theme", "other", "hand-made", nil))
	s.create(layer("d"))

	plain := s.do(http.MethodGet, admin+"/manifest/drift", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, true, plain["hasDrift"])
	assert.Equal(t, []string{
		"spec-drift Layer/default/a",
		"missing Layer/default/b",
		"extra Layer/default/d",
		"extra Theme/other/hand-made",
	}, driftRows(t, plain))
	byType := map[string]map[string]any{}
	for _, e := range plain["resources"].([]any) {
		em := e.(map[string]any)
		assert.ElementsMatch(t, []string{"identifier", "driftType", "declaredHash", "actualHash", "declaredSpec", "actualSpec"}, keys(em))
		assert.Nil(t, em["declaredSpec"], "specs only when verbose")
		byType[em["driftType"].(string)] = em
	}
	assert.Nil(t, byType["missing"]["actualHash"])
	assert.NotNil(t, byType["missing"]["declaredHash"])
	assert.Nil(t, byType["extra"]["declaredHash"])
	assert.NotNil(t, byType["extra"]["actualHash"])
	assert.NotEqual(t, byType["spec-drift"]["declaredHash"], byType["spec-drift"]["actualHash"])

	verbose := s.do(http.MethodGet, admin+"/manifest/drift?verbose=true", nil).dataObj(t, http.StatusOK)
	first := verbose["resources"].([]any)[0].(map[string]any)
	require.Equal(t, "spec-drift", first["driftType"])
	assert.EqualValues(t, 4326, first["declaredSpec"].(map[string]any)["srid"])
	assert.EqualValues(t, 1, first["actualSpec"].(map[string]any)["srid"])

	s.do(http.MethodGet, admin+"/manifest/drift?verbose=maybe", nil).empty(t, http.StatusBadRequest)
}

// §1.4: the manifest export has every key, filters by namespace and lists
// resources whose last-applied annotation differs from their spec hash.
func TestManifestExport(t *testing.T) {
	t.Parallel()
	s := start(t)
	empty := s.do(http.MethodGet, admin+"/manifest", nil).dataObj(t, http.StatusOK)
	assert.ElementsMatch(t, []string{"apiVersion", "generatedAt", "resources", "driftedResources", "manifestHash"}, keys(empty))
	assert.Equal(t, "honua.io/v1alpha1", empty["apiVersion"])
	assert.Empty(t, empty["resources"])
	assert.Empty(t, empty["driftedResources"])

	s.apply(applyBody(false, false, layer("a"), res("Layer", "other", "b", nil)))
	full := s.do(http.MethodGet, admin+"/manifest", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, []string{"Layer/default/a", "Layer/other/b"}, names(full["resources"].([]any)))
	assert.Empty(t, full["driftedResources"])
	assert.NotEqual(t, empty["manifestHash"], full["manifestHash"])
	other := s.do(http.MethodGet, admin+"/manifest?namespace=other", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, []string{"Layer/other/b"}, names(other["resources"].([]any)))

	// A CRUD PUT that keeps the annotation but changes the spec drifts.
	a, _, _ := s.get("Layer", "default", "a")
	changed := withSpec(layer("a"), "srid", 1)
	changed["metadata"].(map[string]any)["annotations"] = annotations(a)
	s.do(http.MethodPut, resAPI+"/Layer/default/a", changed, ifMatch("*")).data(t, http.StatusOK)
	drifted := s.do(http.MethodGet, admin+"/manifest", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, []any{map[string]any{"kind": "Layer", "namespace": "default", "name": "a"}}, drifted["driftedResources"])
}
