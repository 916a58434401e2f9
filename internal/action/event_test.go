package action_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/fakegithub"
)

// Item 10: pull_request_target runs with a write token and the secrets
// over whatever the workflow checked out, typically a fork's files. The
// Action refuses it, whatever the command, before it reads the files or
// talks to GitHub or Honua.
func TestPullRequestTargetIsRefused(t *testing.T) {
	for _, tt := range []struct {
		name   string
		inputs map[string]string
	}{
		{name: "auto"},
		{name: "explicit plan", inputs: map[string]string{"command": "plan"}},
		{name: "explicit apply", inputs: map[string]string{"command": "apply"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			head := w.commit("environments/staging/services.yaml", "maxRecordCount: 5000", "maxRecordCount: 6000")
			w.gh.AddPullRequest(fakegithub.PullRequest{Number: 4, HeadSHA: head, HeadRepoFullName: "someone/city-gis", Files: []string{"environments/staging/services.yaml"}})
			ev := prEvent(4, head)
			ev["pull_request"].(map[string]any)["head"].(map[string]any)["repo"] = map[string]any{"full_name": "someone/city-gis"}
			r := w.run("pull_request_target", ev, tt.inputs)
			require.Error(t, r.err)
			assert.Equal(t, app.ExitRefused, app.CodeFor(r.err))
			var refused *app.RefusedError
			assert.ErrorAs(t, r.err, &refused)
			assert.Contains(t, r.err.Error(), "pull_request_target")
			assert.Contains(t, r.err.Error(), `see README: "Fork PRs and least privilege"`)
			assert.Contains(t, r.stdout, "::error")
			assert.Regexp(t, `result<<\S+\nrefused\n`, r.outputs)
			assert.Empty(t, w.gh.Comments(4))
			assert.Empty(t, w.gh.Requests(), "GitHub is not even asked")
		})
	}
}
