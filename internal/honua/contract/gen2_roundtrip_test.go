package contract

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Idempotent round trips: read a facet, write back exactly what was read,
// read it again. On a real server they run only with
// HONUA_CONTRACT_WRITES=1, and even these identical writes create graph
// revisions (Corrections 1), which the test checks.
func TestGen2RoundTrips(t *testing.T) {
	t.Parallel()
	eachGen2(t, func(t *testing.T, tg *gen2Target) {
		tg.writesAllowed(t)
		found, ok := tg.firstLayer(t)
		if !ok {
			t.Skip("the server has no published layer")
		}
		id := found.layer.LayerID
		step := func(name string, write func() error, read func() any) {
			before, rev := read(), tg.revision(t)
			require.NoError(t, write(), name)
			assert.Equal(t, before, read(), "%s: the round trip changes nothing", name)
			assert.Greater(t, tg.revision(t), rev, "%s: even an identical write is a new revision", name)
		}
		facet := func(f string) func() any {
			return func() any {
				v, err := tg.client.Gen2LayerFacet(t.Context(), id, f)
				require.NoError(t, err)
				return v
			}
		}
		for _, f := range []string{"popup-info", "drawing-info"} {
			cur := facet(f)().(map[string]any)
			var body any = json.RawMessage("null")
			if d, ok := cur["document"]; ok {
				body = d
			}
			step(f, func() error { return tg.client.Gen2PutLayerFacet(t.Context(), id, f, body) }, facet(f))
		}
		cur := facet("filter")().(map[string]any)
		step("filter", func() error {
			return tg.client.Gen2PutLayerFacet(t.Context(), id, "filter", map[string]any{"permanentFilter": cur["permanentFilter"]})
		}, facet("filter"))
		settings := func() any {
			s, err := tg.client.Gen2ServiceSettings(t.Context(), found.service)
			require.NoError(t, err)
			return s
		}
		s, err := tg.client.Gen2ServiceSettings(t.Context(), found.service)
		require.NoError(t, err)
		step("protocols", func() error { return tg.client.Gen2PutServiceProtocols(t.Context(), found.service, s.EnabledProtocols) }, settings)
		step("access policy", func() error { return tg.client.Gen2PutServiceAccessPolicy(t.Context(), found.service, s.AccessPolicy) }, settings)
	})
}
