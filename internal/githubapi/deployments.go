package githubapi

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/go-github/v66/github"

	"github.com/honua-io/honua-gitops/internal/render"
)

// Deployment is a GitHub deployment.
type Deployment struct {
	ID          int64
	Ref         string
	SHA         string
	Environment string
	Description string
}

// DeploymentStates are the states CreateDeploymentStatus accepts.
var DeploymentStates = []string{"in_progress", "success", "failure", "error", "inactive", "queued", "pending"}

// MaxStatusDescription is GitHub's limit on a deployment status
// description, in characters; longer ones are truncated.
const MaxStatusDescription = 140

// CreateDeployment records a deployment of ref (a branch or a SHA) to
// environment. It skips GitHub's auto-merge and commit status checks, since
// the action deploys what was merged whatever other checks say.
func (c *Client) CreateDeployment(ctx context.Context, ref, environment, description string, payload map[string]any) (*Deployment, error) {
	req := &github.DeploymentRequest{
		Ref:                   &ref,
		Environment:           &environment,
		Description:           &description,
		AutoMerge:             github.Bool(false),
		RequiredContexts:      &[]string{},
		TransientEnvironment:  github.Bool(false),
		ProductionEnvironment: github.Bool(environment == "production"),
	}
	if payload != nil {
		req.Payload = payload
	}
	d, _, err := c.gh.Repositories.CreateDeployment(ctx, c.owner, c.repo, req)
	if err != nil {
		return nil, c.wrap(fmt.Sprintf("create deployment of %s to %s", ref, environment), err)
	}
	return &Deployment{ID: d.GetID(), Ref: d.GetRef(), SHA: d.GetSHA(), Environment: d.GetEnvironment(), Description: d.GetDescription()}, nil
}

// CreateDeploymentStatus adds a status to deployment id. A success marks the
// environment's earlier deployments inactive. The description is truncated
// to MaxStatusDescription characters; empty URLs are left out.
func (c *Client) CreateDeploymentStatus(ctx context.Context, id int64, state, environmentURL, logURL, description string) error {
	op := fmt.Sprintf("create %s status of deployment %d", state, id)
	if !slices.Contains(DeploymentStates, state) {
		return &Error{Op: op, Message: fmt.Sprintf("invalid state %q: want one of %v", state, DeploymentStates)}
	}
	req := &github.DeploymentStatusRequest{State: &state, Description: github.String(render.Truncate(description, MaxStatusDescription))}
	if environmentURL != "" {
		req.EnvironmentURL = &environmentURL
	}
	if logURL != "" {
		req.LogURL = &logURL
	}
	if state == "success" {
		req.AutoInactive = github.Bool(true)
	}
	_, _, err := c.gh.Repositories.CreateDeploymentStatus(ctx, c.owner, c.repo, id, req)
	return c.wrap(op, err)
}
