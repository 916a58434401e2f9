package githubapi

import (
	"context"
	"fmt"

	"github.com/google/go-github/v66/github"
)

// Issue is a GitHub issue.
type Issue struct {
	Number int
	Title  string
	Body   string
	State  string // open or closed
	URL    string // html_url
	Labels []string
}

func toIssue(is *github.Issue) Issue {
	out := Issue{Number: is.GetNumber(), Title: is.GetTitle(), Body: is.GetBody(), State: is.GetState(), URL: is.GetHTMLURL()}
	for _, l := range is.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	return out
}

// FindIssues returns every issue, open or closed, labelled label. Pull
// requests, which GitHub lists as issues too, are left out.
func (c *Client) FindIssues(ctx context.Context, label string) ([]Issue, error) {
	issues, err := allPages(func(lo github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return c.gh.Issues.ListByRepo(ctx, c.owner, c.repo, &github.IssueListByRepoOptions{State: "all", Labels: []string{label}, ListOptions: lo})
	}, func(is *github.Issue) *github.Issue { return is })
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("list issues labelled %q", label), err)
	}
	var out []Issue
	for _, is := range issues {
		if !is.IsPullRequest() {
			out = append(out, toIssue(is))
		}
	}
	return out, nil
}

// CreateIssue opens an issue.
func (c *Client) CreateIssue(ctx context.Context, title, body string, labels []string) (*Issue, error) {
	if labels == nil {
		labels = []string{}
	}
	is, _, err := c.gh.Issues.Create(ctx, c.owner, c.repo, &github.IssueRequest{Title: &title, Body: &body, Labels: &labels})
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("create issue %q", title), err)
	}
	out := toIssue(is)
	return &out, nil
}

// UpdateIssue edits issue number. An empty title, body or state leaves that
// field unchanged; state is "open" or "closed".
func (c *Client) UpdateIssue(ctx context.Context, number int, title, body, state string) (*Issue, error) {
	op := fmt.Sprintf("update issue #%d", number)
	req := &github.IssueRequest{}
	if title != "" {
		req.Title = &title
	}
	if body != "" {
		req.Body = &body
	}
	switch state {
	case "":
	case "open", "closed":
		req.State = &state
	default:
		return nil, &Error{Op: op, Message: fmt.Sprintf("invalid state %q: want open or closed", state)}
	}
	is, _, err := c.gh.Issues.Edit(ctx, c.owner, c.repo, number, req)
	if err != nil {
		return nil, c.wrap(op, err)
	}
	out := toIssue(is)
	return &out, nil
}

// CommentOnIssue adds a comment to issue number.
func (c *Client) CommentOnIssue(ctx context.Context, number int, body string) error {
	_, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.repo, number, &github.IssueComment{Body: &body})
	return c.wrap(fmt.Sprintf("comment on issue #%d", number), err)
}
