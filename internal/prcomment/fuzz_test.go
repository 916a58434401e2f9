package prcomment

import (
	"strings"
	"testing"
)

// FuzzParseMarker: ParseMarker never panics, and whatever it accepts
// re-encodes to a single-line marker that parses back to the same line.
func FuzzParseMarker(f *testing.F) {
	good := fullMarker()
	f.Add(good.String())
	f.Add(good.String() + "\n\n### Honua plan\n<!-- x -->")
	f.Add("<!-- other -->" + MarkerPrefix + `{"v":1,"pr":3,"envs":{"a":{"hash":"h","status":"failed","message":"x --\u003e y"}},"at":"2026-03-01T12:00:00Z"} -->`)
	f.Add(MarkerPrefix + `{"v":1,"pr":3,"envs":null} -->`)
	f.Add(MarkerPrefix + `{"v":1,"pr":"x"} -->`)
	f.Add(MarkerPrefix + MarkerPrefix + " -->")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		m, ok := ParseMarker(body)
		if !ok {
			if m != nil {
				t.Fatal("ParseMarker returned a marker with false")
			}
			return
		}
		line := m.String()
		inner := strings.TrimSuffix(strings.TrimPrefix(line, MarkerPrefix), " -->")
		if strings.Contains(inner, "--") || strings.ContainsAny(line, "\n\r") {
			t.Fatalf("unsafe marker line %q", line)
		}
		again, ok := ParseMarker(line)
		if !ok {
			t.Fatalf("re-encoded marker does not parse: %q", line)
		}
		if again.String() != line {
			t.Fatalf("round trip changed the marker:\n%s\n%s", line, again.String())
		}
	})
}
