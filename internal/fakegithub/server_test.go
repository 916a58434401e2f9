package fakegithub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
)

const token = "ghs_faketoken"

// call makes a raw request and returns status and decoded JSON body.
func call(t *testing.T, method, url, auth, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, resp.Header, out
}

func TestAuth(t *testing.T) {
	srv := fakegithub.Start(t, fakegithub.Options{Token: token, Login: "octocat"})
	tests := []struct {
		name, url, auth string
		wantStatus      int
		wantMessage     string
	}{
		{"no header", srv.APIURL() + "/user", "", 401, "Requires authentication"},
		{"wrong token", srv.APIURL() + "/user", "Bearer nope", 401, "Bad credentials"},
		{"basic scheme", srv.APIURL() + "/user", "Basic " + token, 401, "Requires authentication"},
		{"bearer", srv.APIURL() + "/user", "Bearer " + token, 200, ""},
		{"token scheme", srv.APIURL() + "/user", "token " + token, 200, ""},
		{"GraphQL without token", srv.GraphQLURL(), "", 401, "This endpoint requires you to be authenticated."},
		{"unknown path", srv.APIURL() + "/repos/honua-io/config/nope", "Bearer " + token, 404, "Not Found"},
		{"other repository", srv.APIURL() + "/repos/someone/else/pulls/1", "Bearer " + token, 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := http.MethodGet
			if tt.url == srv.GraphQLURL() {
				method = http.MethodPost
			}
			status, _, body := call(t, method, tt.url, tt.auth, "")
			assert.Equal(t, tt.wantStatus, status)
			if tt.wantMessage != "" {
				assert.Equal(t, tt.wantMessage, body["message"])
				assert.NotEmpty(t, body["documentation_url"])
			} else {
				assert.Equal(t, "octocat", body["login"])
			}
		})
	}
	reqs := srv.Requests()
	require.Len(t, reqs, len(tests))
	assert.Equal(t, 401, reqs[0].Status)
	assert.Equal(t, "/api/v3/user", reqs[0].Path)
}

func TestPaginationWithGoGitHub(t *testing.T) {
	srv := fakegithub.Start(t, fakegithub.Options{Token: token})
	pr := srv.AddPullRequest(fakegithub.PullRequest{HeadSHA: strings.Repeat("a", 40)})
	for i := range 45 {
		srv.AddComment(pr, "alice", fmt.Sprint(i))
	}
	gh, err := github.NewClient(nil).WithAuthToken(token).WithEnterpriseURLs(srv.URL, srv.URL)
	require.NoError(t, err, "a bare host gets /api/v3/ appended, where the fake serves")
	ctx := context.Background()

	tests := []struct {
		page                                    int
		wantLen                                 int
		wantNext, wantPrev, wantLast, wantFirst int
	}{
		{page: 1, wantLen: 20, wantNext: 2, wantLast: 3},
		{page: 2, wantLen: 20, wantNext: 3, wantLast: 3, wantPrev: 1, wantFirst: 1},
		{page: 3, wantLen: 5, wantPrev: 2, wantFirst: 1},
		{page: 4, wantLen: 0, wantPrev: 3, wantFirst: 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("page ", tt.page), func(t *testing.T) {
			got, resp, err := gh.Issues.ListComments(ctx, srv.Owner(), srv.Repo(), pr,
				&github.IssueListCommentsOptions{ListOptions: github.ListOptions{Page: tt.page, PerPage: 20}})
			require.NoError(t, err)
			assert.Len(t, got, tt.wantLen)
			assert.Equal(t, []int{tt.wantNext, tt.wantPrev, tt.wantLast, tt.wantFirst},
				[]int{resp.NextPage, resp.PrevPage, resp.LastPage, resp.FirstPage})
		})
	}

	_, resp, err := gh.Issues.ListComments(ctx, srv.Owner(), srv.Repo(), pr, &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 20}})
	require.NoError(t, err)
	path := fmt.Sprintf("/api/v3/repos/honua-io/config/issues/%d/comments", pr)
	assert.Equal(t,
		fmt.Sprintf(`<%[1]s%[2]s?page=2&per_page=20>; rel="next", <%[1]s%[2]s?page=3&per_page=20>; rel="last"`, srv.URL, path),
		resp.Header.Get("Link"))

	all, _, err := gh.Issues.ListComments(ctx, srv.Owner(), srv.Repo(), pr, nil)
	require.NoError(t, err)
	assert.Len(t, all, 30, "GitHub's default page size")
	assert.Equal(t, "0", all[0].GetBody(), "oldest first")
	assert.Equal(t, "alice", all[0].GetUser().GetLogin())
	assert.True(t, strings.HasPrefix(all[0].GetNodeID(), "IC_kwDO"))
	assert.NotEqual(t, all[0].GetNodeID(), all[1].GetNodeID())
}

