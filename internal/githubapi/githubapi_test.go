package githubapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/githubapi"
)

const token = "ghs_s3cretT0kenThatMustNeverLeak42"

// setup starts a fake GitHub and a client for it with fast retries.
func setup(t *testing.T, opts fakegithub.Options, tweak ...func(*githubapi.Config)) (*githubapi.Client, *fakegithub.Server) {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	srv := fakegithub.Start(t, opts)
	cfg := githubapi.Config{
		Token: opts.Token, APIURL: srv.APIURL(), GraphQLURL: srv.GraphQLURL(),
		Owner: srv.Owner(), Repo: srv.Repo(), UserAgent: "honua-gitops-test",
		RetryBackoff: time.Millisecond, MaxRetryWait: 50 * time.Millisecond,
	}
	for _, f := range tweak {
		f(&cfg)
	}
	c, err := githubapi.New(cfg)
	require.NoError(t, err)
	return c, srv
}

// requests counts the recorded requests with method whose path ends in suffix.
func requests(srv *fakegithub.Server, method, suffix string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

func TestNew(t *testing.T) {
	tests := []struct {
		name, apiURL, graphqlURL string
		wantBase, wantGraphQL    string
		wantErr                  string
	}{
		{name: "default", wantBase: "https://api.github.com/", wantGraphQL: "https://api.github.com/graphql"},
		{name: "github.com", apiURL: "https://api.github.com", wantBase: "https://api.github.com/", wantGraphQL: "https://api.github.com/graphql"},
		{name: "GHES", apiURL: "https://ghe.example.com/api/v3", wantBase: "https://ghe.example.com/api/v3/", wantGraphQL: "https://ghe.example.com/api/graphql"},
		{name: "bare host", apiURL: "http://127.0.0.1:8080", wantBase: "http://127.0.0.1:8080/api/v3/", wantGraphQL: "http://127.0.0.1:8080/api/graphql"},
		{name: "explicit GraphQL", apiURL: "https://ghe.example.com/api/v3/", graphqlURL: "https://gql.example.com/q", wantBase: "https://ghe.example.com/api/v3/", wantGraphQL: "https://gql.example.com/q"},
		{name: "github.com GraphQL default with another API host", apiURL: "http://127.0.0.1:8080/api/v3", graphqlURL: "https://api.github.com/graphql", wantBase: "http://127.0.0.1:8080/api/v3/", wantGraphQL: "http://127.0.0.1:8080/api/graphql"},
		{name: "no scheme", apiURL: "ghe.example.com", wantErr: `github: invalid API URL "ghe.example.com": want http(s)://host[/api/v3]`},
		{name: "credentials redacted", apiURL: "ftp://x:" + token + "@ghe.example.com", wantErr: `github: invalid API URL "ftp://x:xxxxx@ghe.example.com": want http(s)://host[/api/v3]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := githubapi.New(githubapi.Config{Token: token, APIURL: tt.apiURL, GraphQLURL: tt.graphqlURL, Owner: "o", Repo: "r"})
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantBase, c.BaseURL())
			assert.Equal(t, tt.wantGraphQL, c.GraphQLURL())
		})
	}

	_, err := githubapi.New(githubapi.Config{Token: token})
	assert.EqualError(t, err, "github: owner and repository are required")
}

func TestViewer(t *testing.T) {
	tests := []struct {
		name string
		opts fakegithub.Options
		want string
	}{
		{name: "personal access token", opts: fakegithub.Options{Login: "octocat"}, want: "octocat"},
		{name: "GITHUB_TOKEN from GraphQL", opts: fakegithub.Options{Login: "github-actions[bot]"}, want: "github-actions[bot]"},
		{name: "GitHub App token from GraphQL", opts: fakegithub.Options{Login: "honua-deployer[bot]"}, want: "honua-deployer[bot]"},
		{name: "default fake login", want: fakegithub.DefaultLogin},
		{name: "unknown when GraphQL will not say either", opts: fakegithub.Options{Login: "honua-deployer[bot]", HideGraphQLViewer: true}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, tt.opts)
			got, err := c.Viewer(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			_, err = c.Viewer(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 1, requests(srv, "GET", "/user"), "the viewer is cached")
		})
	}

	t.Run("an unknown viewer is learnt from the comment it creates", func(t *testing.T) {
		c, srv := setup(t, fakegithub.Options{Login: "honua-deployer[bot]", HideGraphQLViewer: true})
		pr := srv.AddPullRequest(fakegithub.PullRequest{})
		got, err := c.Viewer(context.Background())
		require.NoError(t, err)
		require.Empty(t, got)
		_, err = c.CreateIssueComment(context.Background(), pr, "hello")
		require.NoError(t, err)
		got, err = c.Viewer(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "honua-deployer[bot]", got)
	})

	t.Run("IsBot", func(t *testing.T) {
		assert.True(t, githubapi.IsBot("github-actions[bot]"))
		assert.True(t, githubapi.IsBot("honua-deployer[bot]"))
		assert.False(t, githubapi.IsBot("octocat"))
		assert.False(t, githubapi.IsBot("[bot]-ish"))
	})

	t.Run("bad token is an error", func(t *testing.T) {
		_, srv := setup(t, fakegithub.Options{})
		c, err := githubapi.New(githubapi.Config{Token: "wrong", APIURL: srv.APIURL(), Owner: srv.Owner(), Repo: srv.Repo()})
		require.NoError(t, err)
		_, err = c.Viewer(context.Background())
		assert.EqualError(t, err, "github: get the token's user: 401 Bad credentials (check that the token is valid and not expired)")
	})
}

func TestListIssueCommentsPaginates(t *testing.T) {
	c, srv := setup(t, fakegithub.Options{})
	pr := srv.AddPullRequest(fakegithub.PullRequest{HeadSHA: strings.Repeat("a", 40), HeadRef: "change"})
	for i := range 250 {
		srv.AddComment(pr, fmt.Sprintf("user%d", i%3), fmt.Sprintf("comment %d", i))
	}

	got, err := c.ListIssueComments(context.Background(), pr)
	require.NoError(t, err)
	require.Len(t, got, 250)
	for i, cm := range got {
		assert.Equal(t, fmt.Sprintf("comment %d", i), cm.Body)
		assert.Equal(t, fmt.Sprintf("user%d", i%3), cm.Author)
	}
	assert.True(t, got[0].CreatedAt.Before(got[249].CreatedAt))
	assert.Contains(t, got[0].URL, fmt.Sprintf("/pull/%d#issuecomment-%d", pr, got[0].ID))

	var pages []string
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/comments") {
			pages = append(pages, r.Query)
		}
	}
	assert.Equal(t, []string{"per_page=100", "page=2&per_page=100", "page=3&per_page=100"}, pages)
	assert.Equal(t, 3, requests(srv, "POST", "/api/graphql"), "one minimized lookup per 100 comments")

	t.Run("unknown pull request", func(t *testing.T) {
		_, err := c.ListIssueComments(context.Background(), 999)
		assert.True(t, githubapi.IsNotFound(err))
		assert.EqualError(t, err, "github: list comments on #999: 404 Not Found")
	})
}

func TestCommentLifecycle(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{Login: "honua-bot"})
	pr := srv.AddPullRequest(fakegithub.PullRequest{Number: 7, HeadSHA: strings.Repeat("b", 40)})

	created, err := c.CreateIssueComment(ctx, pr, "<!-- honua:plan -->\nplan v1")
	require.NoError(t, err)
	assert.Equal(t, "honua-bot", created.Author)
	assert.True(t, strings.HasPrefix(created.NodeID, "IC_kwDO"), created.NodeID)
	assert.Contains(t, created.URL, "/pull/7#issuecomment-")
	assert.False(t, created.CreatedAt.IsZero())

	edited, err := c.EditIssueComment(ctx, created.ID, "<!-- honua:plan -->\nplan v2")
	require.NoError(t, err)
	assert.Equal(t, created.ID, edited.ID)
	assert.Equal(t, "<!-- honua:plan -->\nplan v2", edited.Body)
	assert.True(t, edited.UpdatedAt.After(created.UpdatedAt))
	require.Len(t, srv.Comments(pr), 1)
	assert.Equal(t, "<!-- honua:plan -->\nplan v2", srv.Comments(pr)[0].Body)

	require.NoError(t, c.DeleteIssueComment(ctx, created.ID))
	assert.Empty(t, srv.Comments(pr))

	err = c.DeleteIssueComment(ctx, created.ID)
	assert.True(t, githubapi.IsNotFound(err))
	assert.EqualError(t, err, fmt.Sprintf("github: delete comment %d: 404 Not Found", created.ID))
	_, err = c.EditIssueComment(ctx, created.ID, "x")
	assert.True(t, githubapi.IsNotFound(err))
}

func TestMinimizeComment(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{})
	pr := srv.AddPullRequest(fakegithub.PullRequest{})
	old, err := c.CreateIssueComment(ctx, pr, "old plan")
	require.NoError(t, err)
	keep, err := c.CreateIssueComment(ctx, pr, "new plan")
	require.NoError(t, err)

	require.NoError(t, c.MinimizeComment(ctx, old.NodeID))

	state := srv.Comments(pr)
	assert.True(t, state[0].Minimized)
	assert.Equal(t, "OUTDATED", state[0].MinimizedReason)
	assert.False(t, state[1].Minimized)

	listed, err := c.ListIssueComments(ctx, pr)
	require.NoError(t, err)
	require.Len(t, listed, 2)
	assert.Equal(t, []bool{true, false}, []bool{listed[0].Minimized, listed[1].Minimized})
	assert.Equal(t, keep.ID, listed[1].ID)

	t.Run("unknown node id", func(t *testing.T) {
		err := c.MinimizeComment(ctx, "IC_kwDOnope")
		assert.True(t, githubapi.IsNotFound(err))
		assert.False(t, githubapi.IsForbidden(err))
		assert.EqualError(t, err, "github: minimize comment IC_kwDOnope: Could not resolve to a node with the global id of 'IC_kwDOnope'.")
	})

	t.Run("read-only token", func(t *testing.T) {
		ro, roSrv := setup(t, fakegithub.Options{ReadOnly: true})
		n := roSrv.AddPullRequest(fakegithub.PullRequest{})
		id := roSrv.AddComment(n, "github-actions[bot]", "plan")
		err := ro.MinimizeComment(ctx, roSrv.Comments(n)[0].NodeID)
		assert.True(t, githubapi.IsForbidden(err))
		assert.Contains(t, err.Error(), "Resource not accessible by integration")
		assert.False(t, roSrv.Comments(n)[0].Minimized, "comment %d", id)
	})

	t.Run("GraphQL down leaves Minimized false", func(t *testing.T) {
		srv.FailNext("POST", "/api/graphql", http.StatusBadGateway, 1)
		listed, err := c.ListIssueComments(ctx, pr)
		require.NoError(t, err)
		assert.False(t, listed[0].Minimized)
	})
}

func TestBodyTooLong(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{})
	pr := srv.AddPullRequest(fakegithub.PullRequest{})
	// "é" is two bytes: GitHub counts characters, not bytes.
	atLimit := strings.Repeat("é", fakegithub.MaxBody)
	over := atLimit + "x"

	existing, err := c.CreateIssueComment(ctx, pr, atLimit)
	require.NoError(t, err, "65536 characters are allowed")

	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"create", func() error { _, err := c.CreateIssueComment(ctx, pr, over); return err },
			fmt.Sprintf("github: create comment on #%d: 422 Validation Failed: Body is too long (maximum is 65536 characters)", pr)},
		{"edit", func() error { _, err := c.EditIssueComment(ctx, existing.ID, over); return err },
			fmt.Sprintf("github: edit comment %d: 422 Validation Failed: Body is too long (maximum is 65536 characters)", existing.ID)},
		{"issue comment", func() error { return c.CommentOnIssue(ctx, pr, over) },
			fmt.Sprintf("github: comment on issue #%d: 422 Validation Failed: Body is too long (maximum is 65536 characters)", pr)},
		{"issue body", func() error { _, err := c.CreateIssue(ctx, "drift", over, nil); return err },
			`github: create issue "drift": 422 Validation Failed: Body is too long (maximum is 65536 characters)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			assert.True(t, githubapi.IsTooLong(err))
			assert.False(t, githubapi.IsForbidden(err))
			assert.EqualError(t, err, tt.want)
		})
	}
	assert.Equal(t, atLimit, srv.Comments(pr)[0].Body, "the failed edit changed nothing")
}

