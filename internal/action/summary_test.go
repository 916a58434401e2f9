package action_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/fakegithub"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/prcomment"
)

// Issue 9 item 11: a fork's read-only plan wrote the plan twice to the job
// summary (the summary, then the comment body), past GitHub's 1 MiB, and
// GitHub then drops the whole summary. Every write shares one budget.
func TestJobSummaryStaysUnderOneMiB(t *testing.T) {
	w := newWorld(t)
	var b strings.Builder
	for i := range 4000 {
		fmt.Fprintf(&b, "---\napiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: bulk-%04d, namespace: planning}\n"+
			"spec: {tableName: bulk_%04d, schemaName: bulk, geometryType: Point, srid: 4326, title: \"Bulk layer %d with a long enough title\"}\n", i, i, i)
	}
	require.NoError(t, os.WriteFile(filepath.Join(w.work, "environments/staging/bulk.yaml"), []byte(b.String()), 0o644))
	gittest.Git(t, w.work, "add", "-A")
	gittest.Git(t, w.work, "commit", "-qm", "bulk")
	head := strings.TrimSpace(gittest.Git(t, w.work, "rev-parse", "HEAD"))

	ro := fakegithub.Start(t, fakegithub.Options{Owner: "acme", Repo: "city-gis", Token: w.remote.Token, ReadOnly: true})
	w.gh = ro
	ro.AddPullRequest(fakegithub.PullRequest{Number: 4, HeadSHA: head, HeadRepoFullName: "someone/city-gis", Files: []string{"environments/staging/bulk.yaml"}})
	ev := prEvent(4, head)
	ev["pull_request"].(map[string]any)["head"].(map[string]any)["repo"] = map[string]any{"full_name": "someone/city-gis"}
	r := w.run("pull_request", ev, map[string]string{"honua-api-key": ""})
	require.NoError(t, r.err)
	assert.LessOrEqual(t, len(r.summary), prcomment.MaxSummaryBytes)
	assert.Greater(t, len(r.summary), 500_000, "the budget is used, not wasted")
	assert.True(t, strings.Contains(r.summary, "The job summary is full"), "the cut says where the rest is")
}
