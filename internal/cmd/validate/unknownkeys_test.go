package validate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
)

// typoLayer is a valid layer but for one misspelt key, on line 11, column 3.
const typoLayer = `apiVersion: honua.io/v1alpha1
kind: Layer
metadata:
  name: typo-layer
  namespace: planning
spec:
  tableName: parcels
  schemaName: landrecords
  geometryType: MultiPolygon
  srid: 4326
  enabeld: true
`

const typoFile = "environments/common/zz-typo.yaml"

func withTypo(t *testing.T) string {
	t.Helper()
	dir := cmdtest.CopyExample(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, typoFile), []byte(typoLayer), 0o644))
	return dir
}

type problem struct {
	Pos struct {
		File string `json:"file"`
		Line int    `json:"line"`
		Col  int    `json:"col"`
	} `json:"pos"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Hint     string `json:"hint"`
}

type result struct {
	Valid    bool      `json:"valid"`
	Problems []problem `json:"problems"`
}

// The example uses only keys Honua knows: validate prints no warning at all,
// in text or JSON.
func TestValidateExampleHasNoWarnings(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	r := cmdtest.Run(t, nil, "validate", "--dir", dir)
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
	assert.NotContains(t, r.Stdout, "warning")

	r = cmdtest.Run(t, nil, "validate", "--dir", dir, "--format", "json")
	require.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
	var res result
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &res))
	assert.True(t, res.Valid)
	assert.Empty(t, res.Problems)

	r = cmdtest.Run(t, nil, "validate", "--dir", dir, "--strict")
	assert.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
}

// A misspelt spec key is a warning at the key, with the known key it is
// closest to; --strict makes it an error.
func TestValidateUnknownSpecKey(t *testing.T) {
	dir := withTypo(t)
	want := typoFile + ":11:3: warning: Layer/planning/typo-layer: spec.enabeld is not a key Honua knows (did you mean `enabled`?)"

	tests := []struct {
		name string
		args []string
		code app.ExitCode
	}{
		{"warning by default", nil, app.ExitOK},
		{"error with --strict", []string{"--strict"}, app.ExitInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cmdtest.Run(t, nil, append([]string{"validate", "--dir", dir}, tt.args...)...)
			assert.Equal(t, tt.code, r.Code, r.Stdout+r.Stderr)
			lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
			if tt.code == app.ExitOK {
				assert.Equal(t, []string{want, "valid: development, staging, production"}, lines)
				return
			}
			// An error has no "warning: " prefix.
			assert.Equal(t, []string{strings.Replace(want, "warning: ", "", 1)}, lines)
		})
	}
}

// In JSON every problem carries its severity; --strict reports the warning
// as an error.
func TestValidateJSONSeverity(t *testing.T) {
	dir := withTypo(t)
	tests := []struct {
		name     string
		args     []string
		code     app.ExitCode
		valid    bool
		severity string
	}{
		{"warning", nil, app.ExitOK, true, "warning"},
		{"strict", []string{"--strict"}, app.ExitInvalid, false, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cmdtest.Run(t, nil, append([]string{"validate", "--dir", dir, "--format", "json"}, tt.args...)...)
			require.Equal(t, tt.code, r.Code, r.Stdout+r.Stderr)
			var res result
			require.NoError(t, json.Unmarshal([]byte(r.Stdout), &res), r.Stdout)
			assert.Equal(t, tt.valid, res.Valid)
			require.Len(t, res.Problems, 1)
			p := res.Problems[0]
			assert.Equal(t, tt.severity, p.Severity)
			assert.Equal(t, typoFile, p.Pos.File)
			assert.Equal(t, 11, p.Pos.Line)
			assert.Equal(t, 3, p.Pos.Col)
			assert.Equal(t, "did you mean `enabled`?", p.Hint)
		})
	}
	// Errors carry their severity too.
	bad := cmdtest.CopyExample(t)
	require.NoError(t, os.WriteFile(filepath.Join(bad, typoFile), []byte(strings.Replace(typoLayer, "  srid: 4326\n", "", 1)), 0o644))
	r := cmdtest.Run(t, nil, "validate", "--dir", bad, "--format", "json")
	require.Equal(t, app.ExitInvalid, r.Code, r.Stdout+r.Stderr)
	var res result
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &res), r.Stdout)
	sev := map[string]string{}
	for _, p := range res.Problems {
		sev[p.Message] = p.Severity
	}
	assert.Equal(t, "error", sev["Layer/planning/typo-layer is missing required field spec.srid"])
}
