package source_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/githubapi"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/source"
)

var _ source.Comparer = (*githubapi.Client)(nil)

// mirror starts a fake GitHub that knows every commit of the repository at
// dir, as GitHub knows the full history whatever the checkout's depth.
func mirror(t *testing.T, dir string) (*githubapi.Client, *fakegithub.Server) {
	t.Helper()
	srv := fakegithub.Start(t, fakegithub.Options{Token: "ghs_test"})
	for _, line := range strings.Split(gittest.Git(t, dir, "rev-list", "--parents", "--reverse", "--topo-order", "--all"), "\n") {
		shas := strings.Fields(line)
		srv.AddCommit(shas[0], shas[1:]...)
	}
	c, err := githubapi.New(githubapi.Config{
		Token: "ghs_test", APIURL: srv.APIURL(), Owner: srv.Owner(), Repo: srv.Repo(),
		RetryBackoff: time.Millisecond, MaxRetryWait: 10 * time.Millisecond,
	})
	require.NoError(t, err)
	return c, srv
}

func TestContainsVia(t *testing.T) {
	h := newHistory(t)
	c, srv := mirror(t, h.dir)
	ctx := context.Background()
	tests := []struct {
		name, head, ancestor string
		want                 source.Ancestry
	}{
		{name: "linear history", head: h.deployed, ancestor: h.root, want: source.Contained},
		{name: "head is the ancestor", head: h.deployed, ancestor: h.deployed, want: source.Contained},
		{name: "branch created before the deployed commit landed", head: h.feature, ancestor: h.deployed, want: source.NotContained},
		{name: "older commit", head: h.root, ancestor: h.deployed, want: source.NotContained},
		{name: "main merged into the branch", head: h.merged, ancestor: h.deployed, want: source.Contained},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := source.ContainsVia(ctx, c, tt.head, tt.ancestor)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "got %s", got)
		})
	}
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	assert.Equal(t, "/api/v3/repos/honua-io/config/compare/"+h.root+"..."+h.deployed, reqs[0].Path, "base is the ancestor")
	assert.Len(t, srv.Requests(), len(tests)-1, "head == ancestor needs no request")

	t.Run("commit GitHub does not know", func(t *testing.T) {
		got, err := source.ContainsVia(ctx, c, h.deployed, strings.Repeat("e", 40))
		assert.Equal(t, source.Unknown, got)
		require.Error(t, err)
		assert.True(t, githubapi.IsNotFound(err), "the GitHub error is wrapped: %v", err)
	})
}

// TestShallowCheckoutFallsBackToGitHub is the Action's case: a depth-1
// checkout cannot tell, GitHub can.
func TestShallowCheckoutFallsBackToGitHub(t *testing.T) {
	h := newHistory(t)
	c, _ := mirror(t, h.dir)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "checkout")
	gittest.Git(t, h.dir, "clone", "--quiet", "--depth=1", "--branch=feature", "file://"+h.dir, dir)

	local, err := source.Contains(ctx, dir, h.feature, h.deployed)
	require.NoError(t, err)
	require.Equal(t, source.Unknown, local)
	remote, err := source.ContainsVia(ctx, c, h.feature, h.deployed)
	require.NoError(t, err)
	assert.Equal(t, source.NotContained, remote, "feature lacks the commit deployed from main")
}

type stubComparer struct {
	status string
	err    error
}

func (s stubComparer) CompareCommits(context.Context, string, string) (string, int, int, error) {
	return s.status, 0, 0, s.err
}

func TestContainsViaStatuses(t *testing.T) {
	a, b := strings.Repeat("a", 40), strings.Repeat("b", 40)
	boom := errors.New("boom")
	tests := []struct {
		status  string
		err     error
		want    source.Ancestry
		wantErr string
	}{
		{status: "identical", want: source.Contained},
		{status: "ahead", want: source.Contained},
		{status: "behind", want: source.NotContained},
		{status: "diverged", want: source.NotContained},
		{status: "sideways", want: source.Unknown, wantErr: `unexpected comparison status "sideways"`},
		{err: boom, want: source.Unknown, wantErr: "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.status+tt.wantErr, func(t *testing.T) {
			got, err := source.ContainsVia(context.Background(), stubComparer{tt.status, tt.err}, a, b)
			assert.Equal(t, tt.want, got)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
			}
		})
	}
	_, err := source.ContainsVia(context.Background(), stubComparer{}, a, "")
	assert.ErrorContains(t, err, "no commit given")
}
