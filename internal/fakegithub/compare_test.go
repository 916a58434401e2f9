package fakegithub_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
)

func TestCompareCommits(t *testing.T) {
	srv := fakegithub.Start(t, fakegithub.Options{Token: token})
	sha := func(c string) string { return strings.Repeat(c, 40) }
	root, a1, a2, b1, merge := sha("0"), sha("1"), sha("2"), sha("b"), sha("9")
	// main: root - a1 - a2; branch: a1 - b1; merge of main into the branch.
	srv.AddCommit(root)
	srv.AddCommit(a1, root)
	srv.AddCommit(a2, a1)
	srv.AddCommit(b1, a1)
	srv.AddCommit(merge, b1, a2)
	srv.AddCommit(a1, root) // a repeat is harmless

	gh, err := github.NewClient(nil).WithAuthToken(token).WithEnterpriseURLs(srv.URL, srv.URL)
	require.NoError(t, err)
	ctx := context.Background()

	tests := []struct {
		name, base, head      string
		wantStatus            string
		wantAhead, wantBehind int
		wantCommits           []string
		wantMergeBase         string
	}{
		{name: "identical", base: a2, head: a2, wantStatus: "identical", wantCommits: []string{}, wantMergeBase: a2},
		{name: "ahead", base: root, head: a2, wantStatus: "ahead", wantAhead: 2, wantCommits: []string{a1, a2}, wantMergeBase: root},
		{name: "behind", base: a2, head: root, wantStatus: "behind", wantBehind: 2, wantCommits: []string{}, wantMergeBase: root},
		{name: "diverged", base: a2, head: b1, wantStatus: "diverged", wantAhead: 1, wantBehind: 1, wantCommits: []string{b1}, wantMergeBase: a1},
		{name: "merge brings base in", base: a2, head: merge, wantStatus: "ahead", wantAhead: 2, wantCommits: []string{b1, merge}, wantMergeBase: a2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := gh.Repositories.CompareCommits(ctx, srv.Owner(), srv.Repo(), tt.base, tt.head, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, got.GetStatus())
			assert.Equal(t, tt.wantAhead, got.GetAheadBy())
			assert.Equal(t, tt.wantBehind, got.GetBehindBy())
			assert.Equal(t, tt.wantAhead, got.GetTotalCommits())
			shas := []string{}
			for _, c := range got.Commits {
				shas = append(shas, c.GetSHA())
			}
			assert.Equal(t, tt.wantCommits, shas, "oldest first")
			assert.Equal(t, tt.base, got.GetBaseCommit().GetSHA())
			assert.Equal(t, tt.wantMergeBase, got.GetMergeBaseCommit().GetSHA())
		})
	}

	t.Run("commits are paginated", func(t *testing.T) {
		got, resp, err := gh.Repositories.CompareCommits(ctx, srv.Owner(), srv.Repo(), root, merge, &github.ListOptions{PerPage: 1})
		require.NoError(t, err)
		assert.Equal(t, 4, got.GetAheadBy(), "counts cover every page")
		require.Len(t, got.Commits, 1)
		assert.Equal(t, a1, got.Commits[0].GetSHA())
		assert.Equal(t, 2, resp.NextPage)
	})

	notFound := []struct{ name, path string }{
		{"unknown head", "/repos/honua-io/config/compare/" + a1 + "..." + sha("e")},
		{"unknown base", "/repos/honua-io/config/compare/" + sha("e") + "..." + a1},
		{"no three dots", "/repos/honua-io/config/compare/" + a1 + ".." + a2},
		{"other repository", "/repos/someone/else/compare/" + a1 + "..." + a2},
	}
	for _, tt := range notFound {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := call(t, "GET", srv.APIURL()+tt.path, "Bearer "+token, "")
			assert.Equal(t, 404, status)
			assert.Equal(t, "Not Found", body["message"])
		})
	}

}

func TestAddCommitRefusesInconsistentGraphs(t *testing.T) {
	srv := fakegithub.Start(t, fakegithub.Options{})
	root, child := strings.Repeat("0", 40), strings.Repeat("1", 40)
	assert.PanicsWithValue(t, "fakegithub: parent "+root+" of commit "+child+" is unknown; add it first",
		func() { srv.AddCommit(child, root) })
	srv.AddCommit(root)
	srv.AddCommit(child, root)
	assert.Panics(t, func() { srv.AddCommit(child) }, "same commit, other parents")
}
