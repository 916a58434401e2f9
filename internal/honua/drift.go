package honua

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// Drift types as Honua reports them (lowercase, hyphenated).
const (
	DriftMissing   = "missing"
	DriftExtra     = "extra"
	DriftSpecDrift = "spec-drift"
)

// DriftReport is the data of GET /manifest/drift. Honua compares the live
// resources with the newest stored manifest version and reports every
// resource outside it as extra (Appendix B.6): ownership must come from
// the caller's own records, not from this list.
type DriftReport struct {
	GeneratedAt string
	// BaselineVersionID is the manifest version compared against; nil
	// when no apply was ever recorded.
	BaselineVersionID *string
	HasDrift          bool
	Resources         []DriftEntry
}

// DriftEntry is one drifted resource.
type DriftEntry struct {
	Identifier resource.Identity
	// DriftType is missing, extra or spec-drift.
	DriftType string
	// DeclaredHash and ActualHash are opaque; "" on the side where the
	// resource does not exist.
	DeclaredHash, ActualHash string
	// DeclaredSpec and ActualSpec are set in verbose reports, with numbers
	// normalised (resource.DecodeJSON); nil otherwise.
	DeclaredSpec, ActualSpec any
}

type wireDrift struct {
	GeneratedAt       string  `json:"generatedAt"`
	BaselineVersionID *string `json:"baselineVersionId"`
	HasDrift          bool    `json:"hasDrift"`
	Resources         []struct {
		Identifier   resource.Identity `json:"identifier"`
		DriftType    string            `json:"driftType"`
		DeclaredHash *string           `json:"declaredHash"`
		ActualHash   *string           `json:"actualHash"`
		DeclaredSpec json.RawMessage   `json:"declaredSpec"`
		ActualSpec   json.RawMessage   `json:"actualSpec"`
	} `json:"resources"`
}

// Drift reads GET /manifest/drift?verbose=true|false (Enterprise; an
// edition without it gives an error matching IsFeatureUnavailable).
func (c *Client) Drift(ctx context.Context, verbose bool) (*DriftReport, error) {
	req := request{method: http.MethodGet, path: adminEndpoint("manifest", "drift"),
		query: url.Values{"verbose": {strconv.FormatBool(verbose)}}}
	ans, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	var w wireDrift
	if err := c.decodeData(req, ans, envelopeData, &w); err != nil {
		return nil, err
	}
	rep := &DriftReport{GeneratedAt: w.GeneratedAt, BaselineVersionID: w.BaselineVersionID, HasDrift: w.HasDrift,
		Resources: make([]DriftEntry, len(w.Resources))}
	for i, e := range w.Resources {
		d := DriftEntry{Identifier: e.Identifier, DriftType: e.DriftType, DeclaredHash: deref(e.DeclaredHash), ActualHash: deref(e.ActualHash)}
		if d.DeclaredSpec, err = optionalJSON(e.DeclaredSpec); err != nil {
			return nil, c.protocolError(req, ans, e.Identifier.String()+": declaredSpec: "+err.Error())
		}
		if d.ActualSpec, err = optionalJSON(e.ActualSpec); err != nil {
			return nil, c.protocolError(req, ans, e.Identifier.String()+": actualSpec: "+err.Error())
		}
		rep.Resources[i] = d
	}
	return rep, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// optionalJSON decodes a JSON value into canonical values; absent and null
// are nil.
func optionalJSON(raw json.RawMessage) (any, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	return resource.DecodeJSON(raw)
}
