package action_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/prcomment"
)

// Item 8: with a GitHub App's installation token GET /user answers 403 and
// the comments are written by "<app>[bot]", not github-actions[bot]. The
// Action still finds its own comment: the synchronize edits it (no
// duplicate) and the merge finds the reviewed plan.
func TestGitHubAppTokenFindsItsOwnComment(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts fakegithub.Options
	}{
		{name: "GraphQL viewer names the App", opts: fakegithub.Options{Login: "honua-deployer[bot]"}},
		{name: "nothing names the App", opts: fakegithub.Options{Login: "honua-deployer[bot]", HideGraphQLViewer: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			tt.opts.Owner, tt.opts.Repo, tt.opts.Token = "acme", "city-gis", w.remote.Token
			w.gh = fakegithub.Start(t, tt.opts)
			head1 := w.commit("environments/staging/services.yaml", "maxRecordCount: 5000", "maxRecordCount: 6000")
			w.gh.AddPullRequest(fakegithub.PullRequest{Number: 7, HeadSHA: head1, Files: []string{"environments/staging/services.yaml"}})

			r := w.run("pull_request", prEvent(7, head1), nil)
			require.NoError(t, r.err, r.stdout)
			first := visible(w.gh.Comments(7))
			require.Equal(t, 1, len(first))
			assert.Equal(t, "honua-deployer[bot]", first[0].Author)
			// A person's copy of the marker is never taken for the tool's.
			planted := w.gh.AddComment(7, "mallory", first[0].Body)

			head2 := w.commit("environments/staging/services.yaml", "maxRecordCount: 6000", "maxRecordCount: 7000")
			w.gh.SetHead(7, head2)
			r = w.run("pull_request", prEvent(7, head2), nil)
			require.NoError(t, r.err, r.stdout)
			all := w.gh.Comments(7)
			require.Equal(t, 2, len(all), "the comment is edited, not duplicated")
			assert.Equal(t, first[0].ID, all[0].ID)
			assert.NotEqual(t, first[0].Body, all[0].Body, "the tool's comment has the new plan")
			assert.Equal(t, planted, all[1].ID)
			assert.Equal(t, first[0].Body, all[1].Body, "the planted copy is left alone")
			assert.False(t, all[1].Minimized)
			m2, _ := prcomment.ParseMarker(all[0].Body)

			gittest.Git(t, w.work, "push", "-q", w.remote.AuthURL(), "HEAD:refs/heads/main")
			w.gh.AssociateCommit(head2, 7)
			setMerged(t, w, 7, head2)
			r = w.run("push", pushEvent(head2), map[string]string{"environments": "staging"})
			require.NoError(t, r.err, r.stdout)
			assert.Contains(t, r.outputs, "applied")
			final := w.gh.Comments(7)
			require.Equal(t, 2, len(final))
			m3, _ := prcomment.ParseMarker(final[0].Body)
			assert.Equal(t, prcomment.Applied, m3.Envs["staging"].Status)
			assert.Equal(t, m2.Envs["staging"].Hash, m3.Envs["staging"].Hash)
		})
	}
}
