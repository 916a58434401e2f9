package gen2

import (
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/maplibre"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// layerFacet is one layer facet and the Layer key it holds.
type layerFacet struct {
	key, facet string
	// read returns the key's value from the facet's GET data, and false
	// when the facet holds nothing.
	read func(doc map[string]any) (any, bool)
	// body is the PUT body that sets the key to v (v nil clears it).
	body func(v any) any
}

// layerFacetKeys are the facets a Layer owns through its keys, in the
// order the reference gives for writes.
var layerFacetKeys = []layerFacet{
	{key: "fields", facet: "fields", read: readFields},
	{key: "permanentFilter", facet: "filter", read: readMember("permanentFilter"), body: func(v any) any { return map[string]any{"permanentFilter": v} }},
	{key: "popupInfo", facet: "popup-info", read: readMember("document"), body: func(v any) any { return v }},
	{key: "drawingInfo", facet: "drawing-info", read: readMember("document"), body: func(v any) any { return v }},
}

func readMember(name string) func(map[string]any) (any, bool) {
	return func(doc map[string]any) (any, bool) {
		v, ok := doc[name]
		return v, ok && v != nil
	}
}

// readFields returns the fields facet as the repository writes fields:
// name, alias, domain, hidden (type comes from the table, so it is
// dropped, as the server requires on a round trip).
func readFields(doc map[string]any) (any, bool) {
	list, _ := doc["fields"].([]any)
	out := make([]any, 0, len(list))
	for _, f := range list {
		m, ok := f.(map[string]any)
		if !ok {
			continue
		}
		k := map[string]any{}
		for _, key := range fieldKeys {
			if v, ok := m[key]; ok && v != nil {
				k[key] = v
			}
		}
		out = append(out, k)
	}
	return out, true
}

// fieldOverrides returns the fields-facet PUT body that makes live fields
// what desired says, or nil when nothing differs. Only fields the
// repository names are sent, each as its full override (within a named
// field the server clears an omitted alias or domain), with the members
// the repository does not set kept at their live values.
func fieldOverrides(desired, live []any) []any {
	byName := map[string]map[string]any{}
	for _, f := range live {
		if m, ok := f.(map[string]any); ok {
			if n, ok := m["name"].(string); ok {
				byName[n] = m
			}
		}
	}
	var out []any
	for _, f := range desired {
		want, ok := f.(map[string]any)
		if !ok {
			continue
		}
		name, _ := want["name"].(string)
		have := byName[name]
		override := map[string]any{"name": name}
		changed := have == nil
		for _, key := range []string{"alias", "domain", "hidden"} {
			w, owned := want[key]
			h, present := have[key]
			switch {
			case owned:
				override[key] = w
				changed = changed || !present || len(diff.Values("", w, h)) > 0
			case present:
				override[key] = h
			}
		}
		if changed && len(override) > 1 {
			out = append(out, override)
		}
	}
	return out
}

// sameStyle reports whether the server's style is what it makes of want
// for the layer (its MapLibre normalisation).
func sameStyle(want, live map[string]any, layerID int64) bool {
	n, err := maplibre.Normalise(want, int(layerID))
	if err != nil {
		return false
	}
	a, errA := resource.Normalize(n)
	b, errB := resource.Normalize(live)
	return errA == nil && errB == nil && len(diff.Values("", a, b)) == 0
}

// styleBlockers reports what of a style the server would reject or drop:
// a plan error naming the property, never a failed apply.
func styleBlockers(desired *resource.Resource) []string {
	if desired == nil {
		return nil
	}
	style, ok := desired.Spec["style"].(map[string]any)
	if !ok {
		return []string{"spec.style must be a MapLibre style object for a Generation 2 OGC style"}
	}
	var out []string
	for _, p := range maplibre.Check(style) {
		out = append(out, fmt.Sprintf("spec.style%s: %s", p.Path, strings.TrimSpace(p.Message)))
	}
	return out
}