func TestReadOnlyToken(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{ReadOnly: true})
	pr := srv.AddPullRequest(fakegithub.PullRequest{HeadRepoFullName: "someone/fork"})
	comment := srv.AddComment(pr, "github-actions[bot]", "plan")
	issue := srv.AddIssue(fakegithub.Issue{Title: "drift", Labels: []string{"honua-drift"}})

	const hint = "Resource not accessible by integration (the token lacks permission for this; pull requests from forks get a read-only GITHUB_TOKEN)"
	tests := []struct {
		op   string
		call func() error
	}{
		{fmt.Sprintf("create comment on #%d", pr), func() error { _, err := c.CreateIssueComment(ctx, pr, "x"); return err }},
		{fmt.Sprintf("edit comment %d", comment), func() error { _, err := c.EditIssueComment(ctx, comment, "x"); return err }},
		{fmt.Sprintf("delete comment %d", comment), func() error { return c.DeleteIssueComment(ctx, comment) }},
		{"create deployment of main to staging", func() error { _, err := c.CreateDeployment(ctx, "main", "staging", "", nil); return err }},
		{`create issue "t"`, func() error { _, err := c.CreateIssue(ctx, "t", "b", nil); return err }},
		{fmt.Sprintf("update issue #%d", issue), func() error { _, err := c.UpdateIssue(ctx, issue, "", "", "closed"); return err }},
		{fmt.Sprintf("comment on issue #%d", issue), func() error { return c.CommentOnIssue(ctx, issue, "x") }},
		{"create pull request import into main", func() error { _, err := c.CreatePullRequest(ctx, "import", "main", "t", "b"); return err }},
		{fmt.Sprintf("update pull request #%d", pr), func() error { _, err := c.UpdatePullRequest(ctx, pr, "t", "b"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			err := tt.call()
			assert.True(t, githubapi.IsForbidden(err))
			assert.EqualError(t, err, "github: "+tt.op+": 403 "+hint)
		})
	}

	// Reads still work, and the pull request is recognised as a fork's.
	got, err := c.PullRequest(ctx, pr)
	require.NoError(t, err)
	assert.True(t, got.Fork)
	comments, err := c.ListIssueComments(ctx, pr)
	require.NoError(t, err)
	assert.Len(t, comments, 1)
	assert.Equal(t, 1, requests(srv, "DELETE", fmt.Sprint(comment)), "a 403 is not retried")
}

