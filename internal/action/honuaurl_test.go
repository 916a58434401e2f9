package action_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/honua"
)

// Item 15: the honua-url input replaced every target of an environment with
// one URL, silently skipping the others. One URL is refused for a
// multi-target environment unless it names the target it overrides
// (NAME=URL); a single-target environment takes a bare URL as before.
func TestHonuaURLInput(t *testing.T) {
	for _, tt := range []struct {
		name     string
		env      string
		honuaURL func(fresh string) string
		wantErr  string // "" applies, to the fresh server among others
	}{
		{name: "bare URL for a single target", env: "staging", honuaURL: func(fresh string) string { return fresh }},
		{name: "bare URL for two targets is refused", env: "production", honuaURL: func(fresh string) string { return fresh },
			wantErr: "environment production has 2 targets (production-a, production-b): name the target it overrides, e.g. `honua-url: production-a="},
		{name: "a named target is overridden, the other kept", env: "production", honuaURL: func(fresh string) string { return "production-b=" + fresh }},
		{name: "an unknown name is refused", env: "production", honuaURL: func(fresh string) string { return "production-c=" + fresh },
			wantErr: "names target \"production-c\", which no environment in honua-gitops.yaml has"},
		{name: "garbage is refused", env: "production", honuaURL: func(string) string { return "production-b" },
			wantErr: "entry \"production-b\" is neither an http(s) URL nor NAME=URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			// production gets a second target that nothing listens on: only
			// the override can make its apply succeed.
			w.commit("honua-gitops.yaml", "{name: production, url: \""+w.servers["production"].URL+"\"",
				"{name: production-a, url: \""+w.servers["production"].URL+"\", credential: {env: HONUA_API_KEY}}\n      - {name: production-b, url: \"http://127.0.0.1:1\"")
			fresh, err := emulator.Start(context.Background(), emulator.Options{APIKey: honuaKey})
			require.NoError(t, err)
			t.Cleanup(func() { _ = fresh.Close() })

			r := w.run("workflow_dispatch", map[string]any{"inputs": map[string]any{"command": "apply"}, "repository": map[string]any{"default_branch": "main"}},
				map[string]string{"environments": tt.env, "honua-url": tt.honuaURL(fresh.URL)})
			if tt.wantErr != "" {
				require.Error(t, r.err, r.stdout)
				assert.Equal(t, app.ExitInvalid, app.CodeFor(r.err))
				assert.Contains(t, r.err.Error(), tt.wantErr)
				assert.Equal(t, 0, countResources(t, fresh.URL), "nothing was applied")
				return
			}
			require.NoError(t, r.err, r.stdout)
			applied := countResources(t, fresh.URL)
			assert.Positive(t, applied)
			if tt.env == "production" {
				assert.Equal(t, applied, countResources(t, w.servers["production"].URL), "the target not named keeps its URL")
			}
		})
	}
}

func countResources(t *testing.T, url string) int {
	t.Helper()
	c, err := honua.New(honua.Config{BaseURL: url, Credential: honuaKey})
	require.NoError(t, err)
	objs, err := c.ListResources(context.Background(), "", "")
	require.NoError(t, err)
	return len(objs)
}
