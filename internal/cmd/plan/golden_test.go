package plan_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/plan")

// The example repository's plans are golden files: the documented contract
// of the plan JSON (testdata/plan/example-staging.json) and what people see.
func TestPlanGoldens(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	tests := []struct{ golden, format, env string }{
		{"example-staging.json", "json", "staging"},
		{"example-production.txt", "text", "production"},
		{"example-all.md", "markdown", ""},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			args := []string{"plan", "--dir", dir, "--format", tt.format}
			if tt.env == "" {
				args = append(args, "--all")
			} else {
				args = append(args, "--env", tt.env)
			}
			r := cmdtest.Run(t, nil, args...)
			require.Equal(t, app.ExitOK, r.Code, r.Stderr)
			path := filepath.Join(cmdtest.RepoRoot(t), "testdata", "plan", tt.golden)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(r.Stdout), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./internal/cmd/plan -update")
			assert.Equal(t, string(want), r.Stdout)
		})
	}
}
