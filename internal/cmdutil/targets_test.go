package cmdutil_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/config"
)

// One credential rule: a --target URL uses HONUA_API_KEY; a configured
// target uses its credential.env, else HONUA_API_KEY.
func TestResolveCredentialRule(t *testing.T) {
	env := &config.Environment{Name: "staging", Targets: []config.Target{
		{Name: "staging", URL: "https://staging.example.org", CredentialEnv: "HONUA_STAGING_API_KEY", CredentialType: config.APIKey},
	}}
	tests := []struct {
		name    string
		targets []string
		vars    map[string]string
		want    string
		wantErr string
	}{
		{name: "configured target, its variable", vars: map[string]string{"HONUA_STAGING_API_KEY": "staging-key", "HONUA_API_KEY": "default-key"}, want: "staging-key"},
		{name: "configured target, falls back to HONUA_API_KEY", vars: map[string]string{"HONUA_API_KEY": "default-key"}, want: "default-key"},
		{name: "configured target by name", targets: []string{"staging"}, vars: map[string]string{"HONUA_API_KEY": "default-key"}, want: "default-key"},
		{name: "URL uses HONUA_API_KEY", targets: []string{"http://127.0.0.1:8080"}, vars: map[string]string{"HONUA_API_KEY": "default-key", "HONUA_STAGING_API_KEY": "staging-key"}, want: "default-key"},
		{name: "neither set", vars: map[string]string{}, wantErr: "neither HONUA_STAGING_API_KEY nor HONUA_API_KEY is set"},
		{name: "URL without HONUA_API_KEY", targets: []string{"http://127.0.0.1:8080"}, vars: map[string]string{"HONUA_STAGING_API_KEY": "k"}, wantErr: "HONUA_API_KEY is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := cmdutil.TargetFlags{Targets: tt.targets}
			got, err := f.Resolve(env, func(k string) string { return tt.vars[k] }, true, "test")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, app.ExitInvalid, app.CodeFor(err))
				return
			}
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, tt.want, got[0].Credential)
		})
	}
}
