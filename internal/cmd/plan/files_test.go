package plan_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
)

// A variables file that links outside the repository is refused: its values
// must never reach the plan.
func TestPlanRefusesVariablesFileOutsideRepository(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	outside := filepath.Join(t.TempDir(), "secrets.yaml")
	require.NoError(t, os.WriteFile(outside, []byte("DB_HOST: leaked-host.outside.example\nDB_NAME: leaked_db\nDB_SSL_MODE: prefer\nMAX_RECORD_COUNT: 1\n"), 0o644))
	// variablesFile outside the environment's directory: the directory walk
	// never sees it, only the file reader does.
	cfgFile := filepath.Join(dir, "honua-gitops.yaml")
	cfg, err := os.ReadFile(cfgFile)
	require.NoError(t, err)
	cfg = bytes.Replace(cfg, []byte("variablesFile: environments/development/variables.yaml"), []byte("variablesFile: vars/development.yaml"), 1)
	require.NoError(t, os.WriteFile(cfgFile, cfg, 0o644))
	require.NoError(t, os.Remove(filepath.Join(dir, "environments/development/variables.yaml")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "vars"), 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "vars/development.yaml")))

	for _, format := range []string{"text", "json", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := cmdtest.Run(t, nil, "plan", "--env", "development", "--format", format, "--dir", dir)
			assert.Equal(t, app.ExitInvalid, r.Code, r.Stdout+r.Stderr)
			// With --format json the diagnostics are in the JSON error.
			assert.Regexp(t, `vars/development.yaml(: |"\s*},)`, r.Stdout+r.Stderr)
			assert.Contains(t, r.Stdout+r.Stderr, "outside the repository")
			assert.NotContains(t, r.Stdout+r.Stderr, "leaked")
		})
	}
}
