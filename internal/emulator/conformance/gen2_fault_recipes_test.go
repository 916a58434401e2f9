package conformance

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

// The four failures a Gen2 client must survive, forced through
// Options.Faults exactly as README.md documents: a 5xx before a write, a
// 5xx after the write landed, a dropped connection (also after the write),
// and the relationships 409.
func TestGen2FaultRecipes(t *testing.T) {
	filter := admin + "/metadata/layers/1/filter"
	body := map[string]any{"permanentFilter": map[string]any{"expression": "id = 1"}}
	stored := func(t *testing.T, s *server) bool {
		t.Helper()
		require.NoError(t, s.run.Server.SetFaults(emulator.Faults{}))
		_, ok := s.do(http.MethodGet, filter, nil).dataObj(t, http.StatusOK)["permanentFilter"]
		return ok
	}
	t.Run("5xx before the write", func(t *testing.T) {
		s := start(t, seeded, faults(emulator.Faults{FailNthWrite: 1, WriteStatus: 503}))
		s.do(http.MethodPut, filter, body).problem(t, http.StatusServiceUnavailable)
		assert.EqualValues(t, 1, s.gen2Log().Revision)
		assert.False(t, stored(t, s))
	})
	t.Run("5xx after the write landed", func(t *testing.T) {
		s := start(t, seeded, faults(emulator.Faults{FailNthWrite: 1, When: emulator.FaultAfter}))
		s.do(http.MethodPut, filter, body).problem(t, http.StatusInternalServerError)
		assert.EqualValues(t, 2, s.gen2Log().Revision)
		assert.True(t, stored(t, s))
	})
	t.Run("dropped connection after the write", func(t *testing.T) {
		s := start(t, seeded, faults(emulator.Faults{DropRate: 1, When: emulator.FaultAfter}))
		_, err := s.try(http.MethodPut, filter, body)
		require.Error(t, err, "closed without an answer")
		assert.True(t, stored(t, s))
		assert.EqualValues(t, 2, s.gen2Log().Revision)
	})
	t.Run("dropped connection before the write", func(t *testing.T) {
		s := start(t, seeded, faults(emulator.Faults{DropRate: 1}))
		_, err := s.try(http.MethodPut, filter, body)
		require.Error(t, err)
		assert.False(t, stored(t, s))
	})
	t.Run("relationships 409", func(t *testing.T) {
		s := start(t, seededTwo(false), faults(emulator.Faults{RelationshipsConflict: true}))
		s.do(http.MethodPut, admin+"/metadata/layers/1/relationships", map[string]any{"relationships": []any{rel("o", 2, "id", "parcel_id")}}).
			problem(t, http.StatusConflict)
		// Validation still comes first.
		s.do(http.MethodPut, admin+"/metadata/layers/1/relationships", map[string]any{"relationships": nil}).problem(t, http.StatusBadRequest)
	})
}

// The new facets survive a restart through the state file.
func TestGen2FacetsPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	withState := func(o *emulator.Options) { seededTwo(false)(o); o.StateFile = path }
	s := start(t, withState)
	s.do(http.MethodPut, admin+"/metadata/layers/1/filter", map[string]any{"permanentFilter": map[string]any{"expression": "apn = 'x'", "language": "cql2"}}).data(t, http.StatusOK)
	s.do(http.MethodPut, admin+"/metadata/layers/1/relationships", map[string]any{"relationships": []any{rel("o", 2, "id", "parcel_id")}}).data(t, http.StatusOK)
	s.do(http.MethodPut, admin+"/metadata/layers/1/style", map[string]any{"mapLibreStyle": map[string]any{"version": 8,
		"layers": []any{map[string]any{"id": "f", "type": "fill"}}}}).data(t, http.StatusOK)
	before := map[string]any{}
	for _, f := range []string{"filter", "relationships", "style"} {
		before[f] = s.do(http.MethodGet, admin+"/metadata/layers/1/"+f, nil).dataObj(t, http.StatusOK)
	}
	rev := s.gen2Log().Revision
	require.NoError(t, s.run.Close())

	s = start(t, withState)
	for _, f := range []string{"filter", "relationships", "style"} {
		assert.Equal(t, before[f], s.do(http.MethodGet, admin+"/metadata/layers/1/"+f, nil).dataObj(t, http.StatusOK), f)
	}
	assert.Equal(t, rev, s.gen2Log().Revision)
}
