package action_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/prcomment"
)

// Item 12 in the Action: a merge's apply failed part-way; re-running the
// job applies what remains of the reviewed plan instead of refusing it as
// "plan changed since review".
func TestRerunAfterAPartialFailureOnMerge(t *testing.T) {
	w := newWorld(t)
	head := planAndMerge(t, w, 7, "maxRecordCount: 5000", "maxRecordCount: 6000")
	staging := w.servers["staging"]
	require.NoError(t, staging.Server.SetFaults(emulator.Faults{FailResource: emulator.Identity{Kind: "Layer", Namespace: "planning", Name: "parcels"}}))
	r := w.run("push", pushEvent(head), map[string]string{"environments": "staging", "strategy": "resources"})
	require.Error(t, r.err, r.stdout)
	assert.Regexp(t, `result<<\S+\nfailed\n`, r.outputs)
	require.NoError(t, staging.Server.SetFaults(emulator.Faults{}))

	again := w.run("push", pushEvent(head), map[string]string{"environments": "staging"})
	require.NoError(t, again.err, again.stdout)
	assert.Regexp(t, `result<<\S+\napplied\n`, again.outputs)
	assert.Contains(t, again.stdout, "Constrained apply: deployment ")
	m, _ := prcomment.ParseMarker(visible(w.gh.Comments(7))[0].Body)
	assert.Equal(t, prcomment.Applied, m.Envs["staging"].Status)
}
