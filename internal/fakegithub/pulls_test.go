package fakegithub_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
)

// firstError is the message, or else the code, of a 422's first error.
func firstError(body map[string]any) string {
	errs, _ := body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	if m, ok := e["message"].(string); ok {
		return m
	}
	return fmt.Sprintf("%v %v", e["field"], e["code"])
}

func TestCreatePull(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantError  string // first error of a 422
		wantHead   string
	}{
		{name: "branch", body: `{"title":"Import staging","head":"honua-gitops/import-staging","base":"main","body":"imported"}`,
			wantStatus: 201, wantHead: "honua-gitops/import-staging"},
		{name: "owner:branch", body: `{"title":"t","head":"honua-io:feature","base":"main"}`, wantStatus: 201, wantHead: "feature"},
		{name: "same head into another base", body: `{"title":"t","head":"existing","base":"develop"}`, wantStatus: 201, wantHead: "existing"},
		{name: "closed one does not count", body: `{"title":"t","head":"closed","base":"main"}`, wantStatus: 201, wantHead: "closed"},
		{name: "duplicate", body: `{"title":"again","head":"existing","base":"main"}`, wantStatus: 422,
			wantError: "A pull request already exists for honua-io:existing."},
		{name: "duplicate as owner:branch", body: `{"title":"again","head":"honua-io:existing","base":"main"}`, wantStatus: 422,
			wantError: "A pull request already exists for honua-io:existing."},
		{name: "head is base", body: `{"title":"t","head":"main","base":"main"}`, wantStatus: 422, wantError: "No commits between main and main"},
		{name: "no head", body: `{"title":"t","base":"main"}`, wantStatus: 422, wantError: "head missing_field"},
		{name: "owner without branch", body: `{"title":"t","head":"honua-io:","base":"main"}`, wantStatus: 422, wantError: "head missing_field"},
		{name: "no base", body: `{"title":"t","head":"x"}`, wantStatus: 422, wantError: "base missing_field"},
		{name: "no title", body: `{"head":"x","base":"main"}`, wantStatus: 422, wantError: "title missing_field"},
		{name: "fork head", body: `{"title":"t","head":"mallory:x","base":"main"}`, wantStatus: 422, wantError: "head invalid"},
		{name: "body too long", body: fmt.Sprintf(`{"title":"t","head":"x","base":"main","body":%q}`, strings.Repeat("x", fakegithub.MaxBody+1)),
			wantStatus: 422, wantError: "Body is too long (maximum is 65536 characters)"},
		{name: "not JSON", body: `{`, wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakegithub.Start(t, fakegithub.Options{Token: token, Login: "honua-deployer[bot]"})
			srv.AddPullRequest(fakegithub.PullRequest{HeadRef: "existing"})
			srv.AddPullRequest(fakegithub.PullRequest{HeadRef: "closed", State: "closed"})
			srv.AddIssue(fakegithub.Issue{Title: "an issue takes a number too"})
			status, header, body := call(t, "POST", srv.APIURL()+"/repos/honua-io/config/pulls", "Bearer "+token, tt.body)
			require.Equal(t, tt.wantStatus, status, body)
			if status != 201 {
				if tt.wantError != "" {
					assert.Equal(t, "Validation Failed", body["message"])
					assert.Equal(t, tt.wantError, firstError(body))
				}
				assert.Len(t, srv.PullRequests(), 2, "nothing created")
				return
			}
			assert.Equal(t, float64(4), body["number"], "the next number after the issue's")
			assert.Equal(t, "open", body["state"])
			assert.Equal(t, "honua-deployer[bot]", body["user"].(map[string]any)["login"], "the token's user")
			assert.Equal(t, tt.wantHead, body["head"].(map[string]any)["ref"])
			assert.Equal(t, srv.APIURL()+"/repos/honua-io/config/pulls/4", header.Get("Location"))

			got, ok := srv.PullRequest(4)
			require.True(t, ok)
			assert.Equal(t, tt.wantHead, got.HeadRef)
			assert.Equal(t, "honua-io/config", got.HeadRepoFullName)
			assert.Equal(t, "honua-deployer[bot]", got.Author)
			assert.Empty(t, got.HeadSHA, "the fake knows no branches")
			if tt.name == "branch" {
				assert.Equal(t, "imported", got.Body)
				assert.Equal(t, "imported", body["body"])
			}
		})
	}

	t.Run("merged as a test says", func(t *testing.T) {
		srv := fakegithub.Start(t, fakegithub.Options{Token: token})
		status, _, body := call(t, "POST", srv.APIURL()+"/repos/honua-io/config/pulls", "Bearer "+token, `{"title":"t","head":"x","base":"main"}`)
		require.Equal(t, 201, status)
		n := int(body["number"].(float64))
		srv.SetHead(n, strings.Repeat("a", 40))
		srv.MarkMerged(n, strings.Repeat("b", 40))
		status, _, body = call(t, "GET", fmt.Sprintf("%s/repos/honua-io/config/pulls/%d", srv.APIURL(), n), "Bearer "+token, "")
		require.Equal(t, 200, status)
		assert.Equal(t, true, body["merged"])
		assert.Equal(t, "closed", body["state"])
		assert.Equal(t, strings.Repeat("b", 40), body["merge_commit_sha"])
		assert.NotNil(t, body["merged_at"])
		assert.NotNil(t, body["closed_at"])
		assert.Equal(t, []fakegithub.PullRequest{{
			Number: n, Title: "t", HeadSHA: strings.Repeat("a", 40), BaseRef: "main", HeadRef: "x", Author: fakegithub.DefaultLogin,
			State: "closed", Merged: true, MergeCommitSHA: strings.Repeat("b", 40), HeadRepoFullName: "honua-io/config",
		}}, srv.PullRequests())
		status, _, _ = call(t, "POST", srv.APIURL()+"/repos/honua-io/config/pulls", "Bearer "+token, `{"title":"t","head":"x","base":"main"}`)
		assert.Equal(t, 201, status, "a merged pull request does not block a new one")
	})
}

