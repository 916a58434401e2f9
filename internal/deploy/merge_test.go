package deploy_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/deploy"
)

var mergeT0 = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// sum is a summary; a final status gets a finish time minutes after mergeT0.
func summaryAt(id string, status deploy.Status, minutes int) deploy.Summary {
	s := deploy.Summary{ID: id, Kind: deploy.KindApply, Status: status, Actor: "ci", StartedAt: mergeT0}
	if status.Final() {
		s.FinishedAt = mergeT0.Add(time.Duration(minutes) * time.Minute)
	}
	return s
}

func encoded(t *testing.T, v any) []byte {
	t.Helper()
	b, err := deploy.Encode(v)
	require.NoError(t, err)
	return b
}

func recentOf(t *testing.T, list ...deploy.Summary) []byte {
	t.Helper()
	return encoded(t, deploy.Recent{FormatVersion: deploy.FormatVersion, Environment: "staging", Deployments: append([]deploy.Summary{}, list...)})
}

func indexOf(t *testing.T, count int, last, deployed *deploy.Summary) []byte {
	t.Helper()
	return encoded(t, deploy.Index{FormatVersion: deploy.FormatVersion, Environment: "staging", Count: count, Last: last, Deployed: deployed})
}

func ptrTo(s deploy.Summary) *deploy.Summary { return &s }

func recentIDs(t *testing.T, data []byte) []string {
	t.Helper()
	var rc deploy.Recent
	require.NoError(t, json.Unmarshal(data, &rc))
	out := []string{}
	for _, s := range rc.Deployments {
		out = append(out, s.ID+":"+string(s.Status))
	}
	return out
}

func TestMergeFileOneSideChanged(t *testing.T) {
	a, b := []byte("a"), []byte("b")
	tests := []struct {
		name                     string
		base, ours, theirs, want []byte
	}{
		{name: "ours unchanged: theirs", base: a, ours: a, theirs: b, want: b},
		{name: "theirs unchanged: ours", base: a, ours: b, theirs: a, want: b},
		{name: "the same change on both", base: a, ours: b, theirs: b, want: b},
		{name: "deleted on the remote only", base: a, ours: a, theirs: nil, want: nil},
		{name: "added on both alike", base: nil, ours: b, theirs: b, want: b},
		{name: "an empty file is not an absent one", base: nil, ours: []byte{}, theirs: nil, want: []byte{}},
	}
	for _, tt := range tests {
		for _, path := range []string{"staging/snapshot.json", "staging/claim.json", "staging/deployments/aa/x.json", "elsewhere"} {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				got, err := deploy.MergeFile(path, tt.base, tt.ours, tt.theirs)
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			})
		}
	}
}

