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

func stateFile(path string) func(*emulator.Options) {
	return func(o *emulator.Options) { o.StateFile = path }
}

// The optional state file survives a restart: resources (with their
// resourceVersions and so their ETags), annotations, raw number text of
// declared manifests, versions and pending approvals.
func TestPersistenceRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")

	first := start(t, stateFile(path))
	raw := `{"resources":[{"apiVersion":"honua.io/v1alpha1","kind":"Layer","metadata":{"name":"a","namespace":"default","labels":{"env":"dev"}},` +
		`"spec":{"tableName":"t","schemaName":"public","geometryType":"Polygon","srid":4326,"scale":1.50e1,"note":"<a&b>"}}]}`
	decodeApply(t, first.do(http.MethodPost, admin+"/manifest/apply", raw))
	first.create(layer("b"))
	etag := first.create(layer("gone"))
	first.do(http.MethodDelete, resAPI+"/Layer/default/gone", nil, ifMatch(etag)).data(t, http.StatusOK)
	pending := applyBody(false, false, layer("later"))
	pending["approvalRequired"] = true
	first.do(http.MethodPost, admin+"/manifest/apply", pending).data(t, http.StatusAccepted)
	beforeList := first.list("")
	_, beforeTag, _ := first.get("Layer", "default", "a")
	beforeDrift := first.do(http.MethodGet, admin+"/manifest/drift?verbose=true", nil).dataObj(t, http.StatusOK)
	beforeManifest := first.do(http.MethodGet, admin+"/manifest", nil).dataObj(t, http.StatusOK)
	require.NoError(t, first.run.Close())

	var st map[string]any
	body, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(body, &st), "the state file is JSON")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary files are left behind")

	second := start(t, stateFile(path))
	assert.Equal(t, beforeList, second.list(""))
	_, afterTag, ok := second.get("Layer", "default", "a")
	require.True(t, ok)
	assert.Equal(t, beforeTag, afterTag, "ETags survive")
	_, _, ok = second.get("Layer", "default", "gone")
	assert.False(t, ok, "deletes are persisted")
	afterDrift := second.do(http.MethodGet, admin+"/manifest/drift?verbose=true", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, beforeDrift["resources"], afterDrift["resources"], "declared specs keep their number text")
	afterManifest := second.do(http.MethodGet, admin+"/manifest", nil).dataObj(t, http.StatusOK)
	assert.Equal(t, beforeManifest["manifestHash"], afterManifest["manifestHash"])
	assert.Len(t, second.do(http.MethodGet, admin+"/manifest/pending/", nil).data(t, http.StatusOK), 1)

	// Sequence numbers continue, so a new write never reuses a version.
	etagB := second.create(layer("c"))
	assert.NotContains(t, []string{beforeTag}, etagB)
	got := second.apply(applyBody(false, false, layer("b")))
	assert.Equal(t, []string{"update Layer/default/b"}, got.actions())
}

// A state file that is not valid stops the emulator from starting.
func TestPersistenceRejectsCorruptFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(path, []byte("{not json"), 0o600))
	_, err := emulator.Start(t.Context(), emulator.Options{APIKey: apiKey, StateFile: path})
	assert.ErrorContains(t, err, "state file")
}

// A missing state file is an empty start, and reads never create it.
func TestPersistenceMissingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	s := start(t, stateFile(path))
	assert.Empty(t, s.list(""))
	_, err := os.Stat(path)
	assert.True(t, os.IsNotExist(err))
	s.create(layer("a"))
	_, err = os.Stat(path)
	assert.NoError(t, err, "the first write creates it")
}

// A state file that cannot be written fails the write request with 500
// instead of pretending the state was saved.
func TestPersistenceWriteFailure(t *testing.T) {
	t.Parallel()
	s := start(t, stateFile(filepath.Join(t.TempDir(), "no-such-dir", "state.json")))
	s.do(http.MethodPost, resAPI, layer("a")).problem(t, http.StatusInternalServerError)
	s.do(http.MethodGet, admin+"/version", nil).data(t, http.StatusOK)
}
