package maplibre

import (
	"testing"

	"gopkg.in/yaml.v3"
)

func TestCheckLayers(t *testing.T) {
	tests := []struct {
		name  string
		layer string
		paths []string // nil: accepted
		msg   string   // substring of the first message
	}{
		{"minimal circle", `{"id":"a","type":"circle","paint":{"circle-color":"#ff0000","circle-radius":6}}`, nil, ""},
		{"type case-insensitive", `{"id":"a","type":"Fill","paint":{"fill-color":"red"}}`, nil, ""},
		{"raster rejected", `{"id":"a","type":"raster"}`, []string{"/layers/0/type"}, `layer type "raster" is not accepted`},
		{"heatmap rejected", `{"id":"a","type":"heatmap"}`, []string{"/layers/0/type"}, "allowed: background, circle, fill, line, symbol"},
		{"fill-extrusion rejected", `{"id":"a","type":"fill-extrusion","paint":{"fill-extrusion-height":3}}`, []string{"/layers/0/type"}, `"fill-extrusion"`},
		{"hillshade rejected", `{"id":"a","type":"hillshade"}`, []string{"/layers/0/type"}, `"hillshade"`},
		{"sky rejected", `{"id":"a","type":"sky"}`, []string{"/layers/0/type"}, `"sky"`},
		{"missing type", `{"id":"a"}`, []string{"/layers/0/type"}, "non-empty type"},
		{"missing id", `{"type":"circle"}`, []string{"/layers/0/id"}, "non-empty string id"},
		{"paint key outside allow-list", `{"id":"a","type":"circle","paint":{"circle-colour":"#ff0000"}}`, []string{"/layers/0/paint/circle-colour"},
			`paint property "circle-colour" is not accepted for circle layers by Honua's MapLibre normaliser (allowed: circle-color, circle-opacity`},
		{"paint key of another type", `{"id":"a","type":"line","paint":{"fill-color":"red"}}`, []string{"/layers/0/paint/fill-color"}, "for line layers"},
		{"background accepts no paint", `{"id":"bg","type":"background","paint":{"background-color":"#fff"}}`, []string{"/layers/0/paint/background-color", "/layers"}, "(allowed: none)"},
		{"paint keys reported in sorted order", `{"id":"a","type":"fill","paint":{"z-x":1,"fill-translate":[1,1],"fill-color":"red"}}`,
			[]string{"/layers/0/paint/fill-translate", "/layers/0/paint/z-x"}, ""},
		{"line layout", `{"id":"a","type":"line","layout":{"line-cap":"round","line-join":"MITER","visibility":"visible"}}`, nil, ""},
		{"line layout rejects symbol key", `{"id":"a","type":"line","layout":{"text-field":"x"}}`, []string{"/layers/0/layout/text-field"}, `layout property "text-field" is not accepted for line layers`},
		{"fill layout only visibility", `{"id":"a","type":"fill","layout":{"line-cap":"round"}}`, []string{"/layers/0/layout/line-cap"}, "(allowed: visibility)"},
		{"symbol layout", `{"id":"a","type":"symbol","layout":{"text-field":"{name}","text-font":["Open Sans Regular"],"text-size":12,"icon-image":"pin","icon-offset":[0,-2],"icon-rotate":-45,"icon-size":1.5}}`, nil, ""},
		{"symbol-placement rejected", `{"id":"a","type":"symbol","layout":{"symbol-placement":"line"}}`, []string{"/layers/0/layout/symbol-placement"}, ""},
		{"enum value", `{"id":"a","type":"line","layout":{"line-cap":"flat"}}`, []string{"/layers/0/layout/line-cap"}, "one of butt, round, square"},
		{"enum no expressions", `{"id":"a","type":"fill","layout":{"visibility":["case",true,"visible","none"]}}`, []string{"/layers/0/layout/visibility"}, "expressions are not accepted"},
		{"opacity range", `{"id":"a","type":"circle","paint":{"circle-opacity":2}}`, []string{"/layers/0/paint/circle-opacity"}, "between 0 and 1"},
		{"negative width", `{"id":"a","type":"line","paint":{"line-width":-1}}`, []string{"/layers/0/paint/line-width"}, "non-negative"},
		{"bad colour", `{"id":"a","type":"fill","paint":{"fill-color":"#ggg"}}`, []string{"/layers/0/paint/fill-color"}, "CSS colour"},
		{"colour forms", `{"id":"a","type":"fill","paint":{"fill-color":"rgba(10, 20, 30, 0.5)","fill-outline-color":"hsl(120deg 50% 50% / 50%)"}}`, nil, ""},
		{"colour number", `{"id":"a","type":"fill","paint":{"fill-color":5}}`, []string{"/layers/0/paint/fill-color"}, "must be a colour string or an expression"},
		{"antialias boolean", `{"id":"a","type":"fill","paint":{"fill-antialias":"yes"}}`, []string{"/layers/0/paint/fill-antialias"}, "boolean"},
		{"dasharray literal", `{"id":"a","type":"line","paint":{"line-dasharray":["literal",[2,1]]}}`, nil, ""},
		{"dasharray plain", `{"id":"a","type":"line","paint":{"line-dasharray":[2,1]}}`, nil, ""},
		{"dasharray negative", `{"id":"a","type":"line","paint":{"line-dasharray":["literal",[2,-1]]}}`, []string{"/layers/0/paint/line-dasharray/1/1"}, "non-negative"},
		{"dasharray no expression", `{"id":"a","type":"line","paint":{"line-dasharray":["get","d"]}}`, []string{"/layers/0/paint/line-dasharray"}, "expressions are not accepted"},
		{"icon-offset length", `{"id":"a","type":"symbol","layout":{"icon-offset":[1,2,3]}}`, []string{"/layers/0/layout/icon-offset"}, "exactly 2"},
		{"text-font literal contents are names", `{"id":"a","type":"symbol","layout":{"text-font":["literal",["slice","zoom"]]}}`, nil, ""},
		{"text-font empty name", `{"id":"a","type":"symbol","layout":{"text-font":["Open Sans", " "]}}`, []string{"/layers/0/layout/text-font/1"}, "non-empty strings"},
		{"zoom range", `{"id":"a","type":"circle","minzoom":25,"maxzoom":"3"}`, []string{"/layers/0/minzoom", "/layers/0/maxzoom"}, "between 0 and 24"},
		{"zoom order", `{"id":"a","type":"circle","minzoom":10,"maxzoom":10}`, []string{"/layers/0/minzoom"}, "less than maxzoom"},
		{"background with source", `{"id":"bg","type":"background","source":"x"}`, []string{"/layers/0/source", "/layers"}, "must not declare a source"},
		{"undefined source", `{"id":"a","type":"circle","source":"osm"}`, []string{"/layers/0/source", "/layers"}, `source "osm" is not defined`},
		{"honua source-layer", `{"id":"a","type":"circle","source-layer":"roads"}`, []string{"/layers/0/source-layer"}, `must be "layer"`},
		{"explicit honua source", `{"id":"a","type":"circle","source":"layer-7","source-layer":"layer"}`, nil, ""},
		{"explicit honua source wrong layer", `{"id":"a","type":"circle","source":"layer-7","source-layer":"wrong-layer"}`, []string{"/layers/0/source-layer"}, ""},
		{"filter must be array", `{"id":"a","type":"circle","filter":"x"}`, []string{"/layers/0/filter"}, "expression array"},
		{"legacy filter", `{"id":"a","type":"circle","filter":["==","kind","park"]}`, nil, ""},
		{"filter operator", `{"id":"a","type":"circle","filter":["all",["==",["get","k"],1],["in","k","a","b"]]}`, []string{"/layers/0/filter/2/0"}, `"in"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := CheckLayer(oneLayer(t, tt.layer), 7)
			if !equalStrings(paths(ps), tt.paths) {
				t.Fatalf("got %v, want paths %v", ps, tt.paths)
			}
			if tt.msg != "" && !contains(ps[0].Message, tt.msg) {
				t.Errorf("message %q lacks %q", ps[0].Message, tt.msg)
			}
		})
	}
}

func TestCheckExpressions(t *testing.T) {
	tests := []struct {
		name  string
		value string // circle-color (or circle-radius when number is set)
		num   bool
		paths []string
		msg   string
	}{
		{"match with to-string", `["match",["to-string",["get","kind"]],"park","#00ff00","road","#ff0000","#000000"]`, false, nil, ""},
		{"case with has", `["case",["has","rank"],8,4]`, true, nil, ""},
		{"match labels may be arrays", `["match",["get","k"],["a","b"],"#fff","#000"]`, false, nil, ""},
		{"top-level unknown operator", `["not-an-operator",["get","kind"],"#ff0000","#000000"]`, false, []string{"/layers/0/paint/circle-color/0"}, `"not-an-operator"`},
		{"nested unknown operator", `["case",["==",["slice",["get","z"],0,1],"R"],"#f00","#000"]`, false, []string{"/layers/0/paint/circle-color/1/1/0"}, `expression operator "slice" is not accepted`},
		{"deeply nested", `["coalesce",["get","c"],["concat","#",["downcase",["get","hex"]]]]`, false, []string{"/layers/0/paint/circle-color/2/2/0"}, `"downcase"`},
		{"two problems in order", `["case",["in","a","b"],["rgb",1,2,3],"#000"]`, false, []string{"/layers/0/paint/circle-color/1/0", "/layers/0/paint/circle-color/2/0"}, ""},
		{"literal contents are not operators", `["match",["get","k"],"x",["literal",["slice","zoom"]],"#000"]`, false, nil, ""},
		{"literal arity", `["coalesce",["literal",1,2],"#000"]`, false, []string{"/layers/0/paint/circle-color/1"}, "exactly 1 argument"},
		{"interpolate zoom rejected", `["interpolate",["linear"],["zoom"],0,2,10,6]`, true, []string{"/layers/0/paint/circle-radius/2/0"}, `"zoom"`},
		{"interpolate on property", `["interpolate",["exponential",1.5],["get","pop"],0,2,1000,6]`, true, nil, ""},
		{"interpolate cubic-bezier", `["interpolate",["cubic-bezier",0,0,1,1],["get","p"],0,2,10,6]`, true, []string{"/layers/0/paint/circle-radius/1"}, "interpolation"},
		{"step zoom rejected", `["step",["zoom"],2,10,6]`, true, []string{"/layers/0/paint/circle-radius/1/0"}, `"zoom"`},
		{"arithmetic arity", `["+",1]`, true, []string{"/layers/0/paint/circle-radius"}, "at least 2"},
		{"get needs field", `["get",["get","x"]]`, true, []string{"/layers/0/paint/circle-radius"}, "string field"},
		{"comparison arity", `["case",["==",1],1,2]`, true, []string{"/layers/0/paint/circle-radius/1"}, "exactly 2"},
		{"case shape", `["case",true,1]`, true, []string{"/layers/0/paint/circle-radius"}, "fallback"},
		{"object in expression", `["coalesce",{"a":1},2]`, true, []string{"/layers/0/paint/circle-radius/1"}, "object"},
		{"empty array", `["coalesce",[],2]`, true, []string{"/layers/0/paint/circle-radius/1"}, "empty array"},
		{"operator not a string", `["coalesce",[1,2],2]`, true, []string{"/layers/0/paint/circle-radius/1/0"}, "operator string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "circle-color"
			if tt.num {
				key = "circle-radius"
			}
			ps := Check(oneLayer(t, `{"id":"a","type":"circle","paint":{"`+key+`":`+tt.value+`}}`))
			if !equalStrings(paths(ps), tt.paths) {
				t.Fatalf("got %v, want paths %v", ps, tt.paths)
			}
			if tt.msg != "" && !contains(ps[0].Message, tt.msg) {
				t.Errorf("message %q lacks %q", ps[0].Message, tt.msg)
			}
		})
	}
}

func TestCheckDocument(t *testing.T) {
	tests := []struct {
		name  string
		style string
		paths []string
	}{
		{"no version", `{"layers":[{"id":"a","type":"circle"}]}`, []string{"/version"}},
		{"version 7", `{"version":7,"layers":[{"id":"a","type":"circle"}]}`, []string{"/version"}},
		{"version string", `{"version":"8","layers":[{"id":"a","type":"circle"}]}`, nil},
		{"version fraction", `{"version":8.5,"layers":[{"id":"a","type":"circle"}]}`, []string{"/version"}},
		{"no layers", `{"version":8}`, []string{"/layers"}},
		{"empty layers", `{"version":8,"layers":[]}`, []string{"/layers"}},
		{"sources not object", `{"version":8,"sources":[],"layers":[{"id":"a","type":"circle"}]}`, []string{"/sources"}},
		{"layer not object", `{"version":8,"layers":[{"id":"a","type":"circle"},3]}`, []string{"/layers/1"}},
		{"duplicate id", `{"version":8,"layers":[{"id":"a","type":"circle"},{"id":"a","type":"line"}]}`, []string{"/layers/1/id"}},
		{"only background", `{"version":8,"layers":[{"id":"bg","type":"background"}]}`, []string{"/layers"}},
		{"unknown members kept", `{"version":8,"name":"x","sprite":"s","glyphs":"g/{fontstack}/{range}.pbf","metadata":{"a":1},"x-custom":[1],"layers":[{"id":"a","type":"circle","metadata":{"m":true}}]}`, nil},
		{"vector source needs source-layer", `{"version":8,"sources":{"external":{"type":"vector","tiles":["/t/{z}/{x}/{y}.mvt"]}},"layers":[{"id":"e","type":"circle","source":"external"},{"id":"h","type":"circle","source":"layer-7"}]}`, []string{"/layers/0/source-layer"}},
		{"geojson source", `{"version":8,"sources":{"g":{"type":"geojson","data":{}}},"layers":[{"id":"g","type":"circle","source":"g"},{"id":"h","type":"circle"}]}`, nil},
		{"geojson with source-layer", `{"version":8,"sources":{"g":{"type":"geojson","data":{}}},"layers":[{"id":"g","type":"circle","source":"g","source-layer":"x"},{"id":"h","type":"circle"}]}`, []string{"/layers/0/source-layer"}},
		{"raster source", `{"version":8,"sources":{"r":{"type":"raster","tiles":[]}},"layers":[{"id":"r","type":"fill","source":"r"},{"id":"h","type":"circle"}]}`, []string{"/layers/0/source"}},
		{"source without type", `{"version":8,"sources":{"r":{}},"layers":[{"id":"r","type":"fill","source":"r"},{"id":"h","type":"circle"}]}`, []string{"/sources/r/type"}},
		{"own honua source is silently replaced", `{"version":8,"sources":{"layer-7":{"type":"vector","url":"https://example.com/t.json"}},"layers":[{"id":"a","type":"circle"}]}`, []string{"/sources/layer-7"}},
		{"exact honua source", `{"version":8,"sources":{"layer-7":{"type":"vector","tiles":["/tiles/7/{z}/{x}/{y}.mvt"],"minzoom":0,"maxzoom":22}},"layers":[{"id":"a","type":"circle"}]}`, nil},
		{"another layer's source is kept", `{"version":8,"sources":{"layer-3":{"type":"vector","url":"u"}},"layers":[{"id":"a","type":"circle"}]}`, nil},
		{"pointer escaping", `{"version":8,"layers":[{"id":"a","type":"circle","paint":{"a/b~c":1}}]}`, []string{"/layers/0/paint/a~1b~0c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := CheckLayer(parse(t, tt.style), 7)
			if !equalStrings(paths(ps), tt.paths) {
				t.Fatalf("got %v, want paths %v", ps, tt.paths)
			}
		})
	}
	if ps := Check(nil); len(ps) != 1 || ps[0].Path != "" {
		t.Errorf("Check(nil) = %v", ps)
	}
}

// TestCheckLayerID shows what only CheckLayer can know: which layer-{n}
// source is the Honua one.
func TestCheckLayerID(t *testing.T) {
	style := oneLayer(t, `{"id":"a","type":"circle","source":"layer-3","source-layer":"layer"}`)
	if ps := Check(style); len(ps) != 0 {
		t.Errorf("Check: %v", ps)
	}
	if ps := CheckLayer(style, 3); len(ps) != 0 {
		t.Errorf("CheckLayer 3: %v", ps)
	}
	if ps := CheckLayer(style, 4); !equalStrings(paths(ps), []string{"/layers/0/source", "/layers"}) {
		t.Errorf("CheckLayer 4: %v", ps)
	}
}

// TestNumbersUniform decodes the same style from YAML (ints) and JSON
// (float64) and expects the same verdict and normal form.
func TestNumbersUniform(t *testing.T) {
	const doc = `{"version": 8, "layers": [{"id": "a", "type": "line", "minzoom": 2, "maxzoom": 20,
		"paint": {"line-width": ["interpolate", ["linear"], ["get", "w"], 0, 1, 10, 4], "line-dasharray": [2, 1], "line-opacity": 1},
		"layout": {"line-cap": "round"}}]}`
	var y map[string]any
	if err := yaml.Unmarshal([]byte(doc), &y); err != nil {
		t.Fatal(err)
	}
	if _, ok := y["version"].(int); !ok {
		t.Fatalf("yaml.v3 gave version %T, the test expects int", y["version"])
	}
	j := parse(t, doc)
	for name, s := range map[string]map[string]any{"yaml": y, "json": j} {
		if ps := Check(s); len(ps) != 0 {
			t.Errorf("%s: %v", name, ps)
		}
	}
	ny, err := Normalise(y, 9)
	if err != nil {
		t.Fatal(err)
	}
	nj, err := Normalise(j, 9)
	if err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(ny, nj) {
		t.Errorf("yaml and json normal forms differ:\n%v\n%v", ny, nj)
	}
	// Numbers of any Go type are accepted, and converted to float64.
	typed := oneLayer(t, `{"id":"a","type":"circle"}`)
	typed["layers"].([]any)[0].(map[string]any)["paint"] = map[string]any{
		"circle-radius": int64(3), "circle-stroke-width": uint8(1), "circle-opacity": float32(0.5)}
	if ps := Check(typed); len(ps) != 0 {
		t.Errorf("Go number types: %v", ps)
	}
	n, err := Normalise(typed, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r := n["layers"].([]any)[0].(map[string]any)["paint"].(map[string]any)["circle-radius"]; r != float64(3) {
		t.Errorf("circle-radius normalised to %T %v, want float64 3", r, r)
	}
}

func TestCheckDeterministic(t *testing.T) {
	const doc = `{"version":7,"layers":[{"id":"a","type":"symbol","paint":{"text-color":["slice","x"],"icon-halo-color":"red","text-opacity":3},
		"layout":{"symbol-placement":"point","text-font":[1],"visibility":"on"}},{"id":"a","type":"raster"}]}`
	style := parse(t, doc)
	first := Check(style)
	if len(first) != 9 {
		t.Fatalf("got %d problems: %v", len(first), first)
	}
	for range 20 {
		if got := Check(style); !equalStrings(paths(got), paths(first)) {
			t.Fatalf("order changed: %v vs %v", got, first)
		}
	}
	if !jsonEqual(style, parse(t, doc)) {
		t.Error("Check modified its input")
	}
}
