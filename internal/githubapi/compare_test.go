package githubapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/githubapi"
)

func TestCompareCommits(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{})
	sha := func(c string) string { return strings.Repeat(c, 40) }
	root, main1, main2, branch := sha("0"), sha("1"), sha("2"), sha("b")
	srv.AddCommit(root)
	srv.AddCommit(main1, root)
	srv.AddCommit(main2, main1)
	srv.AddCommit(branch, main1)

	tests := []struct {
		name, base, head      string
		wantStatus            string
		wantAhead, wantBehind int
	}{
		{name: "identical", base: main2, head: main2, wantStatus: githubapi.CompareIdentical},
		{name: "ahead", base: root, head: main2, wantStatus: githubapi.CompareAhead, wantAhead: 2},
		{name: "behind", base: main2, head: root, wantStatus: githubapi.CompareBehind, wantBehind: 2},
		{name: "diverged", base: main2, head: branch, wantStatus: githubapi.CompareDiverged, wantAhead: 1, wantBehind: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ahead, behind, err := c.CompareCommits(ctx, tt.base, tt.head)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantAhead, ahead)
			assert.Equal(t, tt.wantBehind, behind)
		})
	}

	t.Run("asks for one commit per page", func(t *testing.T) {
		var queries []string
		for _, r := range srv.Requests() {
			if strings.Contains(r.Path, "/compare/") {
				queries = append(queries, r.Query)
			}
		}
		require.Len(t, queries, len(tests))
		assert.Equal(t, "per_page=1", queries[0])
	})

	t.Run("unknown commit is a 404", func(t *testing.T) {
		_, _, _, err := c.CompareCommits(ctx, main1, sha("e"))
		require.Error(t, err)
		assert.True(t, githubapi.IsNotFound(err))
		assert.EqualError(t, err, "github: compare "+main1+"..."+sha("e")+": 404 Not Found")
	})

	t.Run("retried after a 502", func(t *testing.T) {
		srv.FailNext("GET", "/repos/*/*/compare/*", 502, 1)
		status, _, _, err := c.CompareCommits(ctx, root, main1)
		require.NoError(t, err)
		assert.Equal(t, githubapi.CompareAhead, status)
	})
}
