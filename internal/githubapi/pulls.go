package githubapi

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
)

// PullRequest is what the action needs of a pull request.
type PullRequest struct {
	Number         int
	Title          string
	Body           string
	State          string // open or closed
	HeadSHA        string
	BaseRef        string
	HeadRef        string
	MergeCommitSHA string
	URL            string // html_url
	Merged         bool
	Author         string
	// HeadRepoFullName is "owner/repo" of the head branch; empty when the
	// fork has been deleted.
	HeadRepoFullName string
	// Fork is set when the head is not in the client's repository, so the
	// workflow token is read-only and the head is untrusted.
	Fork bool
}

func (c *Client) toPullRequest(pr *github.PullRequest) PullRequest {
	head := pr.GetHead().GetRepo().GetFullName()
	return PullRequest{
		Number: pr.GetNumber(), Title: pr.GetTitle(), Body: pr.GetBody(), State: pr.GetState(),
		HeadSHA: pr.GetHead().GetSHA(), BaseRef: pr.GetBase().GetRef(), HeadRef: pr.GetHead().GetRef(),
		MergeCommitSHA: pr.GetMergeCommitSHA(), URL: pr.GetHTMLURL(), Merged: pr.GetMerged(),
		Author: pr.GetUser().GetLogin(), HeadRepoFullName: head,
		Fork: !strings.EqualFold(head, c.owner+"/"+c.repo),
	}
}

// PullRequest returns pull request number.
func (c *Client) PullRequest(ctx context.Context, number int) (*PullRequest, error) {
	pr, _, err := c.gh.PullRequests.Get(ctx, c.owner, c.repo, number)
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("get pull request #%d", number), err)
	}
	out := c.toPullRequest(pr)
	return &out, nil
}

// CreatePullRequest opens a pull request from head, a branch of the client's
// repository, into base. GitHub answers 422 when an open one from head into
// base already exists ("A pull request already exists for owner:head."), so
// callers that may run again look with OpenPullRequestFor first. Like every
// POST it is not retried: a timed-out create may have opened it.
func (c *Client) CreatePullRequest(ctx context.Context, head, base, title, body string) (*PullRequest, error) {
	pr, _, err := c.gh.PullRequests.Create(ctx, c.owner, c.repo, &github.NewPullRequest{
		Title: &title, Head: &head, Base: &base, Body: &body,
	})
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("create pull request %s into %s", head, base), err)
	}
	out := c.toPullRequest(pr)
	return &out, nil
}

// OpenPullRequestFor returns the open pull request from head, a branch of
// the client's repository, into base, or nil when there is none.
func (c *Client) OpenPullRequestFor(ctx context.Context, head, base string) (*PullRequest, error) {
	// GitHub ignores a head filter without the owner prefix and lists every
	// open pull request, so the prefix is required, and the results are
	// checked too: a fork's branch of the same name is not ours.
	prs, err := allPages(func(lo github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
		return c.gh.PullRequests.List(ctx, c.owner, c.repo, &github.PullRequestListOptions{
			State: "open", Head: c.owner + ":" + head, Base: base, ListOptions: lo,
		})
	}, c.toPullRequest)
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("find the open pull request %s into %s", head, base), err)
	}
	for _, pr := range prs {
		if pr.HeadRef == head && pr.BaseRef == base && !pr.Fork && pr.State == "open" {
			return &pr, nil
		}
	}
	return nil, nil
}

// UpdatePullRequest edits the title and body of pull request number, as a
// rerun refreshes the pull request it opened before. An empty title or body
// leaves that field unchanged.
func (c *Client) UpdatePullRequest(ctx context.Context, number int, title, body string) (*PullRequest, error) {
	edit := &github.PullRequest{}
	if title != "" {
		edit.Title = &title
	}
	if body != "" {
		edit.Body = &body
	}
	pr, _, err := c.gh.PullRequests.Edit(ctx, c.owner, c.repo, number, edit)
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("update pull request #%d", number), err)
	}
	out := c.toPullRequest(pr)
	return &out, nil
}

// PullRequestsForCommit returns the pull requests associated with commit
// sha: merged ones that contain it, or open ones whose head it is.
func (c *Client) PullRequestsForCommit(ctx context.Context, sha string) ([]PullRequest, error) {
	prs, err := allPages(func(lo github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
		return c.gh.PullRequests.ListPullRequestsWithCommit(ctx, c.owner, c.repo, sha, &lo)
	}, c.toPullRequest)
	return prs, c.wrap(fmt.Sprintf("list pull requests for commit %s", sha), err)
}

// Review is a pull request review.
type Review struct {
	ID          int64
	User        string
	State       string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
	CommitID    string // the head the review was given on
	SubmittedAt time.Time
}

// Reviews returns every review of pull request number, oldest first.
func (c *Client) Reviews(ctx context.Context, number int) ([]Review, error) {
	reviews, err := allPages(func(lo github.ListOptions) ([]*github.PullRequestReview, *github.Response, error) {
		return c.gh.PullRequests.ListReviews(ctx, c.owner, c.repo, number, &lo)
	}, func(r *github.PullRequestReview) Review {
		return Review{ID: r.GetID(), User: r.GetUser().GetLogin(), State: r.GetState(),
			CommitID: r.GetCommitID(), SubmittedAt: timeOf(r.SubmittedAt)}
	})
	return reviews, c.wrap(fmt.Sprintf("list reviews of #%d", number), err)
}

// ChangedFiles returns the paths pull request number touches, including the
// old path of each rename, each path once. GitHub lists at most 3000 files.
func (c *Client) ChangedFiles(ctx context.Context, number int) ([]string, error) {
	files, err := allPages(func(lo github.ListOptions) ([]*github.CommitFile, *github.Response, error) {
		return c.gh.PullRequests.ListFiles(ctx, c.owner, c.repo, number, &lo)
	}, func(f *github.CommitFile) *github.CommitFile { return f })
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("list files of #%d", number), err)
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range files {
		for _, p := range []string{f.GetFilename(), f.GetPreviousFilename()} {
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// Permission returns user's role on the repository: "admin", "maintain",
// "write", "triage", "read", or, for a custom role, the base level it
// extends ("write" or "read"). Someone who is not a collaborator (GitHub
// answers 404) has PermissionNone.
func (c *Client) Permission(ctx context.Context, user string) (string, error) {
	p, _, err := c.gh.Repositories.GetPermissionLevel(ctx, c.owner, c.repo, user)
	switch err := c.wrap(fmt.Sprintf("get the permission of %s", user), err); {
	case IsNotFound(err):
		return PermissionNone, nil
	case err != nil:
		return "", err
	}
	// role_name tells maintain from write and triage from read; a custom
	// role's name means nothing here, so its base level (permission, which
	// GitHub reduces to admin, write, read or none) answers instead.
	switch role := strings.ToLower(p.GetRoleName()); role {
	case "admin", "maintain", "write", "triage", "read":
		return role, nil
	}
	return strings.ToLower(cmp.Or(p.GetPermission(), PermissionNone)), nil
}

// PermissionNone is the permission of someone who is not a collaborator.
const PermissionNone = "none"

// CanWrite reports whether permission (as Permission returns it, or a role
// name) lets its holder push to the repository: admin, maintain or write.
func CanWrite(permission string) bool {
	switch strings.ToLower(permission) {
	case "admin", "maintain", "write":
		return true
	}
	return false
}
