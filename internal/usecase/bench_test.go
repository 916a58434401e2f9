package usecase_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/snapshot"
	"github.com/honua-io/honua-gitops/internal/synth"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// fixedState is recorded state held in memory.
type fixedState struct{ s *snapshot.Snapshot }

func (f fixedState) Recorded(context.Context, string) (*snapshot.Snapshot, plan.RecordedState, error) {
	return f.s, plan.RecordedState{Source: "memory"}, nil
}

// recordedFrom derives recorded state from the expected resources: every
// 20th resource differs, so the plan has work to do.
func recordedFrom(rs []*resource.Resource) *snapshot.Snapshot {
	out := make([]*resource.Resource, 0, len(rs))
	for i, r := range rs {
		c := *r
		if i%20 == 0 {
			c.Spec = resource.Clone(r.Spec).(map[string]any)
			c.Spec["description"] = "before"
		}
		out = append(out, &c)
	}
	return snapshot.New("bench", out)
}

// BenchmarkLoadValidatePlan measures the whole plan path: read and parse the
// files, overlay, substitute, validate, diff against recorded state, order
// and hash.
func BenchmarkLoadValidatePlan(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 50_000} {
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			rs, err := synth.Write(dir, synth.Options{Resources: n, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			recorded := fixedState{recordedFrom(rs)}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				ws, err := usecase.OpenWorkspace(dir)
				if err != nil {
					b.Fatal(err)
				}
				p, err := ws.Plan(context.Background(), usecase.PlanRequest{Environment: "bench", Recorded: recorded})
				if err != nil {
					b.Fatal(err)
				}
				if p.Summary.Total() == 0 {
					b.Fatal("expected changes")
				}
			}
			b.ReportMetric(float64(n), "resources")
		})
	}
}
