package action_test

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/honua-io/honua-gitops/internal/action"
)

type actionYML struct {
	Inputs  map[string]struct{ Default string } `yaml:"inputs"`
	Outputs map[string]any                      `yaml:"outputs"`
	Runs    struct {
		Using string   `yaml:"using"`
		Image string   `yaml:"image"`
		Args  []string `yaml:"args"`
	} `yaml:"runs"`
}

func load(t *testing.T, rel string) actionYML {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", rel))
	require.NoError(t, err)
	var a actionYML
	require.NoError(t, yaml.Unmarshal(data, &a))
	return a
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// action.yml, the act test shim and the code declare the same inputs and
// outputs, with the same defaults: the end-to-end tests prove the real
// contract.
func TestActionYAMLAndShimAgree(t *testing.T) {
	real := load(t, "action.yml")
	shim := load(t, "testdata/e2e/shim/action.yml")
	wantIn := action.InputNames()
	slices.Sort(wantIn)
	wantOut := action.OutputNames()
	slices.Sort(wantOut)
	assert.Equal(t, wantIn, keys(real.Inputs), "action.yml inputs")
	assert.Equal(t, wantIn, keys(shim.Inputs), "shim inputs")
	assert.Equal(t, wantOut, keys(real.Outputs), "action.yml outputs")
	assert.Equal(t, wantOut, keys(shim.Outputs), "shim outputs")
	for k, v := range real.Inputs {
		assert.Equal(t, v.Default, shim.Inputs[k].Default, "default of %s", k)
	}
	assert.Equal(t, "docker", real.Runs.Using)
	assert.Equal(t, []string{"action"}, real.Runs.Args)
	assert.Equal(t, "composite", shim.Runs.Using)
}
