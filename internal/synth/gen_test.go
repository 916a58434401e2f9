package synth_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/honua-io/honua-gitops/internal/snapshot"
	"github.com/honua-io/honua-gitops/internal/synth"
)

// TestWriteForManualRuns writes a synthetic repository where
// SYNTH_DIR points (with SYNTH_N resources), for timing the binary by hand:
//
//	SYNTH_DIR=/tmp/s SYNTH_N=10000 go test -run TestWriteForManualRuns ./internal/synth
func TestWriteForManualRuns(t *testing.T) {
	dir := os.Getenv("SYNTH_DIR")
	if dir == "" {
		t.Skip("set SYNTH_DIR (and SYNTH_N) to write a synthetic repository")
	}
	n, err := strconv.Atoi(os.Getenv("SYNTH_N"))
	if err != nil {
		n = 10_000
	}
	rs, err := synth.Write(dir, synth.Options{Resources: n, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// A recorded state where every 20th resource differs: a typical PR.
	for i, r := range rs {
		if i%20 == 0 {
			r.Spec["description"] = "before"
		}
	}
	data, err := snapshot.New("bench", rs).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/snapshot.json", data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	ra, err := synth.Write(a, synth.Options{Resources: 300, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := synth.Write(b, synth.Options{Resources: 300, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(ra) != len(rb) || len(ra) < 290 {
		t.Fatalf("got %d and %d resources", len(ra), len(rb))
	}
	fa, _ := os.ReadFile(a + "/environments/common/part-00000.yaml")
	fb, _ := os.ReadFile(b + "/environments/common/part-00000.yaml")
	if string(fa) != string(fb) {
		t.Fatal("same seed, different output")
	}
}
