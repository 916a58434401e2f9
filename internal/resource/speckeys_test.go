package resource_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/schemas"
)

// Every kind has a row, and every key Honua requires is a known key.
func TestSpecKeysCoverEveryKind(t *testing.T) {
	for _, k := range resource.Kinds() {
		t.Run(k.Name, func(t *testing.T) {
			keys, ok := resource.KnownSpecKeys(k.Name)
			require.True(t, ok, "no spec key row for %s", k.Name)
			for _, req := range k.RequiredSpec {
				assert.Contains(t, keys.Keys, req)
			}
			for _, ref := range k.Refs {
				assert.Contains(t, keys.Keys, ref.Field)
			}
			assert.Len(t, keys.Keys, len(uniq(keys.Keys)), "duplicate keys")
		})
	}
}

// The Generation 1 resource schema the editors use and the table agree: a
// key the schema offers is never reported unknown.
func TestSpecKeysIncludeResourceSchema(t *testing.T) {
	raw, ok := schemas.Get("resource")
	require.True(t, ok)
	var doc struct {
		Defs map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	for _, k := range resource.Kinds() {
		def, ok := doc.Defs[k.Name+"Spec"]
		require.True(t, ok, k.Name)
		keys, _ := resource.KnownSpecKeys(k.Name)
		for p := range def.Properties {
			assert.Contains(t, keys.Keys, p, "%s: schema key %s", k.Name, p)
		}
	}
}

func TestIsKnownSpecKey(t *testing.T) {
	tests := []struct {
		kind, key string
		want      bool
	}{
		{"Layer", "enabled", true},
		{"layer", "popupInfo", true}, // kinds in any spelling, Generation 2 keys
		{"Layer", "enabeld", false},
		{"Layer", "Enabled", false}, // Honua reads keys case-sensitively
		{"Style", "style", true},
		{"Service", "enabledProtocols", true},
		{"Relationship", "cardinality", true},
		{"Connection", "hostname", false},
		{"Theme", "primaryColor", true}, // open kind
		{"MapTemplate", "zoom", true},   // open kind
		{"Unknown", "anything", true},   // unknown kinds are reported elsewhere
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, resource.IsKnownSpecKey(tt.kind, tt.key), "%s.%s", tt.kind, tt.key)
	}
}

func uniq(s []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}