func TestListPulls(t *testing.T) {
	srv := fakegithub.Start(t, fakegithub.Options{Token: token})
	srv.AddPullRequest(fakegithub.PullRequest{Number: 1, HeadRef: "a"})
	srv.AddPullRequest(fakegithub.PullRequest{Number: 2, HeadRef: "b", State: "closed"})
	srv.AddPullRequest(fakegithub.PullRequest{Number: 3, HeadRef: "a", BaseRef: "develop"})
	srv.AddPullRequest(fakegithub.PullRequest{Number: 4, HeadRef: "a", HeadRepoFullName: "mallory/config"})
	srv.AddPullRequest(fakegithub.PullRequest{Number: 5, HeadRef: "c", Merged: true, Body: "merged one"})
	gh, err := github.NewClient(nil).WithAuthToken(token).WithEnterpriseURLs(srv.URL, srv.URL)
	require.NoError(t, err)

	tests := []struct {
		name     string
		opts     github.PullRequestListOptions
		want     []int
		wantNext int
	}{
		{name: "open by default, newest first", want: []int{4, 3, 1}},
		{name: "closed", opts: github.PullRequestListOptions{State: "closed"}, want: []int{5, 2}},
		{name: "all", opts: github.PullRequestListOptions{State: "all"}, want: []int{5, 4, 3, 2, 1}},
		{name: "head owner:branch", opts: github.PullRequestListOptions{Head: "honua-io:a"}, want: []int{3, 1}},
		{name: "head of a fork", opts: github.PullRequestListOptions{Head: "mallory:a"}, want: []int{4}},
		{name: "head without owner filters nothing, as on GitHub", opts: github.PullRequestListOptions{Head: "a"}, want: []int{4, 3, 1}},
		{name: "base", opts: github.PullRequestListOptions{Base: "develop"}, want: []int{3}},
		{name: "head and base", opts: github.PullRequestListOptions{Head: "honua-io:a", Base: "main"}, want: []int{1}},
		{name: "no match", opts: github.PullRequestListOptions{Head: "honua-io:nope"}, want: []int{}},
		{name: "ascending", opts: github.PullRequestListOptions{Direction: "asc"}, want: []int{1, 3, 4}},
		{name: "paginated", opts: github.PullRequestListOptions{State: "all", ListOptions: github.ListOptions{PerPage: 2}}, want: []int{5, 4}, wantNext: 2},
		{name: "last page", opts: github.PullRequestListOptions{State: "all", ListOptions: github.ListOptions{PerPage: 2, Page: 3}}, want: []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prs, resp, err := gh.PullRequests.List(context.Background(), srv.Owner(), srv.Repo(), &tt.opts)
			require.NoError(t, err)
			got := []int{}
			for _, pr := range prs {
				got = append(got, pr.GetNumber())
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantNext, resp.NextPage)
		})
	}

	status, _, body := call(t, "GET", srv.APIURL()+"/repos/honua-io/config/pulls?state=bogus", "Bearer "+token, "")
	assert.Equal(t, 422, status)
	assert.Equal(t, "state invalid", firstError(body))
}

