package fakegithub_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-github/v66/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
)

func TestWorkflowRuns(t *testing.T) {
	srv := fakegithub.Start(t, fakegithub.Options{Token: token})
	gh, err := github.NewClient(nil).WithAuthToken(token).WithEnterpriseURLs(srv.URL, srv.URL)
	require.NoError(t, err)
	ctx := context.Background()

	srv.SetRun(41, "in_progress", "")
	run, _, err := gh.Actions.GetWorkflowRunByID(ctx, srv.Owner(), srv.Repo(), 41)
	require.NoError(t, err)
	assert.Equal(t, int64(41), run.GetID())
	assert.Equal(t, "in_progress", run.GetStatus())
	assert.Nil(t, run.Conclusion, "null until the run completes")

	t.Run("a run moves on", func(t *testing.T) {
		srv.SetRun(41, "completed", "cancelled")
		run, _, err := gh.Actions.GetWorkflowRunByID(ctx, srv.Owner(), srv.Repo(), 41)
		require.NoError(t, err)
		assert.Equal(t, "completed", run.GetStatus())
		assert.Equal(t, "cancelled", run.GetConclusion())
	})

	t.Run("an unknown run is a 404", func(t *testing.T) {
		_, resp, err := gh.Actions.GetWorkflowRunByID(ctx, srv.Owner(), srv.Repo(), 42)
		require.Error(t, err)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	})

	t.Run("another repository's run is a 404", func(t *testing.T) {
		_, resp, err := gh.Actions.GetWorkflowRunByID(ctx, srv.Owner(), "elsewhere", 41)
		require.Error(t, err)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	})
}
