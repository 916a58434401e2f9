package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Drift types, lowercase and hyphenated as Honua's DriftTypes.
const (
	DriftMissing   = "missing"
	DriftExtra     = "extra"
	DriftSpecDrift = "spec-drift"
)

// DriftReport is the data of GET /manifest/drift.
type DriftReport struct {
	GeneratedAt       time.Time    `json:"generatedAt"`
	BaselineVersionID *string      `json:"baselineVersionId"`
	HasDrift          bool         `json:"hasDrift"`
	Resources         []DriftEntry `json:"resources"`
}

// DriftEntry is one drifted resource. The hashes are null on the side where
// the resource does not exist; the specs are set only in verbose reports.
type DriftEntry struct {
	Identifier   Identity        `json:"identifier"`
	DriftType    string          `json:"driftType"`
	DeclaredHash *string         `json:"declaredHash"`
	ActualHash   *string         `json:"actualHash"`
	DeclaredSpec json.RawMessage `json:"declaredSpec"`
	ActualSpec   json.RawMessage `json:"actualSpec"`
}

// driftReport compares the stored resources with the newest manifest
// version. Declared resources that are absent are missing; those whose spec
// hash differs (numbers as declared against numbers as stored) are
// spec-drift; every stored resource the baseline does not declare is extra,
// whatever its kind or namespace (Appendix B.6). Without a baseline there is
// nothing to compare and the report is empty.
func (s *Server) driftReport(verbose bool) DriftReport {
	rep := DriftReport{GeneratedAt: s.now().UTC(), Resources: []DriftEntry{}}
	baseline, ok := s.store.latestVersion()
	if !ok {
		return rep
	}
	rep.BaselineVersionID = &baseline.VersionID
	declared := map[Identity]bool{}
	for _, d := range baseline.Manifest.Resources {
		id := d.Identity()
		declared[id] = true
		dh := specHash(d.Spec)
		actual, found := s.store.get(id)
		e := DriftEntry{Identifier: id, DeclaredHash: &dh}
		switch {
		case !found:
			e.DriftType = DriftMissing
		case specHash(actual.Spec) != dh:
			ah := specHash(actual.Spec)
			e.DriftType, e.ActualHash = DriftSpecDrift, &ah
		default:
			continue
		}
		if verbose {
			e.DeclaredSpec = d.Spec
			if found {
				e.ActualSpec = actual.Spec
			}
		}
		rep.Resources = append(rep.Resources, e)
	}
	for _, r := range s.store.list("", "") {
		if declared[r.Identity()] {
			continue
		}
		ah := specHash(r.Spec)
		e := DriftEntry{Identifier: r.Identity(), DriftType: DriftExtra, ActualHash: &ah}
		if verbose {
			e.ActualSpec = r.Spec
		}
		rep.Resources = append(rep.Resources, e)
	}
	slices.SortStableFunc(rep.Resources, func(a, b DriftEntry) int { return compareIdentity(a.Identifier, b.Identifier) })
	rep.HasDrift = len(rep.Resources) > 0
	return rep
}

// handleDrift answers GET /manifest/drift[?verbose=true].
func (s *Server) handleDrift(w http.ResponseWriter, r *http.Request, _ params) {
	verbose := false
	if raw := r.URL.Query().Get("verbose"); raw != "" {
		v, err := strconv.ParseBool(raw)
		if err != nil {
			writeEmpty(w, http.StatusBadRequest)
			return
		}
		verbose = v
	}
	if s.gated(w, gateDrift) {
		return
	}
	s.writeData(w, http.StatusOK, s.driftReport(verbose), "")
}