func TestMergeFileRecent(t *testing.T) {
	a := summaryAt("A", deploy.Succeeded, 1)
	tests := []struct {
		name               string
		base, ours, theirs []byte
		want               []string
	}{
		{name: "a new deployment on each side: ours in front",
			base: recentOf(t, a), ours: recentOf(t, summaryAt("L", deploy.Succeeded, 9), a), theirs: recentOf(t, summaryAt("R", deploy.Succeeded, 5), a),
			want: []string{"L:succeeded", "R:succeeded", "A:succeeded"}},
		{name: "the file is new on both sides",
			ours: recentOf(t, summaryAt("L", deploy.Applying, 0)), theirs: recentOf(t, summaryAt("R", deploy.Succeeded, 5)),
			want: []string{"L:applying", "R:succeeded"}},
		{name: "ours finished what theirs has as applying",
			base: recentOf(t, summaryAt("L", deploy.Applying, 0), a), ours: recentOf(t, summaryAt("L", deploy.Succeeded, 9), a),
			theirs: recentOf(t, summaryAt("L", deploy.Applying, 0), summaryAt("R", deploy.Succeeded, 5), a),
			want:   []string{"L:succeeded", "R:succeeded", "A:succeeded"}},
		{name: "both changed one: the final one wins",
			base: recentOf(t, summaryAt("X", deploy.Applying, 0)), ours: recentOf(t, func() deploy.Summary { s := summaryAt("X", deploy.Applying, 0); s.Actor = "ana"; return s }()),
			theirs: recentOf(t, summaryAt("X", deploy.Failed, 3)),
			want:   []string{"X:failed"}},
		{name: "both final: the later finish wins",
			base: recentOf(t, summaryAt("X", deploy.Applying, 0)), ours: recentOf(t, summaryAt("X", deploy.Failed, 3)), theirs: recentOf(t, summaryAt("X", deploy.RolledBack, 4)),
			want: []string{"X:rolled-back"}},
		{name: "what theirs dropped off the end stays dropped",
			base: recentOf(t, a, summaryAt("B", deploy.Succeeded, 0)), ours: recentOf(t, summaryAt("L", deploy.Succeeded, 9), a, summaryAt("B", deploy.Succeeded, 0)),
			theirs: recentOf(t, summaryAt("R", deploy.Succeeded, 5), a),
			want:   []string{"L:succeeded", "R:succeeded", "A:succeeded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deploy.MergeFile("staging/recent.json", tt.base, tt.ours, tt.theirs)
			require.NoError(t, err)
			assert.Equal(t, tt.want, recentIDs(t, got))
		})
	}

	t.Run("capped at MaxRecent", func(t *testing.T) {
		var full []deploy.Summary
		for i := range deploy.MaxRecent {
			full = append(full, summaryAt(fmt.Sprintf("R%03d", i), deploy.Succeeded, i))
		}
		got, err := deploy.MergeFile("staging/recent.json", recentOf(t), recentOf(t, summaryAt("L", deploy.Succeeded, 1)), recentOf(t, full...))
		require.NoError(t, err)
		list := recentIDs(t, got)
		require.Len(t, list, deploy.MaxRecent)
		assert.Equal(t, "L:succeeded", list[0])
		assert.Equal(t, fmt.Sprintf("R%03d:succeeded", deploy.MaxRecent-2), list[deploy.MaxRecent-1])
	})

	t.Run("invalid JSON is named", func(t *testing.T) {
		_, err := deploy.MergeFile("staging/recent.json", recentOf(t), []byte("{"), recentOf(t, a))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "staging/recent.json on the local state branch is not valid")
	})
}

func TestMergeFileIndex(t *testing.T) {
	a := summaryAt("A", deploy.Succeeded, 1)
	l, r := summaryAt("L", deploy.Succeeded, 9), summaryAt("R", deploy.Succeeded, 5)
	lApplying, x, xFailed := summaryAt("L", deploy.Applying, 0), summaryAt("X", deploy.Applying, 0), summaryAt("X", deploy.Failed, 2)
	tests := []struct {
		name               string
		base, ours, theirs []byte
		count              int
		last, deployed     string
	}{
		{name: "one new on each side",
			base: indexOf(t, 1, &a, &a), ours: indexOf(t, 2, &l, &l), theirs: indexOf(t, 2, &r, &r),
			count: 3, last: "L:succeeded", deployed: "L:succeeded"},
		{name: "new on both sides (no base)",
			ours: indexOf(t, 1, &lApplying, nil), theirs: indexOf(t, 1, &r, &r),
			count: 2, last: "L:applying", deployed: "R:succeeded"},
		{name: "ours finished the one theirs has as latest",
			base: indexOf(t, 2, &lApplying, &a), ours: indexOf(t, 2, &l, &l), theirs: indexOf(t, 3, &lApplying, &r),
			count: 3, last: "L:succeeded", deployed: "L:succeeded"},
		{name: "ours updated one theirs has superseded",
			base: indexOf(t, 1, &x, &a), ours: indexOf(t, 1, &xFailed, &a), theirs: indexOf(t, 2, &r, &r),
			count: 2, last: "R:succeeded", deployed: "R:succeeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deploy.MergeFile("staging/index.json", tt.base, tt.ours, tt.theirs)
			require.NoError(t, err)
			var ix deploy.Index
			require.NoError(t, json.Unmarshal(got, &ix))
			assert.Equal(t, tt.count, ix.Count)
			assert.Equal(t, "staging", ix.Environment)
			name := func(s *deploy.Summary) string {
				if s == nil {
					return ""
				}
				return s.ID + ":" + string(s.Status)
			}
			assert.Equal(t, tt.last, name(ix.Last))
			assert.Equal(t, tt.deployed, name(ix.Deployed))
		})
	}
}