func TestUpdatePull(t *testing.T) {
	tests := []struct {
		name       string
		number     int
		body       string
		wantStatus int
		wantError  string
		check      func(t *testing.T, pr fakegithub.PullRequest, body map[string]any)
	}{
		{name: "title and body", number: 1, body: `{"title":"New title","body":"New body"}`, wantStatus: 200,
			check: func(t *testing.T, pr fakegithub.PullRequest, body map[string]any) {
				assert.Equal(t, "New title", pr.Title)
				assert.Equal(t, "New body", pr.Body)
				assert.Equal(t, "New body", body["body"])
				assert.Equal(t, "open", pr.State)
			}},
		{name: "body only", number: 1, body: `{"body":"only"}`, wantStatus: 200,
			check: func(t *testing.T, pr fakegithub.PullRequest, _ map[string]any) {
				assert.Equal(t, "Old title", pr.Title, "what is not sent is kept")
				assert.Equal(t, "only", pr.Body)
			}},
		{name: "close", number: 1, body: `{"state":"closed"}`, wantStatus: 200,
			check: func(t *testing.T, pr fakegithub.PullRequest, body map[string]any) {
				assert.Equal(t, "closed", pr.State)
				assert.NotNil(t, body["closed_at"])
				assert.Equal(t, "old body", pr.Body)
			}},
		{name: "reopen", number: 2, body: `{"state":"open"}`, wantStatus: 200,
			check: func(t *testing.T, pr fakegithub.PullRequest, body map[string]any) {
				assert.Equal(t, "open", pr.State)
				assert.Nil(t, body["closed_at"])
			}},
		{name: "reopen beside an open one", number: 3, body: `{"state":"open"}`, wantStatus: 422,
			wantError: "A pull request already exists for honua-io:a."},
		{name: "change base", number: 2, body: `{"base":"main"}`, wantStatus: 200,
			check: func(t *testing.T, pr fakegithub.PullRequest, _ map[string]any) {
				assert.Equal(t, "main", pr.BaseRef)
			}},
		{name: "reopen merged", number: 4, body: `{"state":"open"}`, wantStatus: 422,
			wantError: "state cannot be changed. The pull request has been merged."},
		{name: "empty title", number: 1, body: `{"title":""}`, wantStatus: 422, wantError: "title missing_field"},
		{name: "bad state", number: 1, body: `{"state":"merged"}`, wantStatus: 422, wantError: "state invalid"},
		{name: "body too long", number: 1, body: fmt.Sprintf(`{"body":%q}`, strings.Repeat("x", fakegithub.MaxBody+1)), wantStatus: 422,
			wantError: "Body is too long (maximum is 65536 characters)"},
		{name: "no such pull request", number: 99, body: `{"title":"x"}`, wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakegithub.Start(t, fakegithub.Options{Token: token})
			srv.AddPullRequest(fakegithub.PullRequest{Number: 1, HeadRef: "a", Title: "Old title", Body: "old body"})
			srv.AddPullRequest(fakegithub.PullRequest{Number: 2, HeadRef: "b", BaseRef: "develop", State: "closed"})
			srv.AddPullRequest(fakegithub.PullRequest{Number: 3, HeadRef: "a", State: "closed"})
			srv.AddPullRequest(fakegithub.PullRequest{Number: 4, HeadRef: "c", Merged: true})
			before, _ := srv.PullRequest(tt.number)
			status, _, body := call(t, "PATCH", fmt.Sprintf("%s/repos/honua-io/config/pulls/%d", srv.APIURL(), tt.number), "Bearer "+token, tt.body)
			require.Equal(t, tt.wantStatus, status, body)
			after, _ := srv.PullRequest(tt.number)
			if tt.wantError != "" {
				assert.Equal(t, tt.wantError, firstError(body))
			}
			if tt.check == nil {
				assert.Equal(t, before, after, "a refused edit changes nothing")
				return
			}
			tt.check(t, after, body)
		})
	}
}
