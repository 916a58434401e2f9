package conformance

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const lastApplied = "honua.io/last-applied-manifest-hash"

// Appendix B.2: kind is case-insensitive for validation only. It is stored
// as sent; lookups, filters, prune and ETag paths compare it exactly. A
// second spelling is never found, so apply plans a create that then collides
// ("Resource already exists.", a skip inside HTTP 200 with success:true).
func TestKindCaseTrap(t *testing.T) {
	t.Parallel()
	s := start(t)
	lower := res("layer", "default", "roads", nil)
	got := s.apply(applyBody(false, false, lower))
	assert.Equal(t, []string{"create layer/default/roads"}, got.actions(), "a lower-case kind validates")
	assert.Equal(t, []string{"layer/default/roads"}, names(s.list("")), "stored exactly as sent")

	_, _, found := s.get("Layer", "default", "roads")
	assert.False(t, found, "lookups are case-sensitive")
	assert.Empty(t, s.list("?kind=Layer"), "filters are case-sensitive")
	_, _, found = s.get("layer", "default", "roads")
	assert.True(t, found)

	upper := res("Layer", "default", "roads", nil)
	dry := s.apply(applyBody(true, false, upper))
	assert.Equal(t, []string{"create Layer/default/roads"}, dry.actions(), "a dry run cannot see the collision")
	real := s.apply(applyBody(false, false, upper))
	assert.Equal(t, []string{"skip Layer/default/roads [Resource already exists.]"}, real.actions())

	s.do(http.MethodPost, resAPI, upper).failure(t, http.StatusConflict)
	s.do(http.MethodGet, resAPI+"/Layer/default/roads", nil).empty(t, http.StatusNotFound)
}

// Appendix B.4: namespace "" is looked up as "" but stored as "default", so
// the first apply creates and the second fails with "Resource already
// exists." inside a 200.
func TestEmptyNamespaceTrap(t *testing.T) {
	t.Parallel()
	s := start(t)
	r := res("Layer", "", "roads", nil)
	first := s.apply(applyBody(false, false, r))
	assert.Equal(t, []string{"create Layer//roads"}, first.actions())
	assert.Equal(t, []string{"Layer/default/roads"}, names(s.list("")))

	second := s.apply(applyBody(false, false, r))
	assert.Equal(t, []string{"skip Layer//roads [Resource already exists.]"}, second.actions())

	omitted := s.apply(applyBody(false, false, res("Layer", "-", "roads", nil)))
	assert.Equal(t, []string{"skip Layer/default/roads [No changes.]"}, omitted.actions(),
		"an omitted namespace defaults to default for the lookup too")
}

// Appendix B.5, §1.4: a resource created through CRUD (the admin UI) has no
// last-applied annotation, so its first apply is an update even with an
// identical spec; the next is a skip "No changes."; a CRUD PUT without the
// annotation clears it, so the apply after it is an update again.
func TestLastAppliedAnnotation(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.create(layer("a"))
	got, _, _ := s.get("Layer", "default", "a")
	assert.NotContains(t, annotations(got), lastApplied)

	assert.Equal(t, []string{"update Layer/default/a"}, s.apply(applyBody(false, false, layer("a"))).actions())
	got, _, _ = s.get("Layer", "default", "a")
	assert.Len(t, annotations(got)[lastApplied], 64, "lowercase hex SHA-256")
	assert.Equal(t, []string{"skip Layer/default/a [No changes.]"}, s.apply(applyBody(false, false, layer("a"))).actions())

	s.do(http.MethodPut, resAPI+"/Layer/default/a", layer("a"), ifMatch("*")).data(t, http.StatusOK)
	got, _, _ = s.get("Layer", "default", "a")
	assert.NotContains(t, annotations(got), lastApplied, "PUT without the annotation clears it")
	assert.Equal(t, []string{"update Layer/default/a"}, s.apply(applyBody(false, false, layer("a"))).actions())
}

