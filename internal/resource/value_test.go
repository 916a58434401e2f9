package resource_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/resource"
)

func TestCanonicalJSON(t *testing.T) {
	v, err := resource.DecodeJSON([]byte(`{"b": [1.0, 2.5, "<&>"], "a": {"z": null, "y": 1e3}}`))
	require.NoError(t, err)
	b, err := resource.CanonicalJSON(v)
	require.NoError(t, err)
	assert.Equal(t, `{"a":{"y":1000,"z":null},"b":[1,2.5,"<&>"]}`, string(b))
}

func TestEqual(t *testing.T) {
	assert.True(t, resource.Equal(int64(1), 1.0))
	assert.True(t, resource.Equal(map[string]any{"a": []any{int64(1)}}, map[string]any{"a": []any{1.0}}))
	assert.False(t, resource.Equal(map[string]any{"a": nil}, map[string]any{}))
	assert.False(t, resource.Equal("1", int64(1)))
}

func TestValidateName(t *testing.T) {
	for _, bad := range []string{"", " ", "a b", "a/b", "a\tb", "a\u00a0b"} {
		assert.Error(t, resource.ValidateName(bad), "%q", bad)
	}
	assert.NoError(t, resource.ValidateName("parcels-2024_v1.0"))
}
