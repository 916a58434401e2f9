package githubapi

import (
	"context"
	"fmt"

	"github.com/google/go-github/v66/github"
)

// Comparison statuses GitHub reports for base...head.
const (
	CompareIdentical = "identical" // head is base
	CompareAhead     = "ahead"     // head contains base and more
	CompareBehind    = "behind"    // base contains head and more
	CompareDiverged  = "diverged"  // each has commits the other lacks
)

// CompareCommits compares base with head (SHAs or branch names) as GitHub's
// base...head comparison does: status is CompareIdentical, CompareAhead,
// CompareBehind or CompareDiverged, aheadBy counts the commits head has that
// base lacks, behindBy the reverse. Head contains base when the status is
// identical or ahead. GitHub answers 404 (see IsNotFound) when it does not
// know either commit.
//
// It asks for one commit per page: only the counts are wanted, and GitHub
// would otherwise send up to 250 commits with their files.
func (c *Client) CompareCommits(ctx context.Context, base, head string) (status string, aheadBy, behindBy int, err error) {
	cmp, _, err := c.gh.Repositories.CompareCommits(ctx, c.owner, c.repo, base, head, &github.ListOptions{PerPage: 1})
	if err != nil {
		return "", 0, 0, c.wrap(fmt.Sprintf("compare %s...%s", base, head), err)
	}
	return cmp.GetStatus(), cmp.GetAheadBy(), cmp.GetBehindBy(), nil
}
