package githubapi

import (
	"context"
	"fmt"
)

// runCompleted is the one workflow run status that means the run has
// ended; every other (queued, in_progress, waiting, requested, pending)
// means it may still act.
const runCompleted = "completed"

// WorkflowRunInProgress reports whether GitHub Actions run runID of the
// client's repository has not completed yet. Anything but "completed"
// counts as in progress, so a status GitHub adds later keeps a live run's
// claim from being taken over. GitHub answers 404 (see IsNotFound) for a
// run it does not know.
func (c *Client) WorkflowRunInProgress(ctx context.Context, runID int64) (inProgress bool, err error) {
	run, _, err := c.gh.Actions.GetWorkflowRunByID(ctx, c.owner, c.repo, runID)
	if err != nil {
		return false, c.wrap(fmt.Sprintf("get workflow run %d", runID), err)
	}
	return run.GetStatus() != runCompleted, nil
}
