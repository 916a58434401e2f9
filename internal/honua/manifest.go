package honua

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// Apply actions as the client reports them (lowercase; Honua's SDK tests
// spell them capitalised).
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
	ActionSkip   = "skip"
)

// MessageNoChanges is the message of a harmless skip.
const MessageNoChanges = "No changes."

// Manifest is the data of GET /manifest.
type Manifest struct {
	// APIVersion and GeneratedAt as the server reports them.
	APIVersion, GeneratedAt string
	// Objects are the resources, with every annotation kept; their ETag
	// is "" (exports carry none).
	Objects []Object
	// ManifestHash is the server's hash; opaque (Appendix B.9).
	ManifestHash string
	// Drifted lists resources whose last-applied annotation differs from
	// their current spec hash.
	Drifted []resource.Identity
}

type wireManifest struct {
	APIVersion       string              `json:"apiVersion"`
	GeneratedAt      string              `json:"generatedAt"`
	Resources        []json.RawMessage   `json:"resources"`
	DriftedResources []resource.Identity `json:"driftedResources"`
	ManifestHash     string              `json:"manifestHash"`
}

// ExportManifest reads GET /manifest, of one namespace when namespace is
// not "". Export is available in every Generation 1 edition.
func (c *Client) ExportManifest(ctx context.Context, namespace string) (*Manifest, error) {
	q := url.Values{}
	if namespace != "" {
		q.Set("namespace", namespace)
	}
	req := request{method: http.MethodGet, path: adminEndpoint("manifest"), query: q}
	ans, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	var w wireManifest
	if err := c.decodeData(req, ans, envelopeData, &w); err != nil {
		return nil, err
	}
	objs, err := decodeObjects(w.Resources)
	if err != nil {
		return nil, c.protocolError(req, ans, err.Error())
	}
	return &Manifest{APIVersion: w.APIVersion, GeneratedAt: w.GeneratedAt, Objects: objs,
		ManifestHash: w.ManifestHash, Drifted: w.DriftedResources}, nil
}

// ApplyRequest is the body of a manifest apply.
type ApplyRequest struct {
	// Resources are sent as given (canonical kind, labels and annotations
	// stamped by the caller), with the namespace made explicit.
	Resources []*resource.Resource
	// DryRun asks for the entries without writing.
	DryRun bool
	// Prune deletes unlisted resources sharing a kind and namespace with a
	// listed one.
	Prune bool
	// ApprovalRequired queues the apply for approval (Enterprise); the
	// answer is a *PendingApprovalError.
	ApprovalRequired bool
	// RequestedBy and RequestedReason are recorded by the server; omitted
	// when "".
	RequestedBy, RequestedReason string
}

// ApplySummary counts the entries by action.
type ApplySummary struct {
	Created, Updated, Deleted, Skipped int
}

// ApplyEntry is one resource's outcome.
type ApplyEntry struct {
	// Action is create, update, delete or skip, lowercased.
	Action string
	// Resource is the identity as the server reports it.
	Resource resource.Identity
	// Message is nil for a successful write, "No changes." for an
	// unchanged resource, and the reason for a failed write.
	Message *string
}

// Failed reports a write that failed: Honua answers those inside a 200 as
// a skip whose message is anything but "No changes." (Appendix B.1).
func (e ApplyEntry) Failed() bool {
	if e.Action != ActionSkip || e.Message == nil {
		return false
	}
	return !strings.EqualFold(strings.TrimSpace(*e.Message), MessageNoChanges)
}

// ApplyResult is the data of a manifest apply.
type ApplyResult struct {
	DryRun  bool
	Summary ApplySummary
	Entries []ApplyEntry
}

// Failures returns the entries that failed.
func (r *ApplyResult) Failures() []ApplyEntry {
	var out []ApplyEntry
	for _, e := range r.Entries {
		if e.Failed() {
			out = append(out, e)
		}
	}
	return out
}

type wireApplyResult struct {
	DryRun  bool `json:"dryRun"`
	Summary struct {
		Created int `json:"created"`
		Updated int `json:"updated"`
		Deleted int `json:"deleted"`
		Skipped int `json:"skipped"`
	} `json:"summary"`
	Entries []struct {
		Action   string            `json:"action"`
		Resource resource.Identity `json:"resource"`
		Message  *string           `json:"message"`
	} `json:"entries"`
}

type wirePending struct {
	PendingID string `json:"pendingId"`
	Status    string `json:"status"`
	ExpiresAt string `json:"expiresAt"`
}

// ApplyManifest posts a manifest apply. It is never retried (POST). The
// answer's entries must be read: failed writes come back as skip entries
// inside a 200 (ApplyEntry.Failed). A 202 (queued for approval) is a
// *PendingApprovalError; an edition without manifest apply gives an error
// matching IsFeatureUnavailable.
func (c *Client) ApplyManifest(ctx context.Context, ar ApplyRequest) (*ApplyResult, error) {
	req := request{method: http.MethodPost, path: adminEndpoint("manifest", "apply")}
	if len(ar.Resources) == 0 {
		return nil, fmt.Errorf("honua: POST %s: at least one resource is required", c.endpoint(req))
	}
	resources := make([]any, len(ar.Resources))
	for i, r := range ar.Resources {
		obj, err := encodeResource(r)
		if err != nil {
			return nil, fmt.Errorf("honua: POST %s: resources[%d]: %w", c.endpoint(req), i, err)
		}
		resources[i] = obj
	}
	body := map[string]any{
		"resources":        resources,
		"dryRun":           ar.DryRun,
		"prune":            ar.Prune,
		"approvalRequired": ar.ApprovalRequired,
	}
	if ar.RequestedBy != "" {
		body["requestedBy"] = ar.RequestedBy
	}
	if ar.RequestedReason != "" {
		body["requestedReason"] = ar.RequestedReason
	}
	raw, err := canonicalBody(body)
	if err != nil {
		return nil, fmt.Errorf("honua: POST %s: %w", c.endpoint(req), err)
	}
	req.body = raw
	ans, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	if ans.status == http.StatusAccepted {
		var p wirePending
		if err := c.decodeData(req, ans, envelopeData, &p); err != nil {
			return nil, err
		}
		return nil, &PendingApprovalError{Endpoint: c.endpoint(req), PendingID: p.PendingID, Status: p.Status, ExpiresAt: p.ExpiresAt}
	}
	var w wireApplyResult
	if err := c.decodeData(req, ans, envelopeData, &w); err != nil {
		return nil, err
	}
	res := &ApplyResult{DryRun: w.DryRun, Summary: ApplySummary(w.Summary), Entries: make([]ApplyEntry, len(w.Entries))}
	for i, e := range w.Entries {
		res.Entries[i] = ApplyEntry{Action: strings.ToLower(strings.TrimSpace(e.Action)), Resource: e.Resource, Message: e.Message}
	}
	return res, nil
}

// AsPendingApproval returns the pending approval in err's chain.
func AsPendingApproval(err error) (*PendingApprovalError, bool) {
	var pe *PendingApprovalError
	ok := errors.As(err, &pe)
	return pe, ok
}
