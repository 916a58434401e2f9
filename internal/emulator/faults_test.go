package emulator

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultRollsAreDeterministic(t *testing.T) {
	t.Parallel()
	cfg := Faults{ErrorRate: 0.5, DropRate: 0.2, Jitter: time.Second, Seed: 7}
	a, b := newFaultInjector(cfg), newFaultInjector(cfg)
	var seen500, seen503, seenDrop bool
	for range 200 {
		ra, rb := a.rollRequest(), b.rollRequest()
		assert.Equal(t, ra, rb)
		assert.LessOrEqual(t, ra.delay, time.Second)
		seen500 = seen500 || ra.status == 500
		seen503 = seen503 || ra.status == 503
		seenDrop = seenDrop || ra.drop
	}
	assert.True(t, seen500 && seen503 && seenDrop, "a 0.5/0.2 rate over 200 rolls shows every fault")
	other := newFaultInjector(Faults{ErrorRate: 0.5, Seed: 8})
	differs := false
	a.set(cfg)
	for range 50 {
		differs = differs || a.rollRequest().status != other.rollRequest().status
	}
	assert.True(t, differs, "another seed gives another sequence")
}

func TestCheckWrite(t *testing.T) {
	t.Parallel()
	target := Identity{Kind: "Layer", Namespace: "default", Name: "roads"}
	fi := newFaultInjector(Faults{FailNthWrite: 2, FailResource: target, When: FaultAfter})
	other := Identity{Kind: "Layer", Namespace: "default", Name: "parcels"}
	assert.Nil(t, fi.checkWrite(other))
	f := fi.checkWrite(other)
	if assert.NotNil(t, f) {
		assert.Equal(t, "fail-nth-write", f.kind)
		assert.Equal(t, FaultAfter, f.when)
	}
	assert.Nil(t, fi.checkWrite(other), "only the Nth write fails")
	assert.NotNil(t, fi.checkWrite(target))
	assert.Nil(t, fi.checkWrite(Identity{Kind: "layer", Namespace: "default", Name: "roads"}), "exact identity only")
}

func TestFaultsValidate(t *testing.T) {
	t.Parallel()
	assert.NoError(t, Faults{}.Validate())
	assert.Error(t, Faults{ErrorRate: 1.5}.Validate())
	assert.Error(t, Faults{DropRate: -0.1}.Validate())
	assert.Error(t, Faults{Latency: -time.Second}.Validate())
	assert.Error(t, Faults{FailNthWrite: -1}.Validate())
	assert.Error(t, Faults{When: "during"}.Validate())
	assert.NoError(t, Faults{WriteStatus: 503}.Validate())
	assert.Error(t, Faults{WriteStatus: 404}.Validate())
}

func TestWriteStatus(t *testing.T) {
	t.Parallel()
	target := Identity{Kind: "Layer", Namespace: "default", Name: "roads"}
	tests := []struct {
		name   string
		status int
		want   int
	}{
		{"defaults to 500", 0, 500},
		{"503 on request", 503, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFaultInjector(Faults{FailResource: target, WriteStatus: tt.status}).checkWrite(target)
			require.NotNil(t, f)
			assert.Equal(t, tt.want, f.status)
		})
	}
}
