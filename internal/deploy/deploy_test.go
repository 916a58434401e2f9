package deploy_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/deploy"
)

var t0 = time.Date(2026, 11, 29, 6, 45, 12, 345_000_000, time.UTC)

func TestStateMachine(t *testing.T) {
	tests := []struct {
		name string
		path []deploy.Status
		ok   bool
	}{
		{"full flow", []deploy.Status{deploy.Planning, deploy.AwaitingApproval, deploy.Applying, deploy.Verifying, deploy.Succeeded}, true},
		{"approval given before the job skips awaiting-approval", []deploy.Status{deploy.Planning, deploy.Applying, deploy.Verifying, deploy.Succeeded}, true},
		{"failure then rollback", []deploy.Status{deploy.Planning, deploy.Applying, deploy.Verifying, deploy.Failed, deploy.RollingBack, deploy.RolledBack}, true},
		{"state moved while planning", []deploy.Status{deploy.Planning, deploy.Failed}, true},
		{"cannot succeed without planning", []deploy.Status{deploy.Succeeded}, false},
		{"cannot leave succeeded", []deploy.Status{deploy.Planning, deploy.Applying, deploy.Succeeded, deploy.RollingBack}, false},
		{"cannot verify before applying", []deploy.Status{deploy.Planning, deploy.Verifying}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deploy.New("20261129T064512345Z-3fa9c2", "staging", deploy.KindApply, t0)
			var err error
			for i, s := range tt.path {
				if err = d.Advance(s, t0.Add(time.Duration(i)*time.Second), "step"); err != nil {
					break
				}
			}
			if !tt.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, d.Transitions, len(tt.path)+1, "one transition per state, with a message")
			last := tt.path[len(tt.path)-1]
			assert.Equal(t, last, d.Status)
			assert.Equal(t, last.Final(), !d.FinishedAt.IsZero())
		})
	}
}

func TestIDs(t *testing.T) {
	a, err := deploy.NewID(t0, bytes.NewReader([]byte{0x3f, 0xa9, 0xc2}))
	require.NoError(t, err)
	assert.Equal(t, "20261129T064512345Z-3fa9c2", a)
	assert.True(t, deploy.ValidID(a))
	b, err := deploy.NewID(t0.Add(time.Millisecond), nil)
	require.NoError(t, err)
	assert.Less(t, a, b, "ids sort by time")
	for _, bad := range []string{"", "../../etc", "20261129T064512Z-3fa9c2", "20261129T064512345Z-3FA9C2"} {
		assert.False(t, deploy.ValidID(bad), bad)
	}
	assert.Equal(t, "staging/deployments/c2/20261129T064512345Z-3fa9c2.json", deploy.RecordPath("staging", a))
}

func TestIndexAndRecent(t *testing.T) {
	ix := &deploy.Index{}
	rc := &deploy.Recent{}
	sum := func(i int, st deploy.Status) deploy.Summary {
		return deploy.Summary{ID: fmt.Sprintf("20261129T0645%02d000Z-%06x", i%60, i), Status: st}
	}
	deploy.Put(ix, rc, sum(1, deploy.Applying))
	deploy.Put(ix, rc, sum(1, deploy.Succeeded))
	assert.Equal(t, 1, ix.Count, "an update is not a new deployment")
	assert.Equal(t, deploy.Succeeded, ix.Deployed.Status)
	deploy.Put(ix, rc, sum(2, deploy.Failed))
	assert.Equal(t, sum(2, deploy.Failed).ID, ix.Last.ID)
	assert.Equal(t, sum(1, deploy.Succeeded).ID, ix.Deployed.ID, "deployed is the newest that succeeded")
	for i := 3; i < deploy.MaxRecent+50; i++ {
		deploy.Put(ix, rc, sum(i, deploy.Succeeded))
	}
	assert.Equal(t, deploy.MaxRecent+49, ix.Count)
	assert.Len(t, rc.Deployments, deploy.MaxRecent)
	assert.Equal(t, ix.Last.ID, rc.Deployments[0].ID, "newest first")
}

type files map[string][]byte

func (f files) File(p string) ([]byte, bool, error) { d, ok := f[p]; return d, ok, nil }

func TestReadRecentNStopsEarly(t *testing.T) {
	rc := &deploy.Recent{FormatVersion: 1, Environment: "dev"}
	ix := &deploy.Index{}
	for i := range 30 {
		deploy.Put(ix, rc, deploy.Summary{ID: fmt.Sprintf("20261129T0645%02d000Z-%06x", i, i), Status: deploy.Succeeded})
	}
	data, err := deploy.Encode(rc)
	require.NoError(t, err)
	got, err := deploy.ReadRecentN(files{deploy.RecentPath("dev"): data}, "dev", 5)
	require.NoError(t, err)
	require.Len(t, got, 5)
	assert.Equal(t, rc.Deployments[:5], got)
	none, err := deploy.ReadRecentN(files{}, "dev", 5)
	require.NoError(t, err)
	assert.Empty(t, none)
}
