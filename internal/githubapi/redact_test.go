package githubapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/githubapi"
	"github.com/honua-io/honua-gitops/internal/redact"
)

// Issue 9 item 4: every body sent to GitHub — comments, edits, issues,
// deployments and their statuses — passes the redactor, whatever code
// built it.
func TestEveryBodyToGitHubIsRedacted(t *testing.T) {
	const leaked = "resolved-secret-value-42"
	red := &redact.Redactor{}
	red.Add(leaked)
	c, srv := setup(t, fakegithub.Options{}, func(cfg *githubapi.Config) { cfg.Redact = red.Bytes })
	ctx := context.Background()
	srv.AddPullRequest(fakegithub.PullRequest{Number: 3, HeadSHA: strings.Repeat("a", 40)})

	text := fmt.Sprintf("server said: password %s rejected", leaked)
	cm, err := c.CreateIssueComment(ctx, 3, text)
	require.NoError(t, err)
	_, err = c.EditIssueComment(ctx, cm.ID, text+" (edited)")
	require.NoError(t, err)
	is, err := c.CreateIssue(ctx, "drift: "+leaked, text, []string{"honua-gitops"})
	require.NoError(t, err)
	require.NoError(t, c.CommentOnIssue(ctx, is.Number, text))
	d, err := c.CreateDeployment(ctx, strings.Repeat("a", 40), "staging", text, map[string]any{"note": leaked})
	require.NoError(t, err)
	require.NoError(t, c.CreateDeploymentStatus(ctx, d.ID, "failure", "", "", text))

	var seen []string
	for _, cm := range srv.Comments(3) {
		seen = append(seen, cm.Body)
	}
	for _, i := range srv.Issues() {
		seen = append(seen, i.Title, i.Body)
		for _, cm := range srv.Comments(i.Number) {
			seen = append(seen, cm.Body)
		}
	}
	for _, d := range srv.Deployments() {
		seen = append(seen, d.Description, fmt.Sprint(d.Payload))
		for _, st := range d.Statuses {
			seen = append(seen, st.Description)
		}
	}
	require.NotEmpty(t, seen)
	for _, s := range seen {
		assert.NotContains(t, s, leaked)
	}
	assert.Contains(t, strings.Join(seen, "\n"), "password *** rejected")
}
