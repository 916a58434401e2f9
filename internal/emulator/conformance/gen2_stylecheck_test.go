package conformance

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// styleWith is a style (as JSON text, so member order is what is written)
// with one fill layer whose paint, layout and filter are given as raw JSON
// ("" leaves the member out).
func styleWith(layerType, paint, layout, filter string) string {
	l := fmt.Sprintf(`{"id":"a","type":%q`, layerType)
	if paint != "" {
		l += `,"paint":` + paint
	}
	if layout != "" {
		l += `,"layout":` + layout
	}
	if filter != "" {
		l += `,"filter":` + filter
	}
	return `{"version":8,"layers":[` + l + `}]}`
}

// MapLibreStyleNormalizer.cs value and expression checks: what the real
// server rejects, the emulator rejects with a 400 OGC problem whose detail
// is the server's message plus the JSON pointer of the member at fault.
func TestGen2OGCStyleValueAndExpressionChecks(t *testing.T) {
	s := start(t, seeded)
	ml := hdr{"Content-Type", "application/vnd.mapbox.style+json"}
	put := func(body string) response { return s.do(http.MethodPut, "/ogc/styles/parcels", body, ml) }
	rev := s.gen2Log().Revision

	t.Run("rejected", func(t *testing.T) {
		for _, c := range []struct {
			name, body, pointer, says string
		}{
			// (1) version
			{"version 7 as a string", `{"version":"7","layers":[{"id":"a","type":"fill"}]}`, "/version", "version must be 8"},
			{"version 8.0 is not an integer", `{"version":8.0,"layers":[{"id":"a","type":"fill"}]}`, "/version", "must include a version number"},
			{"version true", `{"version":true,"layers":[{"id":"a","type":"fill"}]}`, "/version", "must include a version number"},
			// (2) values
			{"bad colour", styleWith("fill", `{"fill-color":"reddish"}`, "", ""), "/layers/0/paint/fill-color", "valid CSS color"},
			{"bad hex colour", styleWith("fill", `{"fill-color":"#12345"}`, "", ""), "/layers/0/paint/fill-color", "valid CSS color"},
			{"rgb out of range", styleWith("fill", `{"fill-color":"rgb(300,0,0)"}`, "", ""), "/layers/0/paint/fill-color", "valid CSS color"},
			{"colour number", styleWith("fill", `{"fill-color":5}`, "", ""), "/layers/0/paint/fill-color", "must be a color string or expression"},
			{"colour null", styleWith("fill", `{"fill-color":null}`, "", ""), "/layers/0/paint/fill-color", "must be a color string or expression"},
			{"opacity above 1", styleWith("fill", `{"fill-opacity":1.5}`, "", ""), "/layers/0/paint/fill-opacity", "between 0 and 1"},
			{"opacity string", styleWith("fill", `{"fill-opacity":"0.5"}`, "", ""), "/layers/0/paint/fill-opacity", "number or expression"},
			{"negative width", styleWith("line", `{"line-width":-1}`, "", ""), "/layers/0/paint/line-width", "non-negative"},
			{"antialias string", styleWith("fill", `{"fill-antialias":"true"}`, "", ""), "/layers/0/paint/fill-antialias", "boolean or expression"},
			{"visibility expression", styleWith("fill", "", `{"visibility":["get","v"]}`, ""), "/layers/0/layout/visibility", "must be one of: none, visible"},
			{"line-cap value", styleWith("line", "", `{"line-cap":"pointy"}`, ""), "/layers/0/layout/line-cap", "must be one of: butt, round, square"},
			{"line-join value", styleWith("line", "", `{"line-join":"flat"}`, ""), "/layers/0/layout/line-join", "bevel, miter, round"},
			{"text-font string", styleWith("symbol", "", `{"text-font":"Noto Sans"}`, ""), "/layers/0/layout/text-font", "array of strings"},
			{"text-font empty", styleWith("symbol", "", `{"text-font":[]}`, ""), "/layers/0/layout/text-font", "at least one string"},
			{"text-font number", styleWith("symbol", "", `{"text-font":["literal",["Noto",3]]}`, ""), "/layers/0/layout/text-font/1/1", "only non-empty strings"},
			{"text-field blank", styleWith("symbol", "", `{"text-field":" "}`, ""), "/layers/0/layout/text-field", "non-empty string or expression"},
			{"dasharray negative", styleWith("line", `{"line-dasharray":[2,-1]}`, "", ""), "/layers/0/paint/line-dasharray/1", "only non-negative numbers"},
			{"dasharray expression", styleWith("line", `{"line-dasharray":["get","d"]}`, "", ""), "/layers/0/paint/line-dasharray/0", "only non-negative numbers"},
			{"dasharray scalar", styleWith("line", `{"line-dasharray":2}`, "", ""), "/layers/0/paint/line-dasharray", "array of numbers"},
			{"icon-offset shape", styleWith("symbol", "", `{"icon-offset":[1,2,3]}`, ""), "/layers/0/layout/icon-offset", "must contain 2 numbers"},
			// (3) expressions
			{"slice", styleWith("fill", `{"fill-color":["slice",["get","c"],0,7]}`, "", ""), "/layers/0/paint/fill-color", "must be a color string or expression"},
			{"zoom in interpolate", styleWith("line", `{"line-width":["interpolate",["linear"],["zoom"],5,1,10,4]}`, "", ""), "/layers/0/paint/line-width/2", "unsupported operator 'zoom'"},
			{"nested slice", styleWith("fill", `{"fill-color":["case",["==",["slice",["get","k"],0,1],"a"],"red","blue"]}`, "", ""), "/layers/0/paint/fill-color/1/1", "unsupported operator 'slice'"},
			{"get arity", styleWith("fill", `{"fill-opacity":["get","a","b"]}`, "", ""), "/layers/0/paint/fill-opacity", "'get'"},
			{"== arity", styleWith("fill", "", "", `["==",["get","a"]]`), "/layers/0/filter", "must have 2 argument(s)"},
			{"+ arity", styleWith("circle", `{"circle-radius":["+",1]}`, "", ""), "/layers/0/paint/circle-radius", "at least 2 argument(s)"},
			{"case shape", styleWith("fill", `{"fill-color":["case",["has","a"],"red"]}`, "", ""), "/layers/0/paint/fill-color", "'case'"},
			{"match shape", styleWith("fill", `{"fill-color":["match",["get","a"],"x","red"]}`, "", ""), "/layers/0/paint/fill-color", "'match'"},
			{"step shape", styleWith("circle", `{"circle-radius":["step",["get","n"],1,10]}`, "", ""), "/layers/0/paint/circle-radius", "'step'"},
			{"cubic-bezier", styleWith("circle", `{"circle-radius":["interpolate",["cubic-bezier",0,0,1,1],["get","n"],0,1,10,5]}`, "", ""), "/layers/0/paint/circle-radius/1", "invalid interpolation spec"},
			{"object in expression", styleWith("fill", `{"fill-opacity":["coalesce",{"a":1},0.5]}`, "", ""), "/layers/0/paint/fill-opacity/1", "literal or expression array"},
			{"filter unsupported operator", styleWith("fill", "", "", `["geometry-type"]`), "/layers/0/filter", "unsupported operator 'geometry-type'"},
			{"filter object", styleWith("fill", "", "", `{"a":1}`), "/layers/0/filter", "filter must be an expression array"},
			{"filter empty", styleWith("fill", "", "", `[]`), "/layers/0/filter", "must not be an empty array"},
			// (5) a blank source type
			{"blank source type", `{"version":8,"sources":{"s":{"type":"  "}},"layers":[{"id":"a","type":"fill"},{"id":"b","type":"fill","source":"s"}]}`,
				"/sources/s/type", "MapLibre style source 's' must include a non-empty type."},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := put(c.body).problem(t, http.StatusBadRequest)
				assert.Equal(t, "about:blank", p["type"])
				d, _ := p["detail"].(string)
				assert.Contains(t, d, "(at "+c.pointer+")")
				assert.Contains(t, d, c.says)
				assert.Regexp(t, `^MapLibre `, d)
			})
		}
		assert.Equal(t, rev, s.gen2Log().Revision, "rejected styles write nothing")
	})

	// (4) the first problem in document order, every time.
	t.Run("document order", func(t *testing.T) {
		for _, c := range []struct{ body, pointer string }{
			{styleWith("fill", `{"fill-opacity":2,"fill-color":"nope"}`, "", ""), "/layers/0/paint/fill-opacity"},
			{styleWith("fill", `{"fill-color":"nope","fill-opacity":2}`, "", ""), "/layers/0/paint/fill-color"},
			{styleWith("fill", `{"fill-color":"nope","fill-pattern":"x"}`, "", ""), "/layers/0/paint/fill-color"},
			{styleWith("fill", `{"fill-pattern":"x","fill-color":"nope"}`, "", ""), "/layers/0/paint/fill-pattern"},
			{`{"version":8,"layers":[{"id":"a","type":"fill","paint":{"fill-color":"nope"}},{"id":"b","type":"line","paint":{"line-width":-1}}]}`, "/layers/0/paint/fill-color"},
		} {
			for range 10 {
				d, _ := put(c.body).problem(t, http.StatusBadRequest)["detail"].(string)
				require.Contains(t, d, "(at "+c.pointer+")", c.body)
			}
		}
	})

	t.Run("accepted", func(t *testing.T) {
		for _, c := range []struct{ name, body string }{
			{"version as the string 8", `{"version":"8","layers":[{"id":"a","type":"fill"}]}`},
			{"colours", styleWith("fill", `{"fill-color":"RebeccaPurple","fill-outline-color":"hsla(120deg, 50%, 50%, 0.5)"}`, "", "")},
			{"rgb space syntax", styleWith("fill", `{"fill-color":"rgb(10 20 30 / 50%)"}`, "", "")},
			{"hex colours", styleWith("circle", `{"circle-color":"#abc","circle-stroke-color":"#AABBCCDD"}`, "", "")},
			{"expressions", styleWith("line", `{"line-color":["match",["get","kind"],["a","b"],"red","blue"],"line-width":["interpolate",["exponential",1.5],["get","w"],0,1,10,4],"line-opacity":["step",["to-number",["get","o"]],0.2,5,0.8]}`, "", `["all",["has","kind"],["!=",["get","kind"],"x"]]`)},
			{"literal contents are exempt", styleWith("symbol", "", `{"text-font":["literal",["Noto Sans Regular"]],"icon-offset":["literal",[-1,2]],"text-field":["concat",["get","n"],["literal",["slice","zoom"]]],"visibility":"VISIBLE"}`, "")},
			{"fixed values", styleWith("line", `{"line-dasharray":[2,1]}`, `{"line-cap":"round","line-join":"Miter"}`, "")},
		} {
			t.Run(c.name, func(t *testing.T) {
				put(c.body).empty(t, http.StatusNoContent)
			})
		}
		got := s.do(http.MethodGet, "/ogc/styles/parcels", nil, noAuth).obj(t)
		assert.Equal(t, "vector", got["sources"].(map[string]any)["layer-1"].(map[string]any)["type"])
	})
}