func TestMergeFileConflicts(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{path: "staging/snapshot.json", want: "both the local and the remote state branch recorded a deployment of staging (snapshot.json differs)"},
		{path: "staging/claim.json", want: "both the local and the remote state branch recorded a deployment of staging (claim.json differs)"},
		{path: "staging/deployments/c2/20261129T064512345Z-3fa9c2.json", want: "deployment 20261129T064512345Z-3fa9c2 of staging"},
		{path: "README.md", want: "README.md"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := deploy.MergeFile(tt.path, []byte("base"), []byte("ours"), []byte("theirs"))
			require.ErrorIs(t, err, deploy.ErrMergeConflict)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("a list deleted on one side and changed on the other", func(t *testing.T) {
		_, err := deploy.MergeFile("staging/recent.json", recentOf(t), nil, recentOf(t, summaryAt("R", deploy.Succeeded, 1)))
		require.ErrorIs(t, err, deploy.ErrMergeConflict)
	})
}

// Replaying a local deployment (intent, then result commit) on a remote
// that recorded one of the same environment, the way the state branch does
// it: each commit's change merged with its parent as the base.
func TestMergeFileReplaysADeployment(t *testing.T) {
	a := summaryAt("A", deploy.Succeeded, 1)
	state := func(puts ...deploy.Summary) (ix, rc []byte) {
		i := &deploy.Index{FormatVersion: deploy.FormatVersion, Environment: "staging", Count: 1, Last: ptrTo(a), Deployed: ptrTo(a)}
		r := &deploy.Recent{FormatVersion: deploy.FormatVersion, Environment: "staging", Deployments: []deploy.Summary{a}}
		for _, s := range puts {
			deploy.Put(i, r, s)
		}
		return encoded(t, i), encoded(t, r)
	}
	baseIx, baseRc := state()
	intentIx, intentRc := state(summaryAt("L", deploy.Applying, 0))
	resultIx, resultRc := state(summaryAt("L", deploy.Applying, 0), summaryAt("L", deploy.Succeeded, 9))
	remoteIx, remoteRc := state(summaryAt("R", deploy.Applying, 0), summaryAt("R", deploy.Succeeded, 5))

	ix1, err := deploy.MergeFile("staging/index.json", baseIx, intentIx, remoteIx)
	require.NoError(t, err)
	rc1, err := deploy.MergeFile("staging/recent.json", baseRc, intentRc, remoteRc)
	require.NoError(t, err)
	ix2, err := deploy.MergeFile("staging/index.json", intentIx, resultIx, ix1)
	require.NoError(t, err)
	rc2, err := deploy.MergeFile("staging/recent.json", intentRc, resultRc, rc1)
	require.NoError(t, err)

	assert.Equal(t, []string{"L:succeeded", "R:succeeded", "A:succeeded"}, recentIDs(t, rc2))
	var ix deploy.Index
	require.NoError(t, json.Unmarshal(ix2, &ix))
	assert.Equal(t, 3, ix.Count)
	assert.Equal(t, "L", ix.Last.ID)
	assert.Equal(t, deploy.Succeeded, ix.Last.Status)
	assert.Equal(t, "L", ix.Deployed.ID)
}