func TestPullRequests(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{Owner: "gis", Repo: "honua-config"})
	head, merge := strings.Repeat("1", 40), strings.Repeat("2", 40)
	srv.AddPullRequest(fakegithub.PullRequest{
		Number: 12, Title: "Add roads layer", HeadSHA: head, HeadRef: "roads", BaseRef: "main", Author: "alice",
		Merged: true, MergeCommitSHA: merge, Files: []string{"environments/staging/layers.yaml"},
	})
	srv.SetPullRequestFileChanges(12, []fakegithub.File{
		{Filename: "environments/staging/layers.yaml"},
		{Filename: "environments/prod/roads.yaml", PreviousFilename: "environments/production/roads.yaml"},
		{Filename: "README.md", Status: "removed"},
	})
	srv.AddPullRequest(fakegithub.PullRequest{Number: 13, HeadSHA: strings.Repeat("3", 40), HeadRef: "patch-1", HeadRepoFullName: "mallory/honua-config"})
	srv.AssociateCommit(strings.Repeat("4", 40), 12)
	srv.AddReview(12, fakegithub.Review{User: "bob", State: "CHANGES_REQUESTED", CommitID: strings.Repeat("0", 40)})
	srv.AddReview(12, fakegithub.Review{User: "bob", State: "APPROVED"})
	srv.AddReview(12, fakegithub.Review{User: "carol", State: "PENDING"})

	pr, err := c.PullRequest(ctx, 12)
	require.NoError(t, err)
	assert.Equal(t, githubapi.PullRequest{
		Number: 12, Title: "Add roads layer", State: "closed", HeadSHA: head, BaseRef: "main", HeadRef: "roads",
		MergeCommitSHA: merge, URL: "https://github.com/gis/honua-config/pull/12", Merged: true, Author: "alice",
		HeadRepoFullName: "gis/honua-config", Fork: false,
	}, *pr)

	fork, err := c.PullRequest(ctx, 13)
	require.NoError(t, err)
	assert.True(t, fork.Fork)
	assert.Equal(t, "mallory/honua-config", fork.HeadRepoFullName)

	_, err = c.PullRequest(ctx, 404)
	assert.True(t, githubapi.IsNotFound(err))

	files, err := c.ChangedFiles(ctx, 12)
	require.NoError(t, err)
	assert.Equal(t, []string{"environments/staging/layers.yaml", "environments/prod/roads.yaml", "environments/production/roads.yaml", "README.md"}, files)

	reviews, err := c.Reviews(ctx, 12)
	require.NoError(t, err)
	require.Len(t, reviews, 3)
	assert.Equal(t, []string{"CHANGES_REQUESTED", "APPROVED", "PENDING"}, []string{reviews[0].State, reviews[1].State, reviews[2].State})
	assert.Equal(t, "bob", reviews[1].User)
	assert.Equal(t, head, reviews[1].CommitID)
	assert.False(t, reviews[1].SubmittedAt.IsZero())
	assert.True(t, reviews[2].SubmittedAt.IsZero(), "pending reviews are not submitted")

	for _, sha := range []string{head, merge, strings.Repeat("4", 40)} {
		prs, err := c.PullRequestsForCommit(ctx, sha)
		require.NoError(t, err)
		require.Len(t, prs, 1, sha)
		assert.Equal(t, 12, prs[0].Number)
	}
	none, err := c.PullRequestsForCommit(ctx, strings.Repeat("f", 40))
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestPermission(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{})
	for login, role := range map[string]string{"ada": "admin", "max": "maintain", "wes": "write", "tia": "triage", "rei": "read"} {
		srv.SetPermission(login, role)
	}
	for _, tt := range []struct {
		user, want string
		canWrite   bool
	}{
		{"ada", "admin", true},
		{"max", "maintain", true},
		{"wes", "write", true},
		{"tia", "triage", false},
		{"rei", "read", false},
		{"stranger", githubapi.PermissionNone, false},
	} {
		t.Run(tt.user, func(t *testing.T) {
			got, err := c.Permission(ctx, tt.user)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.canWrite, githubapi.CanWrite(got))
		})
	}

	srv.FailNext("GET", "/repos/*/*/collaborators/*/permission", 401, 1)
	_, err := c.Permission(ctx, "ada")
	assert.ErrorContains(t, err, "github: get the permission of ada: 401")
}

