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