// Appendix B.5: an apply replaces labels and annotations wholesale.
func TestApplyReplacesLabelsAndAnnotations(t *testing.T) {
	t.Parallel()
	s := start(t)
	first := layer("a")
	first["metadata"].(map[string]any)["labels"] = map[string]any{"env": "dev", "team": "gis"}
	first["metadata"].(map[string]any)["annotations"] = map[string]any{"example.com/managed-by": "gitops"}
	s.apply(applyBody(false, false, first))

	second := withSpec(layer("a"), "srid", 3857)
	second["metadata"].(map[string]any)["labels"] = map[string]any{"env": "prod"}
	s.apply(applyBody(false, false, second))
	got, _, _ := s.get("Layer", "default", "a")
	assert.Equal(t, map[string]any{"env": "prod"}, got["metadata"].(map[string]any)["labels"])
	assert.Equal(t, []string{lastApplied}, keys(annotations(got)), "the managed-by annotation is gone")
}

// Appendix B.3: hashes use the number text as written, the store
// normalises it (1.50e1 is stored as 15.0), so such a resource plans as an
// update forever and shows as drifted in the manifest export.
func TestNumberNormalisationTrap(t *testing.T) {
	t.Parallel()
	s := start(t)
	raw := `{"resources":[{"apiVersion":"honua.io/v1alpha1","kind":"Layer","metadata":{"name":"a","namespace":"default"},` +
		`"spec":{"tableName":"t","schemaName":"public","geometryType":"Polygon","srid":4326,"scale":1.50e1}}]}`
	for range 3 {
		got := decodeApply(t, s.do(http.MethodPost, admin+"/manifest/apply", raw))
		assert.Contains(t, []string{"create Layer/default/a", "update Layer/default/a"}, got.actions()[0])
	}
	r := s.do(http.MethodGet, resAPI+"/Layer/default/a", nil)
	assert.Contains(t, string(r.body), `"scale":15.0`)

	m := s.do(http.MethodGet, admin+"/manifest", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, []any{map[string]any{"kind": "Layer", "namespace": "default", "name": "a"}}, m["driftedResources"])

	plain := layer("b")
	s.apply(applyBody(false, false, plain))
	assert.Equal(t, []string{"skip Layer/default/b [No changes.]"}, s.apply(applyBody(false, false, plain)).actions(),
		"canonical numbers do not drift")
}

// Appendix A.4: server-owned fields sent back by clients (metadata.id,
// resourceVersion, generation, createdAt, updatedAt, status) are accepted
// and ignored by POST, PUT and apply; concurrency comes from If-Match only.
func TestServerFieldsIgnored(t *testing.T) {
	t.Parallel()
	s := start(t)
	withServerFields := func(name string) map[string]any {
		r := layer(name)
		meta := r["metadata"].(map[string]any)
		meta["id"] = "11111111-2222-3333-4444-555555555555"
		meta["resourceVersion"] = "999"
		meta["generation"] = 42
		meta["createdAt"] = "2020-01-01T00:00:00Z"
		meta["updatedAt"] = "2020-01-01T00:00:00Z"
		r["status"] = map[string]any{"phase": "Broken"}
		return r
	}
	created := s.do(http.MethodPost, resAPI, withServerFields("a")).dataObj(t, http.StatusCreated)
	meta := created["metadata"].(map[string]any)
	assert.NotEqual(t, "999", meta["resourceVersion"])
	assert.NotEqual(t, "11111111-2222-3333-4444-555555555555", meta["id"])
	assert.EqualValues(t, 1, meta["generation"])
	assert.NotEqual(t, "Broken", created["status"].(map[string]any)["phase"])

	s.do(http.MethodPut, resAPI+"/Layer/default/a", withServerFields("a"), ifMatch("*")).data(t, http.StatusOK)
	s.apply(applyBody(false, false, withServerFields("a"), withServerFields("b")))
	got, _, _ := s.get("Layer", "default", "a")
	assert.NotEqual(t, "999", resourceVersion(got))
}

// §1.3: v1alpha0 is up-converted to v1alpha1 with the annotation
// honua.io/up-converted-from; apiVersion and kind match case-insensitively.
func TestUpConversion(t *testing.T) {
	t.Parallel()
	s := start(t)
	old := layer("a")
	old["apiVersion"] = "honua.io/v1alpha0"
	s.create(old)
	got, _, ok := s.get("Layer", "default", "a")
	require.True(t, ok)
	assert.Equal(t, "honua.io/v1alpha1", got["apiVersion"])
	assert.Equal(t, "honua.io/v1alpha0", annotations(got)["honua.io/up-converted-from"])

	shouty := layer("b")
	shouty["apiVersion"] = "HONUA.IO/V1ALPHA1"
	s.create(shouty)
}
