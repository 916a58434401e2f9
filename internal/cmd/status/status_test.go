package status_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/gittest"
)

const key = "status-test-admin-key-3b9f"

type statusDoc struct {
	Environments []struct {
		Environment string         `json:"environment"`
		Drift       map[string]int `json:"drift"`
		DriftNote   string         `json:"driftNote"`
	} `json:"environments"`
}

// stagingOnEmulator is a git checkout of the example with staging's
// configured target (credential.env HONUA_STAGING_API_KEY) on an emulator.
func stagingOnEmulator(t *testing.T) (dir, url string) {
	t.Helper()
	s, err := emulator.Start(context.Background(), emulator.Options{APIKey: key})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	dir = cmdtest.CopyExample(t)
	p := filepath.Join(dir, "honua-gitops.yaml")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "https://honua-staging.example.org", s.URL)), 0o644))
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	return dir, s.URL
}

// With HONUA_API_KEY set, status checks drift instead of saying there is
// no target credential.
func TestStatusUsesHonuaAPIKey(t *testing.T) {
	dir, _ := stagingOnEmulator(t)
	r := cmdtest.Run(t, map[string]string{"HONUA_API_KEY": key}, "status", "--env", "staging", "--dir", dir, "--format", "json")
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	var doc statusDoc
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &doc), r.Stdout)
	require.Len(t, doc.Environments, 1)
	assert.NotContains(t, doc.Environments[0].DriftNote, "no target credential")
	assert.Contains(t, doc.Environments[0].Drift, "staging")
}

// One --target URL is one server; comparing every environment with it
// would report nonsense drift, so status refuses it without --env.
func TestStatusTargetNeedsEnv(t *testing.T) {
	dir, url := stagingOnEmulator(t)
	r := cmdtest.Run(t, map[string]string{"HONUA_API_KEY": key}, "status", "--dir", dir, "--target", url)
	assert.Equal(t, app.ExitInvalid, r.Code)
	assert.Contains(t, r.Stderr, "--env")
	r = cmdtest.Run(t, map[string]string{"HONUA_API_KEY": key}, "status", "--dir", dir, "--target", url, "--env", "staging")
	assert.Equal(t, app.ExitOK, r.Code, r.Stderr)
}
