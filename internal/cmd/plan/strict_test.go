package plan_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
)

// plan plans past a warning, but --strict refuses it with exit 2, naming the
// key where it is.
func TestPlanStrictTurnsWarningsIntoErrors(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	typo := "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata:\n  name: typo-layer\n  namespace: planning\nspec:\n" +
		"  tableName: parcels\n  schemaName: landrecords\n  geometryType: MultiPolygon\n  srid: 4326\n  enabeld: true\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "environments/common/zz-typo.yaml"), []byte(typo), 0o644))

	tests := []struct {
		name string
		args []string
		code app.ExitCode
	}{
		{"warnings do not stop a plan", nil, app.ExitOK},
		{"--strict refuses", []string{"--strict"}, app.ExitInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cmdtest.Run(t, nil, append([]string{"plan", "--dir", dir, "--env", "staging"}, tt.args...)...)
			require.Equal(t, tt.code, r.Code, r.Stdout+r.Stderr)
			if tt.code == app.ExitInvalid {
				assert.Contains(t, r.Stdout+r.Stderr,
					"environments/common/zz-typo.yaml:11:3: Layer/planning/typo-layer: spec.enabeld is not a key Honua knows (did you mean `enabled`?)")
			}
		})
	}

	// The example itself has nothing to be strict about.
	r := cmdtest.Run(t, nil, "plan", "--dir", cmdtest.CopyExample(t), "--env", "production", "--strict")
	assert.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
}
