package action

import (
	"context"

	"github.com/honua-io/honua-gitops/internal/githubapi"
)

// GitHub is what the Action needs of GitHub's API.
type GitHub interface {
	Viewer(ctx context.Context) (string, error)
	ListIssueComments(ctx context.Context, number int) ([]githubapi.Comment, error)
	CreateIssueComment(ctx context.Context, number int, body string) (*githubapi.Comment, error)
	EditIssueComment(ctx context.Context, id int64, body string) (*githubapi.Comment, error)
	MinimizeComment(ctx context.Context, nodeID string) error
	PullRequest(ctx context.Context, number int) (*githubapi.PullRequest, error)
	PullRequestsForCommit(ctx context.Context, sha string) ([]githubapi.PullRequest, error)
	Reviews(ctx context.Context, number int) ([]githubapi.Review, error)
	// Permission is a user's role on the repository, PermissionNone for
	// someone who is not a collaborator: only writers' approvals count.
	Permission(ctx context.Context, user string) (string, error)
	ChangedFiles(ctx context.Context, number int) ([]string, error)
	CreateDeployment(ctx context.Context, ref, environment, description string, payload map[string]any) (*githubapi.Deployment, error)
	CreateDeploymentStatus(ctx context.Context, id int64, state, environmentURL, logURL, description string) error
	FindIssues(ctx context.Context, label string) ([]githubapi.Issue, error)
	CreateIssue(ctx context.Context, title, body string, labels []string) (*githubapi.Issue, error)
	UpdateIssue(ctx context.Context, number int, title, body, state string) (*githubapi.Issue, error)
	CommentOnIssue(ctx context.Context, number int, body string) error
	// CompareCommits answers ancestry that a shallow checkout cannot.
	CompareCommits(ctx context.Context, base, head string) (status string, aheadBy, behindBy int, err error)
	// WorkflowRunInProgress tells whether the run holding a claim still
	// runs, so a dead run's claim need not wait out the claim timeout.
	WorkflowRunInProgress(ctx context.Context, runID int64) (bool, error)
	// CreatePullRequest, OpenPullRequestFor and UpdatePullRequest open the
	// pull requests of import and accept-drift, or refresh the open one: a
	// create is never retried, so the open one is looked for first.
	CreatePullRequest(ctx context.Context, head, base, title, body string) (*githubapi.PullRequest, error)
	OpenPullRequestFor(ctx context.Context, head, base string) (*githubapi.PullRequest, error)
	UpdatePullRequest(ctx context.Context, number int, title, body string) (*githubapi.PullRequest, error)
}

var _ GitHub = (*githubapi.Client)(nil)
