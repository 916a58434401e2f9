package gen1_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/resource"
)

func layers(n int, title string) []*resource.Resource {
	out := make([]*resource.Resource, n)
	for i := range out {
		out[i] = &resource.Resource{APIVersion: resource.APIVersion, Kind: "Layer",
			Metadata: resource.Metadata{Name: fmt.Sprintf("layer-%04d", i), Namespace: "default"},
			Spec:     map[string]any{"tableName": fmt.Sprintf("t%04d", i), "schemaName": "public", "geometryType": "Polygon", "srid": int64(4326), "title": title}}
	}
	return out
}

// BenchmarkApply1000 updates 1,000 resources (per-resource CRUD: a GET and
// a PUT each) against the emulator with 5 ms of latency per request,
// sequentially and with 8 and 16 concurrent writes per dependency level.
func BenchmarkApply1000(b *testing.B) {
	for _, conc := range []int{1, 8, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			run := startEmulator(b, emulator.Options{})
			d := open(b, run.URL)
			before := layers(1000, "v0")
			out, err := apply.Run(context.Background(), d, apply.Request{Environment: "bench", Desired: before,
				Options: apply.Options{Strategy: apply.StrategyResources, Concurrency: 16}})
			if err != nil || out.Failed() {
				b.Fatalf("seed: %v %v", err, out)
			}
			recorded := out.Recorded
			if err := run.Server.SetFaults(emulator.Faults{Latency: 5 * time.Millisecond}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				desired := layers(1000, fmt.Sprintf("v%d", i+1))
				out, err := apply.Run(context.Background(), d, apply.Request{Environment: "bench", Desired: desired, Recorded: recorded,
					Options: apply.Options{Strategy: apply.StrategyResources, Concurrency: conc}})
				if err != nil || out.Failed() || len(out.Results) != 1000 {
					b.Fatalf("apply: %v", err)
				}
				recorded = out.Recorded
			}
		})
	}
}
