package honua

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not-a-bundle.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	missing := filepath.Join(dir, "missing.pem")

	tests := []struct {
		name    string
		cfg     Config
		wantErr string
		never   string // must not appear in the error
	}{
		{name: "empty URL", cfg: Config{}, wantErr: "honua: the server URL is empty"},
		{name: "ftp scheme", cfg: Config{BaseURL: "ftp://honua.example.com"}, wantErr: "want an http:// or https:// URL"},
		{name: "no scheme", cfg: Config{BaseURL: "honua.example.com:8080"}, wantErr: "want an http:// or https:// URL"},
		{name: "no host", cfg: Config{BaseURL: "http:///api"}, wantErr: "has no host"},
		{name: "user info", cfg: Config{BaseURL: "https://admin:hunter2-pass@honua.example.com"}, wantErr: "carries user info", never: "hunter2-pass"},
		{name: "query", cfg: Config{BaseURL: "https://honua.example.com/?key=abc123secret"}, wantErr: "has a query or fragment", never: "abc123secret"},
		{name: "unparsable", cfg: Config{BaseURL: "http://[::1"}, wantErr: "not a valid URL"},
		{name: "auth type", cfg: Config{BaseURL: "http://h", Auth: "basic"}, wantErr: `auth type "basic": want "api-key" or "bearer"`},
		{name: "credential with newline", cfg: Config{BaseURL: "http://h", Credential: "line1-secret\n"}, wantErr: "control character", never: "line1-secret"},
		{name: "missing CA file", cfg: Config{BaseURL: "https://h", CAFile: missing}, wantErr: "read the CA bundle " + missing + ": no such file or directory"},
		{name: "CA file without PEM", cfg: Config{BaseURL: "https://h", CAFile: notPEM}, wantErr: "the CA bundle " + notPEM + " holds no PEM certificate"},
		{name: "CA file and HTTP client", cfg: Config{BaseURL: "https://h", CAFile: notPEM, HTTPClient: &http.Client{}}, wantErr: "CAFile cannot be combined with HTTPClient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tt.wantErr)
			if tt.never != "" {
				assert.NotContains(t, err.Error(), tt.never)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	c, err := New(Config{BaseURL: "https://gis.example.com/honua/"})
	require.NoError(t, err)
	assert.Equal(t, "https://gis.example.com/honua", c.BaseURL())
	assert.Equal(t, "/honua", c.prefix)
	assert.Equal(t, DefaultTimeout, c.timeout)
	assert.Equal(t, RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond, MaxDelay: 5 * time.Second}, c.retry)
	assert.Equal(t, AuthAPIKey, c.cred.auth)
	assert.Equal(t, DefaultUserAgent, c.ua)
	assert.NotNil(t, c.http.CheckRedirect, "redirects are refused so the key never follows one")

	own := &http.Client{Timeout: time.Second}
	c, err = New(Config{BaseURL: "http://h", HTTPClient: own, Retry: RetryPolicy{MaxAttempts: 1, BaseDelay: time.Second, MaxDelay: time.Millisecond}})
	require.NoError(t, err)
	assert.Nil(t, own.CheckRedirect, "the caller's client is not modified")
	assert.NotNil(t, c.http.CheckRedirect)
	assert.Equal(t, RetryPolicy{MaxAttempts: 1, BaseDelay: time.Second, MaxDelay: time.Second}, c.retry, "MaxDelay is at least BaseDelay")
}

func TestConfigAndClientNeverPrintTheCredential(t *testing.T) {
	t.Parallel()
	const secret = "cfg-print-secret-77"
	cfg := Config{BaseURL: "http://h", Credential: secret}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", cfg)
	c, err := New(cfg)
	require.NoError(t, err)
	for _, s := range []string{
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(cfg),
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%+v", *c),
		logs.String(),
	} {
		assert.NotContains(t, s, secret)
	}
	assert.Contains(t, cfg.String(), "Credential: ***")
	assert.NotContains(t, Config{BaseURL: "https://u:pw-in-url@h/?k=v"}.String(), "pw-in-url")
	assert.Contains(t, Config{}.String(), `Credential: ""`)
}
