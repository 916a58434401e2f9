package honua

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An inventory entry's status decodes as a lifecycle name, or from the
// graph's {lifecycle, state}; any other shape is no lifecycle, never an
// unreadable inventory.
func TestGen2InventoryEntryLifecycle(t *testing.T) {
	var inv Gen2Inventory
	require.NoError(t, json.Unmarshal([]byte(`{"revision":3,"entries":[
		{"semanticId":"res.a","name":"a","status":"retired"},
		{"semanticId":"res.b","name":"b","status":{"lifecycle":"archived","state":"ready"}},
		{"semanticId":"res.c","name":"c"},
		{"semanticId":"res.d","name":"d","status":7}]}`), &inv))
	require.Len(t, inv.Entries, 4)
	assert.Equal(t, Gen2Lifecycle("retired"), inv.Entries[0].Status)
	assert.Equal(t, Gen2Lifecycle("archived"), inv.Entries[1].Status)
	assert.Equal(t, Gen2Lifecycle(""), inv.Entries[2].Status)
	assert.Equal(t, Gen2Lifecycle(""), inv.Entries[3].Status)
	assert.Equal(t, int64(3), inv.Revision)
}
