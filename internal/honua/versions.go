package honua

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// MaxVersionsLimit is the largest page GET /manifest/versions serves.
const MaxVersionsLimit = 100

// VersionSummary is one stored manifest version: Honua stores one on every
// real apply.
type VersionSummary struct {
	VersionID    string `json:"versionId"`
	ManifestHash string `json:"manifestHash"`
	// Summary reads "Created: x, Updated: y, Deleted: z, Skipped: w".
	Summary string `json:"summary"`
	// Actor is "admin" for the API key.
	Actor         string `json:"actor"`
	AppliedAt     string `json:"appliedAt"`
	ResourceCount int    `json:"resourceCount"`
}

// ManifestVersion is a stored version with the manifest it applied.
// Re-applying Objects' resources is Honua's rollback.
type ManifestVersion struct {
	VersionSummary
	// Objects are the resources as declared by that apply.
	Objects []Object
}

// Versions lists stored manifest versions, newest first. limit is 1..100
// (0 for the server's default of 50) and offset ≥ 0. Enterprise; an edition
// without it gives an error matching IsFeatureUnavailable.
func (c *Client) Versions(ctx context.Context, limit, offset int) ([]VersionSummary, error) {
	req := request{method: http.MethodGet, path: adminEndpoint("manifest", "versions"), query: url.Values{}}
	switch {
	case limit < 0 || limit > MaxVersionsLimit:
		return nil, fmt.Errorf("honua: GET %s: limit %d: want 1 to %d (0 for the server's default)", c.endpoint(req), limit, MaxVersionsLimit)
	case offset < 0:
		return nil, fmt.Errorf("honua: GET %s: offset %d: want 0 or more", c.endpoint(req), offset)
	}
	if limit > 0 {
		req.query.Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 {
		req.query.Set("offset", strconv.Itoa(offset))
	}
	ans, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	var w struct {
		Versions []VersionSummary `json:"versions"`
	}
	if err := c.decodeData(req, ans, envelopeData, &w); err != nil {
		return nil, err
	}
	return w.Versions, nil
}

// GetVersion reads one stored version with its manifest.
func (c *Client) GetVersion(ctx context.Context, versionID string) (*ManifestVersion, error) {
	req := request{method: http.MethodGet, path: adminEndpoint("manifest", "versions", versionID), resource: true}
	if versionID == "" {
		return nil, fmt.Errorf("honua: GET %s: the version id is empty", c.endpoint(req))
	}
	ans, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	var w struct {
		VersionSummary
		Manifest *struct {
			Resources []json.RawMessage `json:"resources"`
		} `json:"manifest"`
	}
	if err := c.decodeData(req, ans, envelopeData, &w); err != nil {
		return nil, err
	}
	v := &ManifestVersion{VersionSummary: w.VersionSummary}
	if w.Manifest != nil {
		objs, err := decodeObjects(w.Manifest.Resources)
		if err != nil {
			return nil, c.protocolError(req, ans, "manifest: "+err.Error())
		}
		v.Objects = objs
	}
	return v, nil
}