func TestWriteErrors(t *testing.T) {
	srv := fakegithub.Start(t, fakegithub.Options{Token: token})
	pr := srv.AddPullRequest(fakegithub.PullRequest{})
	id := srv.AddComment(pr, "bob", "hi")
	auth := "Bearer " + token
	commentURL := fmt.Sprintf("%s/repos/honua-io/config/issues/comments/%d", srv.APIURL(), id)

	status, _, body := call(t, "PATCH", commentURL, auth, fmt.Sprintf(`{"body":%q}`, strings.Repeat("x", fakegithub.MaxBody+1)))
	assert.Equal(t, 422, status)
	assert.Equal(t, "Validation Failed", body["message"])
	assert.Equal(t, []any{map[string]any{
		"resource": "IssueComment", "code": "custom", "field": "body",
		"message": "Body is too long (maximum is 65536 characters)",
	}}, body["errors"])

	status, _, body = call(t, "POST", srv.APIURL()+"/repos/honua-io/config/deployments/1/statuses", auth, `{"state":"success"}`)
	assert.Equal(t, 404, status)
	assert.Equal(t, "Not Found", body["message"])

	status, _, body = call(t, "POST", srv.APIURL()+"/repos/honua-io/config/deployments", auth, `{"ref":"main"}`)
	require.Equal(t, 201, status)
	status, _, body = call(t, "POST", fmt.Sprintf("%s/repos/honua-io/config/deployments/%d/statuses", srv.APIURL(), int64(body["id"].(float64))), auth, `{"state":"done"}`)
	assert.Equal(t, 422, status)
	assert.Equal(t, "Validation Failed", body["message"])

	status, _, body = call(t, "POST", srv.APIURL()+"/repos/honua-io/config/issues", auth, `{"body":"no title"}`)
	assert.Equal(t, 422, status)

	status, _, _ = call(t, "POST", srv.APIURL()+"/repos/honua-io/config/issues/999/comments", auth, `{"body":"x"}`)
	assert.Equal(t, 404, status)

	ro := fakegithub.Start(t, fakegithub.Options{ReadOnly: true})
	status, _, body = call(t, "POST", ro.APIURL()+"/repos/honua-io/config/issues", "token anything", `{"title":"t"}`)
	assert.Equal(t, 403, status)
	assert.Equal(t, "Resource not accessible by integration", body["message"])
	status, _, _ = call(t, "GET", ro.APIURL()+"/repos/honua-io/config/issues", "token anything", "")
	assert.Equal(t, 200, status, "reads work with a read-only token")
}

func TestGraphQL(t *testing.T) {
	srv := fakegithub.Start(t, fakegithub.Options{Token: token})
	pr := srv.AddPullRequest(fakegithub.PullRequest{})
	srv.AddComment(pr, "bob", "old")
	srv.AddComment(pr, "bob", "new")
	cs := srv.Comments(pr)
	auth := "Bearer " + token

	q := func(query string, vars any) map[string]any {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		status, _, body := call(t, "POST", srv.GraphQLURL(), auth, string(b))
		require.Equal(t, 200, status)
		return body
	}

	body := q(`mutation { minimizeComment(input: {subjectId: "`+cs[0].NodeID+`", classifier: DUPLICATE}) { minimizedComment { isMinimized } } }`, nil)
	assert.Nil(t, body["errors"])
	assert.Equal(t, "DUPLICATE", srv.Comments(pr)[0].MinimizedReason)

	body = q(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id isMinimized } } }`,
		map[string]any{"ids": []string{cs[0].NodeID, cs[1].NodeID, "IC_gone"}})
	nodes := body["data"].(map[string]any)["nodes"].([]any)
	require.Len(t, nodes, 3)
	assert.Equal(t, true, nodes[0].(map[string]any)["isMinimized"])
	assert.Equal(t, false, nodes[1].(map[string]any)["isMinimized"])
	assert.Nil(t, nodes[2])
	assert.Len(t, body["errors"], 1)

	body = q(`mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) { clientMutationId } }`, map[string]any{"id": "IC_nope"})
	errs := body["errors"].([]any)
	require.Len(t, errs, 1)
	assert.Equal(t, "NOT_FOUND", errs[0].(map[string]any)["type"])
	assert.Equal(t, "Could not resolve to a node with the global id of 'IC_nope'.", errs[0].(map[string]any)["message"])
}

func TestFailNext(t *testing.T) {
	srv := fakegithub.Start(t, fakegithub.Options{})
	pr := srv.AddPullRequest(fakegithub.PullRequest{})
	srv.FailNext("GET", "/repos/*/*/pulls/*", 502, 2)
	url := fmt.Sprintf("%s/repos/honua-io/config/pulls/%d", srv.APIURL(), pr)
	for _, want := range []int{502, 502, 200} {
		status, _, _ := call(t, "GET", url, "token x", "")
		assert.Equal(t, want, status)
	}
	srv.FailNext("GET", "/api/v3/repos/honua-io/config/pulls/*", 429, 1)
	status, _, body := call(t, "GET", url, "token x", "")
	assert.Equal(t, 429, status)
	assert.Contains(t, body["message"], "secondary rate limit")
}
