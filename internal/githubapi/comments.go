package githubapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
)

// Comment is an issue or pull request comment.
type Comment struct {
	ID        int64
	NodeID    string // GraphQL id, for MinimizeComment
	Body      string
	Author    string // login
	URL       string // html_url
	CreatedAt time.Time
	UpdatedAt time.Time
	// Minimized is whether the comment is hidden. REST does not report it:
	// ListIssueComments asks GraphQL, and leaves it false if that fails.
	Minimized bool
}

func toComment(c *github.IssueComment) Comment {
	return Comment{
		ID: c.GetID(), NodeID: c.GetNodeID(), Body: c.GetBody(), Author: c.GetUser().GetLogin(),
		URL: c.GetHTMLURL(), CreatedAt: timeOf(c.CreatedAt), UpdatedAt: timeOf(c.UpdatedAt),
	}
}

// Viewer returns the login of the token's user, the author of every
// comment it posts. Installation tokens — GITHUB_TOKEN and GitHub Apps'
// alike — may not call GET /user (403 or 404), but GraphQL's viewer names
// them ("github-actions[bot]", "my-app[bot]"), so that is asked next. When
// neither answers, Viewer returns "" and no error: the login is unknown
// until this client creates a comment, whose author it then is (see
// CreateIssueComment), and callers must recognise the token's own objects
// some other way (see IsBot). The answer is cached.
//
// An App's login is not guessed: assuming github-actions[bot] for every
// installation token made an App's own comments look like someone else's.
func (c *Client) Viewer(ctx context.Context) (string, error) {
	c.viewerMu.Lock()
	defer c.viewerMu.Unlock()
	if c.viewerAsked {
		return c.viewer, nil
	}
	u, _, err := c.gh.Users.Get(ctx, "")
	switch err := c.wrap("get the token's user", err); {
	case IsForbidden(err) || IsNotFound(err):
		c.viewer = c.graphqlViewer(ctx)
	case err != nil:
		return "", err
	default:
		c.viewer = u.GetLogin()
	}
	c.viewerAsked = true
	return c.viewer, nil
}

const viewerQuery = `query { viewer { login } }`

// graphqlViewer asks GraphQL who the token is, "" when it does not say.
func (c *Client) graphqlViewer(ctx context.Context) string {
	var data struct {
		Viewer *struct {
			Login string `json:"login"`
		} `json:"viewer"`
	}
	if _, err := c.graphql(ctx, viewerQuery, nil, &data); err != nil || data.Viewer == nil {
		return ""
	}
	return data.Viewer.Login
}

// learnViewer records the author of a comment this client created as the
// token's login, when GitHub would not say who the token is.
func (c *Client) learnViewer(author string) {
	c.viewerMu.Lock()
	defer c.viewerMu.Unlock()
	if c.viewer == "" && author != "" {
		c.viewer, c.viewerAsked = author, true
	}
}

// IsBot reports whether login is a GitHub App's bot account ("<slug>[bot]",
// github-actions[bot] among them): what an installation token posts as.
func IsBot(login string) bool { return strings.HasSuffix(login, "[bot]") }

// ListIssueComments returns every comment on issue or pull request number,
// oldest first.
func (c *Client) ListIssueComments(ctx context.Context, number int) ([]Comment, error) {
	comments, err := allPages(func(lo github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		return c.gh.Issues.ListComments(ctx, c.owner, c.repo, number, &github.IssueListCommentsOptions{ListOptions: lo})
	}, toComment)
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("list comments on #%d", number), err)
	}
	slices.SortStableFunc(comments, func(a, b Comment) int { return a.CreatedAt.Compare(b.CreatedAt) })
	c.fillMinimized(ctx, comments)
	return comments, nil
}

// CreateIssueComment comments on issue or pull request number.
func (c *Client) CreateIssueComment(ctx context.Context, number int, body string) (*Comment, error) {
	got, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.repo, number, &github.IssueComment{Body: &body})
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("create comment on #%d", number), err)
	}
	cm := toComment(got)
	c.learnViewer(cm.Author)
	return &cm, nil
}

