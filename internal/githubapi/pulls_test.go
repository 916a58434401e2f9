package githubapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/githubapi"
)

// TestPullRequestLifecycle is what the Action's import and accept-drift do
// on every run: look for the pull request of its branch, open it or update
// it, until it merges.
func TestPullRequestLifecycle(t *testing.T) {
	ctx := context.Background()
	const branch = "honua-gitops/import-staging"
	c, srv := setup(t, fakegithub.Options{Owner: "gis", Repo: "honua-config", Login: "honua-deployer[bot]"},
		func(cfg *githubapi.Config) {
			cfg.Redact = func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("hunter2"), []byte("***")) }
		})
	// Neither a fork's branch of the same name nor a closed pull request is
	// the open one.
	srv.AddPullRequest(fakegithub.PullRequest{HeadRef: branch, HeadRepoFullName: "mallory/honua-config"})
	srv.AddPullRequest(fakegithub.PullRequest{HeadRef: branch, State: "closed"})
	srv.AddIssue(fakegithub.Issue{Title: "drift"})

	none, err := c.OpenPullRequestFor(ctx, branch, "main")
	require.NoError(t, err)
	assert.Nil(t, none)

	created, err := c.CreatePullRequest(ctx, branch, "main", "Import staging", "Imported from https://honua.example (password hunter2)")
	require.NoError(t, err)
	assert.Equal(t, githubapi.PullRequest{
		Number: 4, Title: "Import staging", Body: "Imported from https://honua.example (password ***)", State: "open",
		BaseRef: "main", HeadRef: branch, URL: "https://github.com/gis/honua-config/pull/4",
		Author: "honua-deployer[bot]", HeadRepoFullName: "gis/honua-config",
	}, *created, "numbered after the issue, by the token's user, the body redacted")

	_, err = c.CreatePullRequest(ctx, branch, "main", "Import staging", "again")
	require.EqualError(t, err, "github: create pull request "+branch+" into main: 422 Validation Failed: A pull request already exists for gis:"+branch+".")
	assert.Equal(t, 2, requests(srv, http.MethodPost, "/pulls"), "a POST is not retried")

	found, err := c.OpenPullRequestFor(ctx, branch, "main")
	require.NoError(t, err)
	assert.Equal(t, created, found)
	other, err := c.OpenPullRequestFor(ctx, branch, "develop")
	require.NoError(t, err)
	assert.Nil(t, other, "another base")

	updated, err := c.UpdatePullRequest(ctx, created.Number, "Import staging (2 files)", "new body")
	require.NoError(t, err)
	assert.Equal(t, "Import staging (2 files)", updated.Title)
	assert.Equal(t, "new body", updated.Body)
	bodyOnly, err := c.UpdatePullRequest(ctx, created.Number, "", "newer body")
	require.NoError(t, err)
	assert.Equal(t, "Import staging (2 files)", bodyOnly.Title, "an empty title is left as it is")
	stored, ok := srv.PullRequest(created.Number)
	require.True(t, ok)
	assert.Equal(t, "newer body", stored.Body)

	_, err = c.UpdatePullRequest(ctx, 99, "x", "y")
	assert.True(t, githubapi.IsNotFound(err))
	assert.EqualError(t, err, "github: update pull request #99: 404 Not Found")

	srv.MarkMerged(created.Number, strings.Repeat("b", 40))
	gone, err := c.OpenPullRequestFor(ctx, branch, "main")
	require.NoError(t, err)
	assert.Nil(t, gone, "merged")
	merged, err := c.PullRequest(ctx, created.Number)
	require.NoError(t, err)
	assert.True(t, merged.Merged)
	assert.Equal(t, strings.Repeat("b", 40), merged.MergeCommitSHA)
}

func TestCreatePullRequestRefused(t *testing.T) {
	ctx := context.Background()
	c, _ := setup(t, fakegithub.Options{})
	tests := []struct {
		head, base, title, wantErr string
	}{
		{"main", "main", "t", "422 Validation Failed: No commits between main and main"},
		{"", "main", "t", "422 Validation Failed: PullRequest.head missing_field"},
		{"x", "main", "", "422 Validation Failed: PullRequest.title missing_field"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q into %q", tt.head, tt.base), func(t *testing.T) {
			_, err := c.CreatePullRequest(ctx, tt.head, tt.base, tt.title, "")
			assert.EqualError(t, err, fmt.Sprintf("github: create pull request %s into %s: %s", tt.head, tt.base, tt.wantErr))
		})
	}
}

// TestOpenPullRequestForFilters checks the head filter carries the owner
// prefix, without which GitHub (and the fake) ignore it and list every open
// pull request.
func TestOpenPullRequestForFilters(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{})
	for i := range 3 {
		srv.AddPullRequest(fakegithub.PullRequest{HeadRef: fmt.Sprintf("other-%d", i), BaseRef: "release"})
	}
	want := srv.AddPullRequest(fakegithub.PullRequest{HeadRef: "honua-gitops/accept-drift-prod", BaseRef: "release"})
	pr, err := c.OpenPullRequestFor(ctx, "honua-gitops/accept-drift-prod", "release")
	require.NoError(t, err)
	require.NotNil(t, pr)
	assert.Equal(t, want, pr.Number)
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/pulls") {
			n++
			assert.Contains(t, r.Query, "head=honua-io%3Ahonua-gitops%2Faccept-drift-prod")
			assert.Contains(t, r.Query, "state=open")
		}
	}
	assert.Equal(t, 1, n)
}