func TestChangedFilesPaginates(t *testing.T) {
	c, srv := setup(t, fakegithub.Options{})
	var files []string
	for i := range 230 {
		files = append(files, fmt.Sprintf("environments/dev/layer-%03d.yaml", i))
	}
	pr := srv.AddPullRequest(fakegithub.PullRequest{Files: files})
	got, err := c.ChangedFiles(context.Background(), pr)
	require.NoError(t, err)
	assert.Equal(t, files, got)
}

func TestDeployments(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{})
	sha := strings.Repeat("c", 40)

	first, err := c.CreateDeployment(ctx, sha, "staging", "apply plan 1", map[string]any{"plan_hash": "h1"})
	require.NoError(t, err)
	assert.Equal(t, githubapi.Deployment{ID: first.ID, Ref: sha, SHA: sha, Environment: "staging", Description: "apply plan 1"}, *first)
	require.NoError(t, c.CreateDeploymentStatus(ctx, first.ID, "in_progress", "", "https://ci/log/1", "applying"))
	require.NoError(t, c.CreateDeploymentStatus(ctx, first.ID, "success", "https://staging.example.com", "https://ci/log/1", "applied"))

	second, err := c.CreateDeployment(ctx, "main", "staging", "apply plan 2", nil)
	require.NoError(t, err)
	assert.Len(t, second.SHA, 40)
	require.NoError(t, c.CreateDeploymentStatus(ctx, second.ID, "success", "", "", strings.Repeat("x", 200)))

	prod, err := c.CreateDeployment(ctx, sha, "production", "", nil)
	require.NoError(t, err)
	require.NoError(t, c.CreateDeploymentStatus(ctx, prod.ID, "failure", "", "", "health check failed"))

	deps := srv.Deployments()
	require.Len(t, deps, 3)
	states := func(d fakegithub.Deployment) []string {
		var s []string
		for _, st := range d.Statuses {
			s = append(s, st.State)
		}
		return s
	}
	assert.Equal(t, []string{"in_progress", "success", "inactive"}, states(deps[0]), "auto-inactive on the next success")
	assert.Equal(t, []string{"success"}, states(deps[1]))
	assert.Equal(t, []string{"failure"}, states(deps[2]))
	assert.Equal(t, "https://staging.example.com", deps[0].Statuses[1].EnvironmentURL)
	assert.Equal(t, "https://ci/log/1", deps[0].Statuses[1].LogURL)
	assert.Equal(t, map[string]any{"plan_hash": "h1"}, deps[0].Payload)
	assert.Equal(t, []string{}, deps[0].RequiredContexts)
	assert.False(t, deps[0].AutoMerge)
	assert.False(t, deps[0].ProductionEnvironment)
	assert.True(t, deps[2].ProductionEnvironment)
	assert.Len(t, []rune(deps[1].Statuses[0].Description), githubapi.MaxStatusDescription, "truncated to GitHub's limit")
	assert.True(t, strings.HasSuffix(deps[1].Statuses[0].Description, "…"))

	err = c.CreateDeploymentStatus(ctx, first.ID, "done", "", "", "")
	assert.EqualError(t, err, fmt.Sprintf("github: create done status of deployment %d: invalid state \"done\": want one of [in_progress success failure error inactive queued pending]", first.ID))
	err = c.CreateDeploymentStatus(ctx, 42, "success", "", "", "")
	assert.True(t, githubapi.IsNotFound(err))
}

