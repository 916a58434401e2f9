package honua

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/resource"
)

func ptr(s string) *string { return &s }

func TestApplyManifestWire(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeData(w, http.StatusOK, map[string]any{
			"dryRun":  true,
			"summary": map[string]any{"created": 1, "updated": 1, "deleted": 1, "skipped": 2},
			"entries": []any{
				map[string]any{"action": "Create", "resource": map[string]any{"kind": "Layer", "namespace": "default", "name": "a"}, "message": nil},
				map[string]any{"action": "update", "resource": map[string]any{"kind": "Layer", "namespace": "default", "name": "b"}, "message": nil},
				map[string]any{"action": "delete", "resource": map[string]any{"kind": "Layer", "namespace": "default", "name": "c"}, "message": nil},
				map[string]any{"action": "skip", "resource": map[string]any{"kind": "Layer", "namespace": "default", "name": "d"}, "message": "No changes."},
				map[string]any{"action": "SKIP", "resource": map[string]any{"kind": "layer", "namespace": "default", "name": "e"}, "message": "Resource already exists."},
			},
		})
	})
	c, _ := newTestClient(t, s.URL)
	noNS := layerResource("a")
	noNS.Metadata.Namespace = ""
	res, err := c.ApplyManifest(t.Context(), ApplyRequest{
		Resources: []*resource.Resource{noNS, layerResource("b")}, DryRun: true, Prune: true, RequestedBy: "ci",
	})
	require.NoError(t, err)

	got := s.last(t)
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/api/v1/admin/manifest/apply", got.Path)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(got.Body, &body))
	assert.Equal(t, true, body["dryRun"])
	assert.Equal(t, true, body["prune"])
	assert.Equal(t, false, body["approvalRequired"])
	assert.Equal(t, "ci", body["requestedBy"])
	assert.NotContains(t, body, "requestedReason", "empty strings are omitted")
	sent := body["resources"].([]any)
	require.Len(t, sent, 2)
	assert.Equal(t, "default", sent[0].(map[string]any)["metadata"].(map[string]any)["namespace"], "namespace \"\" is sent as default (B.4)")
	assert.Contains(t, string(got.Body), `"srid":4326`)

	assert.True(t, res.DryRun)
	assert.Equal(t, ApplySummary{Created: 1, Updated: 1, Deleted: 1, Skipped: 2}, res.Summary)
	var actions []string
	for _, e := range res.Entries {
		actions = append(actions, e.Action)
	}
	assert.Equal(t, []string{"create", "update", "delete", "skip", "skip"}, actions, "actions are lowercased")
	assert.Equal(t, resource.Identity{Kind: "layer", Namespace: "default", Name: "e"}, res.Entries[4].Resource, "identities as the server reports them")
	require.Len(t, res.Failures(), 1)
	assert.Equal(t, "Resource already exists.", *res.Failures()[0].Message)
}

func TestApplyEntryFailed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		entry ApplyEntry
		want  bool
	}{
		{ApplyEntry{Action: "create"}, false},
		{ApplyEntry{Action: "update", Message: ptr("odd message on a write")}, false},
		{ApplyEntry{Action: "skip"}, false},
		{ApplyEntry{Action: "skip", Message: ptr("No changes.")}, false},
		{ApplyEntry{Action: "skip", Message: ptr("  no CHANGES.  ")}, false},
		{ApplyEntry{Action: "skip", Message: ptr("Resource already exists.")}, true},
		{ApplyEntry{Action: "skip", Message: ptr("Resource version conflict")}, true},
		{ApplyEntry{Action: "skip", Message: ptr("Failed to delete resource.")}, true},
		{ApplyEntry{Action: "skip", Message: ptr("")}, true},
	}
	for _, tt := range tests {
		msg := "<nil>"
		if tt.entry.Message != nil {
			msg = *tt.entry.Message
		}
		assert.Equal(t, tt.want, tt.entry.Failed(), "%s %q", tt.entry.Action, msg)
	}
}

func TestApplyPendingApproval(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeData(w, http.StatusAccepted, map[string]any{"pendingId": "0b9f6c3e-1111-4222-8333-444455556666", "status": "pending", "expiresAt": "2026-03-02T00:00:00Z"})
	})
	c, _ := newTestClient(t, s.URL)
	res, err := c.ApplyManifest(t.Context(), ApplyRequest{Resources: []*resource.Resource{layerResource("a")}, ApprovalRequired: true, RequestedReason: "why"})
	assert.Nil(t, res)
	pe, ok := AsPendingApproval(err)
	require.True(t, ok)
	assert.Equal(t, "0b9f6c3e-1111-4222-8333-444455556666", pe.PendingID)
	assert.Equal(t, "pending", pe.Status)
	assert.Equal(t, "honua: POST /api/v1/admin/manifest/apply: the apply is pending approval as change 0b9f6c3e-1111-4222-8333-444455556666; "+
		"nothing was applied (the request expires at 2026-03-02T00:00:00Z)", err.Error())
	var body map[string]any
	require.NoError(t, json.Unmarshal(s.last(t).Body, &body))
	assert.Equal(t, true, body["approvalRequired"])
	assert.Equal(t, "why", body["requestedReason"])
}

