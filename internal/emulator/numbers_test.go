package emulator

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeNumber(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"1.50e1", "15.0"}, // Appendix B.3's example
		{"15", "15"},
		{"1.0", "1.0"},
		{"1e2", "100"},
		{"1E+2", "100"},
		{"1E-3", "0.001"},
		{"12.5e-1", "1.25"},
		{"100e-2", "1.00"},
		{"0.0010", "0.0010"},
		{"-0", "0"},
		{"-0.0", "0.0"},
		{"-2.5e1", "-25"},
		{"4326", "4326"},
		{"1e2000", "1e2000"}, // kept as written rather than expanded
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, normalizeNumber(tt.in))
		})
	}
}

func TestStoredSpecNormalisesNestedNumbers(t *testing.T) {
	t.Parallel()
	obj, err := parseObject(json.RawMessage(`{"b":[1.50e1,{"c":2E0}],"a":"x"}`))
	require.NoError(t, err)
	raw, err := canonicalJSON(obj)
	require.NoError(t, err)
	assert.Equal(t, `{"a":"x","b":[1.50e1,{"c":2E0}]}`, string(raw), "canonical form keeps number text and sorts keys")
	stored, err := storedSpec(DeclaredResource{Spec: raw})
	require.NoError(t, err)
	assert.Equal(t, `{"a":"x","b":[15.0,{"c":2}]}`, string(stored))
	assert.NotEqual(t, specHash(raw), specHash(stored), "the trap: hashes differ once the store normalises")
}