func TestIssues(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{})
	const label = "honua-drift:production"
	closed := srv.AddIssue(fakegithub.Issue{Title: "Drift in production", State: "closed", Labels: []string{label}})
	srv.AddIssue(fakegithub.Issue{Title: "unrelated", Labels: []string{"bug"}})
	srv.AddPullRequest(fakegithub.PullRequest{Labels: []string{label}})

	found, err := c.FindIssues(ctx, label)
	require.NoError(t, err)
	require.Len(t, found, 1, "closed issues are found, pull requests are not")
	assert.Equal(t, closed, found[0].Number)
	assert.Equal(t, "closed", found[0].State)

	created, err := c.CreateIssue(ctx, "Drift in staging", "3 resources drifted", []string{"honua-drift", "honua-drift:staging"})
	require.NoError(t, err)
	assert.Equal(t, "open", created.State)
	assert.Equal(t, []string{"honua-drift", "honua-drift:staging"}, created.Labels)
	assert.Equal(t, fmt.Sprintf("https://github.com/honua-io/config/issues/%d", created.Number), created.URL)

	updated, err := c.UpdateIssue(ctx, created.Number, "", "5 resources drifted", "")
	require.NoError(t, err)
	assert.Equal(t, "Drift in staging", updated.Title)
	assert.Equal(t, "5 resources drifted", updated.Body)
	assert.Equal(t, "open", updated.State)

	require.NoError(t, c.CommentOnIssue(ctx, created.Number, "drift resolved"))
	closedNow, err := c.UpdateIssue(ctx, created.Number, "", "", "closed")
	require.NoError(t, err)
	assert.Equal(t, "closed", closedNow.State)

	reopened, err := c.UpdateIssue(ctx, closed, "Drift in production (again)", "", "open")
	require.NoError(t, err)
	assert.Equal(t, "open", reopened.State)
	assert.Equal(t, "Drift in production (again)", reopened.Title)

	_, err = c.UpdateIssue(ctx, created.Number, "", "", "done")
	assert.EqualError(t, err, fmt.Sprintf(`github: update issue #%d: invalid state "done": want open or closed`, created.Number))

	issues := srv.Issues()
	require.Len(t, issues, 3)
	staging := issues[2]
	assert.Equal(t, "closed", staging.State)
	require.Len(t, staging.Comments, 1)
	assert.Equal(t, "drift resolved", staging.Comments[0].Body)

	many := make([]int, 0, 120)
	for i := range 120 {
		many = append(many, srv.AddIssue(fakegithub.Issue{Title: fmt.Sprint(i), Labels: []string{"bulk"}, State: []string{"open", "closed"}[i%2]}))
	}
	found, err = c.FindIssues(ctx, "bulk")
	require.NoError(t, err)
	assert.Len(t, found, len(many))
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	retryAfter := func(secs string) http.Header { return http.Header{"Retry-After": {secs}} }
	tests := []struct {
		name      string
		failure   fakegithub.Failure
		call      func(c *githubapi.Client, pr int, comment int64) error
		method    string
		wantCalls int
		wantErr   string
	}{
		{name: "GET retried after 502", failure: fakegithub.Failure{Method: "GET", Path: "/repos/*/*/pulls/*", Status: 502, Times: 2},
			call:   func(c *githubapi.Client, pr int, _ int64) error { _, err := c.PullRequest(ctx, pr); return err },
			method: "GET", wantCalls: 3},
		{name: "PATCH retried after 502", failure: fakegithub.Failure{Method: "PATCH", Path: "/repos/*/*/issues/comments/*", Status: 502, Times: 1},
			call: func(c *githubapi.Client, _ int, id int64) error {
				_, err := c.EditIssueComment(ctx, id, "v2")
				return err
			},
			method: "PATCH", wantCalls: 2},
		{name: "DELETE retried after 503", failure: fakegithub.Failure{Method: "DELETE", Path: "/repos/*/*/issues/comments/*", Status: 503, Times: 3},
			call:   func(c *githubapi.Client, _ int, id int64) error { return c.DeleteIssueComment(ctx, id) },
			method: "DELETE", wantCalls: 4},
		{name: "GET gives up after 3 retries", failure: fakegithub.Failure{Method: "GET", Path: "/repos/*/*/pulls/*", Status: 502, Times: 4},
			call:   func(c *githubapi.Client, pr int, _ int64) error { _, err := c.PullRequest(ctx, pr); return err },
			method: "GET", wantCalls: 4, wantErr: "github: get pull request #1: 502 Server Error"},
		{name: "POST never retried", failure: fakegithub.Failure{Method: "POST", Path: "/repos/*/*/issues/*/comments", Status: 502, Times: 1},
			call: func(c *githubapi.Client, pr int, _ int64) error {
				_, err := c.CreateIssueComment(ctx, pr, "x")
				return err
			},
			method: "POST", wantCalls: 1, wantErr: "github: create comment on #1: 502 Server Error"},
		{name: "GraphQL POST never retried", failure: fakegithub.Failure{Method: "POST", Path: "/api/graphql", Status: 502, Times: 1},
			call:   func(c *githubapi.Client, _ int, _ int64) error { return c.MinimizeComment(ctx, "IC_kwDOx") },
			method: "POST", wantCalls: 1, wantErr: "github: minimize comment IC_kwDOx: 502 Server Error"},
		{name: "secondary rate limit 403 honours Retry-After", failure: fakegithub.Failure{Method: "GET", Path: "/repos/*/*/pulls/*", Status: 403, Times: 1, Header: retryAfter("0")},
			call:   func(c *githubapi.Client, pr int, _ int64) error { _, err := c.PullRequest(ctx, pr); return err },
			method: "GET", wantCalls: 2},
		{name: "429 without Retry-After waits and retries", failure: fakegithub.Failure{Method: "GET", Path: "/repos/*/*/pulls/*", Status: 429, Times: 1},
			call:   func(c *githubapi.Client, pr int, _ int64) error { _, err := c.PullRequest(ctx, pr); return err },
			method: "GET", wantCalls: 2},
		{name: "Retry-After beyond the cap is not waited for", failure: fakegithub.Failure{Method: "GET", Path: "/repos/*/*/pulls/*", Status: 429, Times: 1, Header: retryAfter("3600")},
			call:   func(c *githubapi.Client, pr int, _ int64) error { _, err := c.PullRequest(ctx, pr); return err },
			method: "GET", wantCalls: 1,
			wantErr: "github: get pull request #1: 429 You have exceeded a secondary rate limit. Please wait a few minutes before you try again. (rate limited by GitHub; retry later)"},
		{name: "permission 403 not retried", failure: fakegithub.Failure{Method: "GET", Path: "/repos/*/*/pulls/*", Status: 403, Times: 1,
			Body: `{"message":"Resource not accessible by integration"}`},
			call:   func(c *githubapi.Client, pr int, _ int64) error { _, err := c.PullRequest(ctx, pr); return err },
			method: "GET", wantCalls: 1,
			wantErr: "github: get pull request #1: 403 Resource not accessible by integration (the token lacks permission for this; pull requests from forks get a read-only GITHUB_TOKEN)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, fakegithub.Options{})
			pr := srv.AddPullRequest(fakegithub.PullRequest{Number: 1})
			comment := srv.AddComment(pr, "github-actions[bot]", "v1")
			srv.Inject(tt.failure)

			err := tt.call(c, pr, comment)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tt.wantErr)
			}
			calls := 0
			for _, r := range srv.Requests() {
				if r.Method == tt.method {
					calls++
				}
			}
			assert.Equal(t, tt.wantCalls, calls)
		})
	}

	t.Run("rate limit error is reported as such", func(t *testing.T) {
		c, srv := setup(t, fakegithub.Options{}, func(cfg *githubapi.Config) { cfg.MaxRetries = -1 })
		srv.AddPullRequest(fakegithub.PullRequest{Number: 1})
		srv.FailNext("GET", "/repos/*/*/pulls/1", 403, 1)
		_, err := c.PullRequest(ctx, 1)
		assert.True(t, githubapi.IsRateLimited(err))
		assert.False(t, githubapi.IsForbidden(err))
	})

	t.Run("cancelled context stops waiting", func(t *testing.T) {
		c, srv := setup(t, fakegithub.Options{}, func(cfg *githubapi.Config) { cfg.RetryBackoff, cfg.MaxRetryWait = time.Hour, time.Hour })
		srv.AddPullRequest(fakegithub.PullRequest{Number: 1})
		srv.FailNext("GET", "/repos/*/*/pulls/1", 502, 1)
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := c.PullRequest(cctx, 1)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})

	t.Run("logs retries", func(t *testing.T) {
		var logs []string
		c, srv := setup(t, fakegithub.Options{}, func(cfg *githubapi.Config) {
			cfg.Logf = func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }
		})
		srv.AddPullRequest(fakegithub.PullRequest{Number: 1})
		srv.FailNext("GET", "/repos/*/*/pulls/1", 502, 1)
		_, err := c.PullRequest(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, []string{"github: GET /api/v3/repos/honua-io/config/pulls/1: 502 Bad Gateway; retrying in 1ms (retry 1 of 3)"}, logs)
	})
}

