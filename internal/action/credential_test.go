package action

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// The honua-api-key input is HONUA_API_KEY: a target whose credential.env
// is set in the job's environment uses that variable, as at a desk, and
// one whose variable is unset falls back to the input.
func TestHonuaAPIKeyFollowsTheCredentialRule(t *testing.T) {
	env := &config.Environment{Name: "production", Targets: []config.Target{
		{Name: "east", URL: "https://east.example.org", CredentialEnv: "HONUA_EAST_KEY", CredentialType: config.APIKey},
		{Name: "west", URL: "https://west.example.org", CredentialEnv: "HONUA_WEST_KEY", CredentialType: config.APIKey},
		{Name: "default", URL: "https://default.example.org", CredentialEnv: config.DefaultCredentialEnv, CredentialType: config.APIKey},
	}}
	process := map[string]string{"HONUA_EAST_KEY": "east-secret", "HONUA_API_KEY": "process-default"}
	r := &runner{
		in:   Inputs{HonuaAPIKey: "input-key"},
		deps: Deps{Getenv: func(k string) string { return process[k] }},
		ws:   &usecase.Workspace{Config: &config.Config{Environments: []config.Environment{*env}}},
	}
	targets, err := cmdutil.TargetFlags{}.Resolve(env, r.environment(), true, "test")
	require.NoError(t, err)
	got := map[string]string{}
	for _, tg := range targets {
		got[tg.Name] = tg.Credential
	}
	assert.Equal(t, map[string]string{"east": "east-secret", "west": "input-key", "default": "input-key"}, got)
}
