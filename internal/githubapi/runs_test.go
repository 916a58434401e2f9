package githubapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/githubapi"
)

func TestWorkflowRunInProgress(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{})

	tests := []struct {
		status, conclusion string
		want               bool
	}{
		{status: "queued", want: true},
		{status: "in_progress", want: true},
		{status: "waiting", want: true},
		{status: "requested", want: true},
		{status: "pending", want: true},
		{status: "completed", conclusion: "success"},
		{status: "completed", conclusion: "cancelled"},
	}
	for i, tt := range tests {
		t.Run(tt.status+" "+tt.conclusion, func(t *testing.T) {
			id := int64(100 + i)
			srv.SetRun(id, tt.status, tt.conclusion)
			got, err := c.WorkflowRunInProgress(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("unknown run is a 404", func(t *testing.T) {
		_, err := c.WorkflowRunInProgress(ctx, 999)
		require.Error(t, err)
		assert.True(t, githubapi.IsNotFound(err))
		assert.EqualError(t, err, "github: get workflow run 999: 404 Not Found")
	})

	t.Run("retried after a 502", func(t *testing.T) {
		srv.SetRun(7, "in_progress", "")
		srv.FailNext("GET", "/repos/*/*/actions/runs/*", 502, 1)
		got, err := c.WorkflowRunInProgress(ctx, 7)
		require.NoError(t, err)
		assert.True(t, got)
	})
}