func TestTokenNeverInErrors(t *testing.T) {
	ctx := context.Background()
	c, srv := setup(t, fakegithub.Options{})
	pr := srv.AddPullRequest(fakegithub.PullRequest{})
	// A misbehaving proxy echoing the credential back.
	srv.Inject(fakegithub.Failure{Method: "*", Path: "*", Status: 400, Times: 100,
		Body: `{"message":"bad credential Bearer ` + token + `","errors":[{"message":"token ` + token + ` rejected"}]}`})

	errs := []error{
		func() error { _, err := c.PullRequest(ctx, pr); return err }(),
		func() error { _, err := c.CreateIssueComment(ctx, pr, "x"); return err }(),
		c.MinimizeComment(ctx, "IC_x"),
		func() error { _, err := c.FindIssues(ctx, "x"); return err }(),
	}
	for _, err := range errs {
		require.Error(t, err)
		assert.NotContains(t, err.Error(), token)
		assert.Contains(t, err.Error(), "***")
	}

	// A dead server: the transport error names the URL, never the token.
	dead, err := githubapi.New(githubapi.Config{Token: token, APIURL: "http://127.0.0.1:1/api/v3", Owner: "o", Repo: "r", MaxRetries: -1})
	require.NoError(t, err)
	_, err = dead.PullRequest(ctx, 1)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), token)
	assert.Contains(t, err.Error(), "github: get pull request #1: ")
}
