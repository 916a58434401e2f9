package maplibre

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func jsonEqual(a, b any) bool { return reflect.DeepEqual(a, b) }

func TestNormalise(t *testing.T) {
	honua := `{"type":"vector","tiles":["/tiles/7/{z}/{x}/{y}.mvt"],"minzoom":0,"maxzoom":22}`
	tests := []struct {
		name, in, want string
	}{
		{"minimal layer gets source and source-layer",
			`{"version":8,"layers":[{"id":"p","type":"circle","paint":{"circle-color":"#ff0000","circle-radius":6}}]}`,
			`{"version":8,"sources":{"layer-7":` + honua + `},"layers":[{"id":"p","type":"circle","source":"layer-7","source-layer":"layer","paint":{"circle-color":"#ff0000","circle-radius":6}}]}`},
		{"honua source kept, others kept, nulls kept, background untouched",
			`{"version":"8","name":"n","sprite":"s","glyphs":"g","metadata":{"k":1},"x":null,
			  "sources":{"layer-7":` + honua + `,"g":{"type":"geojson","data":{"type":"FeatureCollection","features":[]}}},
			  "layers":[{"id":"bg","type":"background","layout":{"visibility":"visible"}},
			            {"id":"g","type":"circle","source":"g","paint":null},
			            {"id":"h","type":"line","source":null,"source-layer":null,"metadata":{"a":[1,2]}}]}`,
			`{"version":"8","name":"n","sprite":"s","glyphs":"g","metadata":{"k":1},"x":null,
			  "sources":{"layer-7":` + honua + `,"g":{"type":"geojson","data":{"type":"FeatureCollection","features":[]}}},
			  "layers":[{"id":"bg","type":"background","layout":{"visibility":"visible"}},
			            {"id":"g","type":"circle","source":"g","paint":null},
			            {"id":"h","type":"line","source":"layer-7","source-layer":"layer","metadata":{"a":[1,2]}}]}`},
		{"sources null replaced",
			`{"version":8,"sources":null,"layers":[{"id":"p","type":"fill","source":"layer-7"}]}`,
			`{"version":8,"sources":{"layer-7":` + honua + `},"layers":[{"id":"p","type":"fill","source":"layer-7","source-layer":"layer"}]}`},
		{"external vector source keeps its source-layer",
			`{"version":8,"sources":{"e":{"type":"vector","tiles":["x"]}},"layers":[{"id":"e","type":"line","source":"e","source-layer":"roads"},{"id":"p","type":"fill"}]}`,
			`{"version":8,"sources":{"e":{"type":"vector","tiles":["x"]},"layer-7":` + honua + `},"layers":[{"id":"e","type":"line","source":"e","source-layer":"roads"},{"id":"p","type":"fill","source":"layer-7","source-layer":"layer"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := parse(t, tt.in)
			before := parse(t, tt.in)
			got, err := Normalise(in, 7)
			if err != nil {
				t.Fatal(err)
			}
			if want := parse(t, tt.want); !jsonEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Fatalf("got  %s\nwant %s", g, w)
			}
			if !jsonEqual(in, before) {
				t.Error("Normalise modified its input")
			}
			again, err := Normalise(got, 7)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(again, got) {
				t.Error("Normalise is not idempotent")
			}
			// The stored form survives a JSON round trip unchanged, so it
			// compares equal to a live style read back from the server.
			raw, _ := json.Marshal(got)
			var live map[string]any
			if err := json.Unmarshal(raw, &live); err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(live, got) {
				t.Error("normal form changes on a JSON round trip")
			}
		})
	}
}

func TestNormaliseIdempotentExamples(t *testing.T) {
	for name, style := range exampleStyles(t) {
		once, err := Normalise(style, 12)
		if err != nil {
			continue // zoning-districts-by-zone, covered by TestCheckExampleStyles
		}
		twice, err := Normalise(once, 12)
		if err != nil || !jsonEqual(once, twice) {
			t.Errorf("%s: Normalise(Normalise(x)) != Normalise(x) (err %v)", name, err)
		}
	}
}

func TestNormaliseRejects(t *testing.T) {
	_, err := Normalise(oneLayer(t, `{"id":"a","type":"raster"}`), 1)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Path != "/layers/0/type" {
		t.Fatalf("err = %v", err)
	}
	if got := ps.Error(); !contains(got, "/layers/0/type: ") {
		t.Errorf("Error() = %q", got)
	}
	if got := (Problem{Message: "m"}).String(); got != "m" {
		t.Errorf("String() = %q", got)
	}
}

func BenchmarkNormalise(b *testing.B) {
	style := exampleStyles(b)["building-permits-by-status"]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Normalise(style, 42); err != nil {
			b.Fatal(err)
		}
	}
}
