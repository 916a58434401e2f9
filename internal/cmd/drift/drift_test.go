package drift_test

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
)

const key = "drift-test-admin-key-7a2e"

// stagingOnEmulator copies the example with staging's configured target
// (credential.env HONUA_STAGING_API_KEY) pointed at an emulator.
func stagingOnEmulator(t *testing.T) string {
	t.Helper()
	s, err := emulator.Start(context.Background(), emulator.Options{APIKey: key})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	dir := cmdtest.CopyExample(t)
	p := filepath.Join(dir, "honua-gitops.yaml")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "https://honua-staging.example.org", s.URL)), 0o644))
	return dir
}

// HONUA_API_KEY serves a configured target whose credential.env is unset.
func TestDriftConfiguredTargetFallsBackToHonuaAPIKey(t *testing.T) {
	dir := stagingOnEmulator(t)
	r := cmdtest.Run(t, map[string]string{"HONUA_API_KEY": key}, "drift", "--env", "staging", "--dir", dir, "--format", "json")
	require.Equal(t, app.ExitOK, r.Code, r.Stderr)
	var doc struct {
		Targets []struct {
			Target string `json:"target"`
			Error  string `json:"error"`
		} `json:"targets"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &doc), r.Stdout)
	require.Len(t, doc.Targets, 1)
	assert.Equal(t, "staging", doc.Targets[0].Target)
	assert.Empty(t, doc.Targets[0].Error)
}

func TestDriftWithoutAnyCredentialIsInvalid(t *testing.T) {
	dir := stagingOnEmulator(t)
	r := cmdtest.Run(t, map[string]string{}, "drift", "--env", "staging", "--dir", dir)
	assert.Equal(t, app.ExitInvalid, r.Code)
	assert.Contains(t, r.Stderr, "neither HONUA_STAGING_API_KEY nor HONUA_API_KEY is set")
}
