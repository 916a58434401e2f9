package demo

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunRejectsUnknownGeneration(t *testing.T) {
	err := Run(context.Background(), Config{Generation: 3, Out: &strings.Builder{}})
	if err == nil || !strings.Contains(err.Error(), "unknown Honua generation 3") {
		t.Fatalf("err = %v, want an unknown generation error", err)
	}
	err = Run(context.Background(), Config{Generation: 2, Out: &strings.Builder{}})
	if err == nil || !strings.Contains(err.Error(), "seed") {
		t.Fatalf("err = %v, want a missing seed error", err)
	}
}

// TestDemo runs the walkthrough for both generations with binaries it
// builds itself, so it runs (and can fail) on a machine that never ran
// `make build`.
func TestDemo(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, name := range []string{"honua-gitops", "honua-emulator"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, name), "./cmd/"+name)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", name, err, out)
		}
	}
	cases := map[int][]string{
		2: {
			"Generation 2, metadata environment default",
			"adopted the server's service",
			"Theme/city/riverton: Theme has no Generation 2 surface",
			"~ /spec/fields[name=situs_address]/alias: \"Site address\" → \"Street address\"",
			": nothing written)",
			"~ Service/transportation/streets: changed on the server since it was applied",
			"error: refused:",
			`parcels.situs_address alias = "Site address"; streets protocols = ["OGC-API-Tiles","OgcFeatures"]`,
		},
		1: {"Generation 1", "✓ updated  Layer/planning/parcels", "Parcels (edited by hand)"},
	}
	for gen, want := range cases {
		var out strings.Builder
		cfg := Config{Bin: bin, Example: filepath.Join(root, "examples", "honua-config"), Out: &out, Generation: gen,
			Seed: filepath.Join(root, "internal", "emulator", "seeds", "riverton.gen2.json")}
		if err := Run(context.Background(), cfg); err != nil {
			t.Fatalf("generation %d: %v\n%s", gen, err, out.String())
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("generation %d: output lacks %q\n%s", gen, w, out.String())
			}
		}
		if gen == 2 && strings.Count(out.String(), "MapTemplate/planning/zoning-map: MapTemplate has no Generation 2 surface") != 1 {
			t.Errorf("generation 2: the MapTemplate note should appear once\n%s", out.String())
		}
	}
}