// EditIssueComment replaces the body of comment id.
func (c *Client) EditIssueComment(ctx context.Context, id int64, body string) (*Comment, error) {
	got, _, err := c.gh.Issues.EditComment(ctx, c.owner, c.repo, id, &github.IssueComment{Body: &body})
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("edit comment %d", id), err)
	}
	cm := toComment(got)
	return &cm, nil
}

// DeleteIssueComment deletes comment id.
func (c *Client) DeleteIssueComment(ctx context.Context, id int64) error {
	_, err := c.gh.Issues.DeleteComment(ctx, c.owner, c.repo, id)
	return c.wrap(fmt.Sprintf("delete comment %d", id), err)
}

const minimizeMutation = `mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) { minimizedComment { isMinimized } } }`

// MinimizeComment hides a comment (by GraphQL node id) as outdated.
func (c *Client) MinimizeComment(ctx context.Context, nodeID string) error {
	op := fmt.Sprintf("minimize comment %s", nodeID)
	var data struct {
		MinimizeComment struct {
			MinimizedComment struct {
				IsMinimized bool `json:"isMinimized"`
			} `json:"minimizedComment"`
		} `json:"minimizeComment"`
	}
	errs, err := c.graphql(ctx, minimizeMutation, map[string]any{"id": nodeID}, &data)
	if err == nil && len(errs) > 0 {
		err = errs.err()
	}
	if err == nil && !data.MinimizeComment.MinimizedComment.IsMinimized {
		err = fmt.Errorf("GitHub did not report the comment as minimized")
	}
	return c.wrap(op, err)
}

const minimizedQuery = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id isMinimized } } }`

// fillMinimized sets Comment.Minimized from GraphQL, 100 ids per query (the
// most nodes() takes). It is best effort: REST has already answered, and a
// comment wrongly shown as not minimized only gets minimized again.
func (c *Client) fillMinimized(ctx context.Context, comments []Comment) {
	for chunk := range slices.Chunk(comments, 100) {
		ids := make([]string, 0, len(chunk))
		for _, cm := range chunk {
			ids = append(ids, cm.NodeID)
		}
		var data struct {
			Nodes []*struct {
				ID          string `json:"id"`
				IsMinimized bool   `json:"isMinimized"`
			} `json:"nodes"`
		}
		if _, err := c.graphql(ctx, minimizedQuery, map[string]any{"ids": ids}, &data); err != nil {
			return
		}
		minimized := map[string]bool{}
		for _, n := range data.Nodes {
			if n != nil {
				minimized[n.ID] = n.IsMinimized
			}
		}
		for i := range chunk {
			chunk[i].Minimized = minimized[chunk[i].NodeID]
		}
	}
}

type gqlErrors []struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

func (es gqlErrors) err() error {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Message
	}
	return &Error{Type: es[0].Type, Message: strings.Join(msgs, "; ")}
}

// graphql posts a query through go-github's authenticated HTTP client and
// decodes data into out. GraphQL reports most failures with a 200 and an
// "errors" array, which is returned for the caller to judge (a partial
// answer may still carry data).
func (c *Client) graphql(ctx context.Context, query string, vars map[string]any, out any) (gqlErrors, error) {
	payload, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.graphqlURL, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.gh.UserAgent)
	resp, err := c.gh.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	var env struct {
		Data    json.RawMessage `json:"data"`
		Errors  gqlErrors       `json:"errors"`
		Message string          `json:"message"`
	}
	jsonErr := json.Unmarshal(body, &env)
	if resp.StatusCode != http.StatusOK {
		msg := env.Message
		if jsonErr != nil || msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		e := &Error{StatusCode: resp.StatusCode, Message: msg}
		e.RateLimited = resp.StatusCode == http.StatusTooManyRequests || strings.Contains(strings.ToLower(msg), "rate limit")
		return nil, e
	}
	if jsonErr != nil {
		return nil, fmt.Errorf("decode GraphQL answer: %w", jsonErr)
	}
	if len(env.Data) > 0 && string(env.Data) != "null" && out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			return nil, fmt.Errorf("decode GraphQL data: %w", err)
		}
	}
	return env.Errors, nil
}
