package plan

import (
	"fmt"
	"slices"

	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// assess grades a change: deletes are high (maps and clients break), updates
// to fields that change what clients see (table, geometry, CRS, connection
// target) are high, other spec updates medium, and metadata-only updates and
// creates low.
func assess(action Action, kind string, fields []diff.Change) (Risk, []string) {
	switch action {
	case Create:
		return Low, nil
	case Delete:
		return High, []string{"deletes the " + kind + "; clients using it will break"}
	}
	k := resource.LookupKind(kind)
	risk := Low
	var reasons []string
	for _, f := range fields {
		segs := diff.SplitPointer(f.Path)
		if len(segs) == 0 || segs[0] != "spec" {
			continue
		}
		if risk == Low {
			risk = Medium
		}
		if len(segs) > 1 && k != nil && slices.Contains(k.BreakingFields, segs[1]) {
			reason := fmt.Sprintf("changes spec.%s, which clients depend on", segs[1])
			if !slices.Contains(reasons, reason) {
				reasons = append(reasons, reason)
			}
			risk = High
		}
	}
	if risk == Low {
		reasons = append(reasons, "metadata only")
	}
	return risk, reasons
}
