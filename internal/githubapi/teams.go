package githubapi

import (
	"context"
	"fmt"
	"strings"
)

// TeamMember reports whether login is an active member of the team
// org/slug (GET /orgs/{org}/teams/{slug}/memberships/{username}): a
// pending invitation is not membership. GitHub answers 404 both for
// someone who is not a member and for a team the token cannot see (the
// workflow's GITHUB_TOKEN cannot read organization teams; a GitHub App
// token needs the organization's Members: read permission), so 404 is
// "not a member".
func (c *Client) TeamMember(ctx context.Context, org, slug, login string) (bool, error) {
	m, _, err := c.gh.Teams.GetTeamMembershipBySlug(ctx, org, slug, login)
	switch err := c.wrap(fmt.Sprintf("get the membership of %s in team %s/%s", login, org, slug), err); {
	case IsNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	}
	return strings.EqualFold(m.GetState(), "active"), nil
}
