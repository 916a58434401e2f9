package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/config"
)

func repo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
	return dir
}

func TestDefaultsWithoutConfigFile(t *testing.T) {
	dir := repo(t, map[string]string{
		"environments/common/a.yaml": "", "environments/production/a.yaml": "", "environments/qa/a.yaml": "",
		"environments/development/a.yaml": "", "environments/staging/a.yaml": "", "environments/.hidden/a.yaml": "",
	})
	cfg, d := config.Load(dir)
	require.Empty(t, d)
	assert.Equal(t, []string{"development", "staging", "production", "qa"}, cfg.EnvironmentNames(), "promotion order first, then by name")
	assert.Equal(t, config.DefaultStateBranch, cfg.StateBranch)
	assert.Equal(t, "environments/staging/variables.yaml", cfg.Environment("staging").VariablesFile)
	assert.Empty(t, cfg.File)
}

func TestConfigFile(t *testing.T) {
	dir := repo(t, map[string]string{config.FileName: `stateBranch: gis/state
policyFile: .honua/policy.yaml
environments:
  prod:
    path: envs/prod
    namespaces: [city]
    targets:
      - {name: east, url: "https://east.example.org", credential: {env: EAST_KEY, type: bearer}}
      - {url: "https://west.example.org"}
  dev:
`})
	cfg, d := config.Load(dir)
	require.Empty(t, d)
	assert.Equal(t, []string{"prod", "dev"}, cfg.EnvironmentNames(), "declared order is kept")
	prod := cfg.Environment("prod")
	assert.Equal(t, "envs/prod", prod.Path)
	assert.True(t, prod.PathSet)
	assert.Equal(t, []config.Target{
		{Name: "east", URL: "https://east.example.org", CredentialEnv: "EAST_KEY", CredentialType: config.Bearer},
		{Name: "target-2", URL: "https://west.example.org", CredentialEnv: "HONUA_API_KEY", CredentialType: config.APIKey},
	}, prod.Targets)
	assert.Equal(t, "environments/dev", cfg.Environment("dev").Path)
	assert.Equal(t, "gis/state", cfg.StateBranch)
}

func TestConfigErrors(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"unknown key", "stateBrnch: x\n", `honua-gitops.yaml:1:1: unknown key "stateBrnch"`},
		{"path leaves repo", "environments:\n  dev: {path: ../elsewhere}\n", `honua-gitops.yaml:2:15: path: path "../elsewhere" leaves the repository`},
		{"reserved name", "environments:\n  common: {}\n", `"common" is reserved`},
		{"bad env name", "environments:\n  Prod: {}\n", `environment name "Prod" must be lowercase`},
		{"credential in file", "environments:\n  dev:\n    targets: [{url: 'https://x', credential: {value: abc}}]\n", "credentials must not be written in honua-gitops.yaml"},
		{"bad url", "environments:\n  dev:\n    targets: [{url: 'ftp://x'}]\n", `target url "ftp://x" must start with http:// or https://`},
		{"duplicate target", "environments:\n  dev:\n    targets: [{name: a, url: 'https://x'}, {name: a, url: 'https://y'}]\n", `target name "a" is used twice`},
		{"bad branch", "stateBranch: 'a..b'\n", `"a..b" is not a valid git branch name`},
		{"syntax", "environments: [\n", "invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, d := config.Load(repo(t, map[string]string{config.FileName: tt.file}))
			require.True(t, d.HasErrors())
			assert.Contains(t, d.Error(), tt.want)
			assert.NotContains(t, d.Error(), "abc", "a credential value is never echoed")
		})
	}
}

func TestNoEnvironments(t *testing.T) {
	_, d := config.Load(t.TempDir())
	require.True(t, d.HasErrors())
	assert.True(t, strings.Contains(d.Error(), "no environments: directory environments/ not found"))
}

// honua-gitops.yaml is read through repofile: a link inside the repository
// is followed; one outside it, a FIFO or an oversized file is refused.
func TestConfigFileIsReadOnlyInsideTheRepository(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		message string // empty: loads cleanly
	}{
		{
			name: "linked inside",
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "real.yaml"), []byte("stateBranch: gis/state\n"), 0o644))
				require.NoError(t, os.Symlink("real.yaml", filepath.Join(dir, config.FileName)))
			},
		},
		{
			name: "linked outside",
			setup: func(t *testing.T, dir string) {
				out := filepath.Join(t.TempDir(), "c.yaml")
				require.NoError(t, os.WriteFile(out, []byte("stateBranch: leaked/state\n"), 0o644))
				require.NoError(t, os.Symlink(out, filepath.Join(dir, config.FileName)))
			},
			message: config.FileName + ": symbolic link points outside the repository",
		},
		{
			name: "FIFO",
			setup: func(t *testing.T, dir string) {
				require.NoError(t, syscall.Mkfifo(filepath.Join(dir, config.FileName), 0o644))
			},
			message: config.FileName + ": file is a named pipe (FIFO), not a regular file",
		},
		{
			name: "too large",
			setup: func(t *testing.T, dir string) {
				p := filepath.Join(dir, config.FileName)
				require.NoError(t, os.WriteFile(p, nil, 0o644))
				require.NoError(t, os.Truncate(p, 32<<20+1))
			},
			message: config.FileName + ": file is 33554433 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := repo(t, map[string]string{"environments/dev/a.yaml": ""})
			tt.setup(t, dir)
			type result struct {
				cfg *config.Config
				d   string
				bad bool
			}
			done := make(chan result, 1)
			go func() { cfg, d := config.Load(dir); done <- result{cfg, d.Error(), d.HasErrors()} }()
			var r result
			select {
			case r = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("config.Load blocked on a file that is not a regular file")
			}
			if tt.message == "" {
				require.False(t, r.bad, r.d)
				assert.Equal(t, "gis/state", r.cfg.StateBranch)
				return
			}
			require.True(t, r.bad)
			assert.Contains(t, r.d, tt.message)
			assert.NotContains(t, r.d, "leaked")
		})
	}
}
