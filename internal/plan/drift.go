package plan

import (
	"slices"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// computeDrift compares recorded state with live state. Only resources this
// tool applied (recorded) can drift or go missing; a live resource that a
// create would collide with is reported as unmanaged. Secret fields cannot be
// compared (the server does not return them as written) and are skipped.
func computeDrift(desired, recorded, observed, live map[resource.Identity]*resource.Resource) []Drift {
	out := []Drift{}
	for key, r := range recorded {
		if d, ok := driftOf(r, live[key]); ok {
			out = append(out, d)
		}
	}
	// Observed resources drift from what was imported; they are reported
	// as such and never repaired.
	for key, o := range observed {
		if _, rec := recorded[key]; rec {
			continue
		}
		if d, ok := driftOf(o, live[key]); ok {
			d.Observed = true
			out = append(out, d)
		}
	}
	for key, d := range desired {
		if _, rec := recorded[key]; rec {
			continue
		}
		if _, obs := observed[key]; obs {
			continue
		}
		if _, onServer := live[key]; onServer {
			id := d.ID()
			out = append(out, Drift{Type: Unmanaged, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name})
		}
	}
	slices.SortFunc(out, func(a, b Drift) int {
		return resource.Identity{Kind: a.Kind, Namespace: a.Namespace, Name: a.Name}.Compare(resource.Identity{Kind: b.Kind, Namespace: b.Namespace, Name: b.Name})
	})
	return out
}

// driftOf compares a recorded resource with its live object (nil when the
// server no longer has it).
func driftOf(r, l *resource.Resource) (Drift, bool) {
	id := r.ID()
	if l == nil {
		return Drift{Type: Missing, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name}, true
	}
	var fields []FieldChange
	for _, f := range compare(r, l) {
		if IsSensitive(id.Kind, f.Path, nil) || IsSensitive(id.Kind, f.Path, f.Before) {
			continue
		}
		fields = append(fields, redact(id.Kind, f))
	}
	if len(fields) == 0 {
		return Drift{}, false
	}
	return Drift{Type: SpecDrift, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name, Changes: fields}, true
}