func TestExportManifest(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeData(w, http.StatusOK, map[string]any{
			"apiVersion": "honua.io/v1alpha1", "generatedAt": "2026-03-01T00:00:00Z",
			"resources":        []any{storedLayer("a"), storedLayer("b")},
			"driftedResources": []any{map[string]any{"kind": "Layer", "namespace": "default", "name": "b"}},
			"manifestHash":     "f00d",
		})
	})
	c, _ := newTestClient(t, s.URL)
	m, err := c.ExportManifest(t.Context(), "gis")
	require.NoError(t, err)
	assert.Equal(t, "namespace=gis", s.last(t).Query)
	assert.Equal(t, "f00d", m.ManifestHash)
	assert.Equal(t, "honua.io/v1alpha1", m.APIVersion)
	assert.Equal(t, []resource.Identity{{Kind: "Layer", Namespace: "default", Name: "b"}}, m.Drifted)
	require.Len(t, m.Objects, 2)
	assert.Empty(t, m.Objects[0].ETag)
	assert.Equal(t, "honua-gitops", m.Objects[0].Annotations["gitops.honua.io/managed-by"])
	assert.Equal(t, "abc", m.Objects[0].Annotations["honua.io/last-applied-manifest-hash"])

	_, err = c.ExportManifest(t.Context(), "")
	require.NoError(t, err)
	assert.Empty(t, s.last(t).Query)
}

func TestDrift(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeData(w, http.StatusOK, map[string]any{
			"generatedAt": "2026-03-01T00:00:00Z", "baselineVersionId": "v-1", "hasDrift": true,
			"resources": []any{
				map[string]any{"identifier": map[string]any{"kind": "Layer", "namespace": "default", "name": "a"}, "driftType": "spec-drift",
					"declaredHash": "d1", "actualHash": "a1", "declaredSpec": map[string]any{"srid": 4326.0}, "actualSpec": map[string]any{"srid": 3857}},
				map[string]any{"identifier": map[string]any{"kind": "Layer", "namespace": "default", "name": "b"}, "driftType": "missing",
					"declaredHash": "d2", "actualHash": nil},
				map[string]any{"identifier": map[string]any{"kind": "Style", "namespace": "x", "name": "c"}, "driftType": "extra",
					"declaredHash": nil, "actualHash": "a3", "declaredSpec": nil},
			},
		})
	})
	c, _ := newTestClient(t, s.URL)
	rep, err := c.Drift(t.Context(), true)
	require.NoError(t, err)
	assert.Equal(t, "verbose=true", s.last(t).Query)
	assert.Equal(t, "/api/v1/admin/manifest/drift", s.last(t).Path)
	require.NotNil(t, rep.BaselineVersionID)
	assert.Equal(t, "v-1", *rep.BaselineVersionID)
	assert.True(t, rep.HasDrift)
	assert.Equal(t, []DriftEntry{
		{Identifier: resource.Identity{Kind: "Layer", Namespace: "default", Name: "a"}, DriftType: DriftSpecDrift, DeclaredHash: "d1", ActualHash: "a1",
			DeclaredSpec: map[string]any{"srid": int64(4326)}, ActualSpec: map[string]any{"srid": int64(3857)}},
		{Identifier: resource.Identity{Kind: "Layer", Namespace: "default", Name: "b"}, DriftType: DriftMissing, DeclaredHash: "d2"},
		{Identifier: resource.Identity{Kind: "Style", Namespace: "x", Name: "c"}, DriftType: DriftExtra, ActualHash: "a3"},
	}, rep.Resources)

	_, err = c.Drift(t.Context(), false)
	require.NoError(t, err)
	assert.Equal(t, "verbose=false", s.last(t).Query)
}

func TestVersions(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == "/api/v1/admin/manifest/versions" {
			writeData(w, http.StatusOK, map[string]any{"versions": []any{map[string]any{
				"versionId": "v-2", "manifestHash": "h", "summary": "Created: 1, Updated: 0, Deleted: 0, Skipped: 0",
				"actor": "admin", "appliedAt": "2026-03-01T00:00:00Z", "resourceCount": 1,
			}}})
			return
		}
		writeData(w, http.StatusOK, map[string]any{
			"versionId": "v-2", "manifestHash": "h", "summary": "s", "actor": "admin", "appliedAt": "t", "resourceCount": 1,
			"manifest": map[string]any{"apiVersion": "honua.io/v1alpha1", "resources": []any{storedLayer("a")}},
		})
	})
	c, _ := newTestClient(t, s.URL)
	vs, err := c.Versions(t.Context(), 10, 5)
	require.NoError(t, err)
	assert.Equal(t, "limit=10&offset=5", s.last(t).Query)
	assert.Equal(t, []VersionSummary{{VersionID: "v-2", ManifestHash: "h", Summary: "Created: 1, Updated: 0, Deleted: 0, Skipped: 0",
		Actor: "admin", AppliedAt: "2026-03-01T00:00:00Z", ResourceCount: 1}}, vs)
	_, err = c.Versions(t.Context(), 0, 0)
	require.NoError(t, err)
	assert.Empty(t, s.last(t).Query, "zero values leave the server's defaults")

	v, err := c.GetVersion(t.Context(), "v-2")
	require.NoError(t, err)
	assert.Equal(t, "/api/v1/admin/manifest/versions/v-2", s.last(t).Path)
	assert.Equal(t, "v-2", v.VersionID)
	require.Len(t, v.Objects, 1)
	assert.Equal(t, "a", v.Objects[0].Resource.Metadata.Name)
}
