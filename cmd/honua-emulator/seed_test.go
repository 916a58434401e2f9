package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeedFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "seed.json")
	require.NoError(t, os.WriteFile(good, []byte(`{"services":[{"name":"cadastre","enabledProtocols":["FeatureServer"]}],
 "connections":[{"name":"gis","host":"db","databaseName":"gis","username":"u","secretReference":"env://X","secretType":"environment",
   "tables":[{"schema":"public","table":"parcels","columns":[{"name":"id","type":"Integer"}]}]}],
 "layers":[{"layerId":1,"connection":"gis","serviceName":"cadastre","layerName":"parcels","schema":"public","table":"parcels"}]}`), 0o600))
	unknown := filepath.Join(dir, "unknown.json")
	require.NoError(t, os.WriteFile(unknown, []byte(`{"servces":[]}`), 0o600))

	o, err := parseFlags([]string{"--api-key", "k", "--generation", "2", "--seed", good}, io.Discard)
	require.NoError(t, err)
	require.NotNil(t, o.Gen2Seed)
	assert.Equal(t, "cadastre", o.Gen2Seed.Services[0].Name)
	assert.Equal(t, 1, o.Gen2Seed.Layers[0].LayerID)

	_, err = parseFlags([]string{"--api-key", "k", "--seed", good}, io.Discard)
	require.ErrorContains(t, err, "`--seed` needs `--generation 2`")
	_, err = parseFlags([]string{"--api-key", "k", "--generation", "2", "--seed", unknown}, io.Discard)
	require.ErrorContains(t, err, "unknown field")
	_, err = parseFlags([]string{"--api-key", "k", "--generation", "2", "--seed", filepath.Join(dir, "missing.json")}, io.Discard)
	require.ErrorContains(t, err, "`--seed`")
}

// The example repository's seed loads through the flag.
func TestRivertonSeedFlag(t *testing.T) {
	t.Parallel()
	o, err := parseFlags([]string{"--api-key", "k", "--generation", "2", "--seed", "../../internal/emulator/seeds/riverton.gen2.json"}, io.Discard)
	require.NoError(t, err)
	require.Len(t, o.Gen2Seed.Databases, 1)
	assert.Equal(t, "*", o.Gen2Seed.Databases[0].Host)
	assert.Len(t, o.Gen2Seed.Services, 3)
}
