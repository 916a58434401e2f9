package maplibre

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// exampleStyles decodes spec.style of every Style document in the example
// repository, keyed by metadata.name.
func exampleStyles(t testing.TB) map[string]map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "examples", "honua-config", "environments", "common", "styles.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	for {
		var doc struct {
			Kind     string `yaml:"kind"`
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
			Spec struct {
				Style map[string]any `yaml:"style"`
			} `yaml:"spec"`
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if doc.Kind == "Style" {
			out[doc.Metadata.Name] = doc.Spec.Style
		}
	}
	if len(out) == 0 {
		t.Fatal("no Style documents found")
	}
	return out
}

// zoningWithSlice is the example's zoning style as it was before it was
// rewritten for Generation 2: it took a zone code's first letter with the
// slice operator, which Honua's normaliser rejects.
func zoningWithSlice() map[string]any {
	return map[string]any{"version": 8, "name": "zoning-districts-by-zone", "layers": []any{
		map[string]any{"id": "zoning-fill", "type": "fill", "paint": map[string]any{
			"fill-opacity": 0.55,
			"fill-color": []any{"match", []any{"slice", []any{"get", "zone_code"}, 0, 1},
				"R", "#f9d65c", "C", "#e8505b", "M", "#8e7cc3", "P", "#6aa84f", "#cccccc"},
		}},
	}}
}

func TestCheckExampleStyles(t *testing.T) {
	want := map[string][]string{
		"zoning-districts-with-slice": {"/layers/0/paint/fill-color/1/0"},
	}
	styles := exampleStyles(t)
	styles["zoning-districts-with-slice"] = zoningWithSlice()
	for name, style := range styles {
		t.Run(name, func(t *testing.T) {
			for _, ps := range [][]Problem{Check(style), CheckLayer(style, 3)} {
				if got := paths(ps); !equalStrings(got, want[name]) {
					t.Fatalf("problems %v, want paths %v", ps, want[name])
				}
			}
			if name == "zoning-districts-with-slice" {
				if msg := Check(style)[0].Message; !contains(msg, `expression operator "slice" is not accepted`) || !contains(msg, "allowed: !, !=, <") {
					t.Errorf("message %q does not name slice and the allowed operators", msg)
				}
				if _, err := Normalise(style, 3); err == nil {
					t.Error("Normalise accepted a style with slice")
				}
				return
			}
			n, err := Normalise(style, 3)
			if err != nil {
				t.Fatal(err)
			}
			if ps := CheckLayer(n, 3); len(ps) != 0 {
				t.Errorf("normalised style has problems: %v", ps)
			}
			for i, l := range n["layers"].([]any) {
				lo := l.(map[string]any)
				if lo["source"] != "layer-3" || lo["source-layer"] != "layer" {
					t.Errorf("layer %d: source %v source-layer %v", i, lo["source"], lo["source-layer"])
				}
			}
		})
	}
}
