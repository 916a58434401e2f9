package root_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/gittest"
)

// A bad command line is invalid input (exit 2), whichever command it is.
func TestUsageErrorsExitInvalid(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	tests := []struct {
		name string
		args []string
	}{
		{"missing argument", []string{"deployment", "--dir", dir}},
		{"extra argument", []string{"plan", "staging", "--dir", dir}},
		{"extra argument to version", []string{"version", "now"}},
		{"unknown command", []string{"deploy"}},
		{"unknown flag", []string{"plan", "--bogus"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, nil, tt.args...)
			assert.Equal(t, app.ExitInvalid, res.Code, res.Stderr)
			assert.Contains(t, res.Stderr, "error:")
		})
	}
}

func TestVersionFlagPrintsVersion(t *testing.T) {
	flag := cmdtest.Run(t, nil, "--version")
	cmd := cmdtest.Run(t, nil, "version")
	require.Equal(t, app.ExitOK, flag.Code, flag.Stderr)
	assert.Equal(t, cmd.Stdout, flag.Stdout)
	assert.Contains(t, flag.Stdout, "honua-gitops test")
}

func TestVersionJSON(t *testing.T) {
	for _, format := range []string{"json", "JSON", "Json"} {
		t.Run(format, func(t *testing.T) {
			res := cmdtest.Run(t, nil, "version", "--format", format)
			require.Equal(t, app.ExitOK, res.Code, res.Stderr)
			var v map[string]any
			require.NoError(t, json.Unmarshal([]byte(res.Stdout), &v), res.Stdout)
			assert.Equal(t, "test", v["version"])
			assert.NotEmpty(t, v["go"])
		})
	}
}

// Every command takes --format in any case, through one helper.
func TestFormatIsCaseInsensitive(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	tests := [][]string{
		{"validate", "--dir", dir, "--format", "JSON"},
		{"plan", "--dir", dir, "--env", "staging", "--format", "Json"},
		{"plan", "--dir", dir, "--env", "staging", "--format", "MarkDown"},
		{"deployments", "--dir", dir, "--format", "JSON"},
		{"status", "--dir", dir, "--format", "JSON"},
	}
	for _, args := range tests {
		t.Run(args[0]+" "+args[len(args)-1], func(t *testing.T) {
			res := cmdtest.Run(t, map[string]string{}, args...)
			assert.Equal(t, app.ExitOK, res.Code, res.Stderr)
		})
	}
}

func TestUnknownFormatIsInvalid(t *testing.T) {
	res := cmdtest.Run(t, nil, "version", "--format", "yaml")
	assert.Equal(t, app.ExitInvalid, res.Code)
	assert.Contains(t, res.Stderr, "yaml")
}

// With --format json a failure is a JSON document on stderr too.
func TestJSONErrors(t *testing.T) {
	dir := cmdtest.CopyExample(t)
	tests := []struct {
		name string
		args []string
		code app.ExitCode
	}{
		{"missing argument", []string{"deployment", "--dir", dir, "--format", "json"}, app.ExitInvalid},
		{"extra argument", []string{"plan", "staging", "--dir", dir, "--format", "JSON"}, app.ExitInvalid},
		{"flag error", []string{"plan", "--dir", dir, "--format", "json"}, app.ExitInvalid},
		{"not a repository", []string{"deployments", "--dir", dir, "--format", "json"}, app.ExitInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cmdtest.Run(t, nil, tt.args...)
			assert.Equal(t, tt.code, res.Code)
			var doc struct {
				Error struct {
					Message  string `json:"message"`
					ExitCode int    `json:"exitCode"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal([]byte(res.Stderr), &doc), res.Stderr)
			assert.NotEmpty(t, doc.Error.Message)
			assert.Equal(t, int(tt.code), doc.Error.ExitCode)
		})
	}
}
