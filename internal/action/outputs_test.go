package action_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outputValue reads one output from a GITHUB_OUTPUT file (name<<DELIM
// heredocs, as go-githubactions writes them).
func outputValue(t *testing.T, file, name string) (string, bool) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `<<(\S+)\n`)
	m := re.FindStringSubmatchIndex(file)
	if m == nil {
		return "", false
	}
	delim := file[m[2]:m[3]]
	rest := file[m[1]:]
	end := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(delim) + `$`).FindStringIndex(rest)
	require.NotNil(t, end, "unterminated output %s", name)
	v := rest[:end[0]]
	if len(v) > 0 && v[len(v)-1] == '\n' {
		v = v[:len(v)-1]
	}
	return v, true
}

// plan-hash is always one string and plan-hashes always a JSON object, so
// a workflow reads them the same way however many environments ran.
func TestPlanHashOutputs(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name   string
		envs   string
		single bool
	}{
		{name: "one environment", envs: "staging", single: true},
		{name: "several environments", envs: "staging,production"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.run("workflow_dispatch", map[string]any{"inputs": map[string]any{"command": "plan"}, "repository": map[string]any{"default_branch": "main"}},
				map[string]string{"command": "plan", "environments": tt.envs})
			require.NoError(t, r.err, r.stdout)
			raw, ok := outputValue(t, r.outputs, "plan-hashes")
			require.True(t, ok, r.outputs)
			var hashes map[string]string
			require.NoError(t, json.Unmarshal([]byte(raw), &hashes), raw)
			hash, ok := outputValue(t, r.outputs, "plan-hash")
			require.True(t, ok, r.outputs)
			if tt.single {
				require.Len(t, hashes, 1)
				assert.Regexp(t, `^[0-9a-f]{64}$`, hash)
				assert.Equal(t, hashes["staging"], hash)
				return
			}
			assert.Len(t, hashes, 2)
			assert.Empty(t, hash, "several environments have no single hash")
		})
	}
}
