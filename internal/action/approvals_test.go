package action_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/fakegithub"
)

// Item 7: the requiredApprovals fallback counts only approvals by people
// who may push to the repository, and never the pull request's author: on
// a public repository anyone can approve.
func TestFallbackApprovalsCountOnlyWriters(t *testing.T) {
	permissions := map[string]string{"octocat": "admin", "wes": "write", "max": "maintain", "tia": "triage", "rei": "read"}
	for _, tt := range []struct {
		name      string
		approvers []string
		want      string // refusal text; "" applies
		notWant   []string
	}{
		{name: "a writer counts", approvers: []string{"wes"}},
		{name: "a maintainer counts", approvers: []string{"max"}},
		{name: "the author does not count", approvers: []string{"octocat"}, want: "octocat (the pull request's author)"},
		{name: "a stranger does not count", approvers: []string{"mallory"}, want: "mallory (not a collaborator)"},
		{name: "triage does not count", approvers: []string{"tia"}, want: "tia (triage permission, not write)"},
		{name: "read does not count", approvers: []string{"rei", "mallory"}, want: "not counted: mallory (not a collaborator), rei (read permission, not write)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.commit("honua-gitops.yaml", "  staging:\n", "  staging:\n    requiredApprovals: 1\n")
			head := planAndMerge(t, w, 7, "maxRecordCount: 5000", "maxRecordCount: 6000")
			for login, role := range permissions {
				w.gh.SetPermission(login, role)
			}
			for _, who := range tt.approvers {
				w.gh.AddReview(7, fakegithub.Review{User: who, State: "APPROVED"})
			}
			r := w.run("push", pushEvent(head), map[string]string{"environments": "staging"})
			if tt.want == "" {
				require.NoError(t, r.err, r.stdout)
				assert.Contains(t, r.outputs, "applied")
				return
			}
			require.Error(t, r.err, r.stdout)
			assert.Equal(t, app.ExitRefused, app.CodeFor(r.err))
			assert.Contains(t, r.err.Error(), "staging requires 1 approving review from someone with write access")
			assert.Contains(t, r.err.Error(), tt.want)
		})
	}
}
