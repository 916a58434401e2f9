package contract

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/honua"
)

// Emulator-only traps of honua-gen2-facets.md: they need writes that are
// not round trips, or the test-only /__emulator/gen2/log.

// Corrections 1: every write, even an identical one, is a new revision.
func TestGen2IdenticalWriteIsARevision(t *testing.T) {
	t.Parallel()
	tg := startGen2(t, emulator.Faults{})
	doc := map[string]any{"title": "{apn}"}
	require.NoError(t, tg.client.Gen2PutLayerFacet(t.Context(), gen2Parcels, "popup-info", doc))
	first := tg.gen2Log(t)
	require.NoError(t, tg.client.Gen2PutLayerFacet(t.Context(), gen2Parcels, "popup-info", doc))
	second := tg.gen2Log(t)
	assert.Equal(t, first.Revision+1, second.Revision)
	assert.NotEqual(t, first.ETag, second.ETag)
	assert.Len(t, second.Writes, 2)
}

// Corrections 4 and 8: popup-info omits document when empty; stored JSON
// comes back in JSONB key order, so compare parsed values.
func TestGen2PopupInfoDocumentAndKeyOrder(t *testing.T) {
	t.Parallel()
	tg := startGen2(t, emulator.Faults{})
	got, err := tg.client.Gen2LayerFacet(t.Context(), gen2Parcels, "popup-info")
	require.NoError(t, err)
	assert.NotContains(t, got, "document")
	written := `{"zeta":1,"a":{"yy":true,"b":2},"mm":"x"}`
	require.NoError(t, tg.client.Gen2PutLayerFacet(t.Context(), gen2Parcels, "popup-info", json.RawMessage(written)))
	raw := tg.raw(t, http.MethodGet, "/api/v1/admin/metadata/layers/1/popup-info", nil)
	assert.NotContains(t, string(raw.body), written, "the text order is not the written order")
	got, err = tg.client.Gen2LayerFacet(t.Context(), gen2Parcels, "popup-info")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"zeta": int64(1), "a": map[string]any{"yy": true, "b": int64(2)}, "mm": "x"}, got["document"])
}

// Corrections 3: fields type PascalCase, alias falls back to description.
func TestGen2FieldsTypeAndAliasFallback(t *testing.T) {
	t.Parallel()
	tg := startGen2(t, emulator.Faults{})
	got, err := tg.client.Gen2LayerFacet(t.Context(), gen2Parcels, "fields")
	require.NoError(t, err)
	types, aliases := map[string]any{}, map[string]any{}
	for _, f := range got["fields"].([]any) {
		fm := f.(map[string]any)
		types[fm["name"].(string)] = fm["type"]
		if a, ok := fm["alias"]; ok {
			aliases[fm["name"].(string)] = a
		}
	}
	assert.Equal(t, "Integer", types["id"])
	assert.Equal(t, "String", types["apn"])
	assert.Equal(t, "Geometry", types["geom"])
	assert.Equal(t, map[string]any{"apn": "Parcel number"}, aliases)
}

// Corrections 5: relationships on an unknown layer: GET 404, PUT 400.
func TestGen2RelationshipsUnknownLayer(t *testing.T) {
	t.Parallel()
	tg := startGen2(t, emulator.Faults{})
	_, err := tg.client.Gen2LayerFacet(t.Context(), 999, "relationships")
	assert.True(t, honua.IsNotFound(err), "%v", err)
	err = tg.client.Gen2PutLayerFacet(t.Context(), 999, "relationships", map[string]any{"relationships": []any{}})
	assert.Equal(t, http.StatusBadRequest, apiError(t, err).Status)
}

// Corrections 2 and 13: a second publish is 409; a duplicate connection
// name is 400; sslMode is stored in canonical casing.
func TestGen2PublishAndConnectionConflicts(t *testing.T) {
	t.Parallel()
	tg := startGen2(t, emulator.Faults{})
	body := map[string]any{"schema": "public", "table": "roads", "layerName": "roads", "serviceName": gen2Service, "fields": []any{}}
	l, err := tg.client.Gen2PublishLayer(t.Context(), gen2ConnID, body)
	require.NoError(t, err)
	assert.Equal(t, "roads", l.LayerName)
	_, err = tg.client.Gen2PublishLayer(t.Context(), gen2ConnID, body)
	assert.True(t, honua.IsConflict(err), "%v", err)

	conn := map[string]any{"name": "second", "host": "db", "port": 5432, "databaseName": "gis", "username": "u",
		"password": "p", "sslMode": "vErIfYfUlL", "sslRequired": true}
	id, err := tg.client.Gen2CreateConnection(t.Context(), conn)
	require.NoError(t, err)
	require.NotEmpty(t, id)
	_, err = tg.client.Gen2CreateConnection(t.Context(), conn)
	assert.Equal(t, http.StatusBadRequest, apiError(t, err).Status, "a duplicate name is 400, not 409")
	conns, err := tg.client.Gen2Connections(t.Context())
	require.NoError(t, err)
	for _, c := range conns {
		if c.ConnectionID == id {
			assert.Equal(t, "VerifyFull", c.SslMode)
		}
	}
}

// The client sends a Generation 2 write once: a 503 is not retried (a
// retry would be write 2, which succeeds and shows in the log).
func TestGen2WriteSentOnceOn503(t *testing.T) {
	t.Parallel()
	for name, write := range map[string]func(c *honua.Client, t *testing.T) error{
		"facet": func(c *honua.Client, t *testing.T) error {
			return c.Gen2PutLayerFacet(t.Context(), gen2Parcels, "popup-info", map[string]any{"a": 1})
		},
		"style": func(c *honua.Client, t *testing.T) error {
			return c.Gen2PutStyle(t.Context(), "parcels", map[string]any{"version": 8, "layers": []any{map[string]any{"id": "f", "type": "fill"}}})
		},
		"protocols": func(c *honua.Client, t *testing.T) error {
			return c.Gen2PutServiceProtocols(t.Context(), gen2Service, []string{"FeatureServer"})
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tg := startGen2(t, emulator.Faults{FailNthWrite: 1, WriteStatus: http.StatusServiceUnavailable})
			err := write(tg.client, t)
			ae := apiError(t, err)
			assert.Equal(t, http.StatusServiceUnavailable, ae.Status)
			l := tg.gen2Log(t)
			assert.Empty(t, l.Writes, "the write was sent once")
			assert.EqualValues(t, 1, l.Revision)
		})
	}
}
