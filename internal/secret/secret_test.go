package secret_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/secret"
)

func TestResolve(t *testing.T) {
	r := &resource.Resource{Kind: "Connection", Metadata: resource.Metadata{Name: "db", Namespace: "default"}, Spec: map[string]any{
		"password": "${secret:PW}", "connectionString": "Host=h;Password=${secret:PW};User=${secret:USER}", "list": []any{"${secret:PW}"}}}
	env := map[string]string{"PW": "pa55word", "USER": "honua"}
	out, values, err := secret.Resolve(r, func(n string) (string, bool) { v, ok := env[n]; return v, ok })
	require.NoError(t, err)
	assert.Equal(t, "pa55word", out.Spec["password"])
	assert.Equal(t, "Host=h;Password=pa55word;User=honua", out.Spec["connectionString"])
	assert.Equal(t, []any{"pa55word"}, out.Spec["list"])
	assert.Equal(t, "${secret:PW}", r.Spec["password"], "the input is not modified")
	assert.ElementsMatch(t, []string{"pa55word", "pa55word", "honua", "pa55word"}, values)
	assert.Equal(t, []string{"PW", "USER"}, secret.Names(r))

	_, _, err = secret.Resolve(r, func(string) (string, bool) { return "", false })
	var missing *secret.MissingError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, []string{"PW", "USER"}, missing.Names)
}

// Issue 9 item 2: $${secret:NAME} is the literal text, never resolved.
func TestEscapedPlaceholderIsLiteral(t *testing.T) {
	r := &resource.Resource{Kind: "Theme", Metadata: resource.Metadata{Name: "t", Namespace: "default"}, Spec: map[string]any{
		"help": "write $${secret:PW} in a password field", "password": "${secret:PW}", "both": "$${secret:PW} is ${secret:PW}"}}
	out, values, err := secret.Resolve(r, func(string) (string, bool) { return "pa55word", true })
	require.NoError(t, err)
	assert.Equal(t, "write ${secret:PW} in a password field", out.Spec["help"])
	assert.Equal(t, "${secret:PW} is pa55word", out.Spec["both"])
	assert.Equal(t, []string{"pa55word", "pa55word"}, values)
	assert.Equal(t, []string{"PW"}, secret.Names(r))

	tests := []struct {
		in    string
		refs  []string
		whole bool
		has   bool
	}{
		{"${secret:A}", []string{"A"}, true, true},
		{"$${secret:A}", nil, false, true},
		{"x ${secret:A} ${secret:B} ${secret:A}", []string{"A", "B"}, false, true},
		{"${secret:9A}", nil, false, true},
		{"${A}", nil, false, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.refs, secret.Refs(tt.in), tt.in)
		assert.Equal(t, tt.whole, secret.IsWhole(tt.in), tt.in)
		assert.Equal(t, tt.has, secret.Has(tt.in), tt.in)
	}
}

func TestReserved(t *testing.T) {
	for name, want := range map[string]bool{"HONUA_API_KEY": true, "GITHUB_TOKEN": true, "GITHUB_SHA": true, "ACTIONS_RUNTIME_TOKEN": true,
		"RUNNER_TEMP": true, "HONUA_GITOPS_GIT_TOKEN": true, "PROD_KEY": true, "PARCELS_DB_PASSWORD": false} {
		assert.Equal(t, want, secret.Reserved(name, []string{"PROD_KEY"}), name)
	}
}
