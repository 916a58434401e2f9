package conformance

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/emulator"
)

const someGUID = "0b5c8f2e-6d1a-4e3b-9c7f-2a1d0e9b8c7a"

// §1.10: ADR-0024 gates manifest apply, drift, versions and approvals with
// 402 on community; the code answers 403. Export and per-resource CRUD work
// in every edition. A malformed id or missing body is 400 before the gate
// (Appendix B.7).
func TestEditionGating(t *testing.T) {
	t.Parallel()
	gatedRoutes := []struct {
		name, method, path string
		body               any
	}{
		{"apply", http.MethodPost, admin + "/manifest/apply", applyBody(false, false, layer("a"))},
		{"dry run", http.MethodPost, admin + "/manifest/apply", applyBody(true, false, layer("a"))},
		{"drift", http.MethodGet, admin + "/manifest/drift?verbose=true", nil},
		{"versions", http.MethodGet, admin + "/manifest/versions?limit=5", nil},
		{"version", http.MethodGet, admin + "/manifest/versions/" + someGUID, nil},
		{"pending", http.MethodGet, admin + "/manifest/pending/?status=pending", nil},
		{"pending history", http.MethodGet, admin + "/manifest/pending/history", nil},
		{"pending one", http.MethodGet, admin + "/manifest/pending/" + someGUID, nil},
		{"approve", http.MethodPost, admin + "/manifest/pending/" + someGUID + "/approve", map[string]any{"approvedBy": "x"}},
		{"reject", http.MethodPost, admin + "/manifest/pending/" + someGUID + "/reject", map[string]any{"rejectedBy": "x"}},
	}
	for _, status := range []int{http.StatusPaymentRequired, http.StatusForbidden} {
		s := start(t, community, gating(status))
		for _, rt := range gatedRoutes {
			t.Run(http.StatusText(status)+" "+rt.name, func(t *testing.T) {
				p := s.do(rt.method, rt.path, rt.body).problem(t, status)
				assert.Contains(t, p["detail"], "enterprise edition")
			})
		}
		t.Run(http.StatusText(status)+" open routes", func(t *testing.T) {
			s.do(http.MethodGet, admin+"/manifest", nil).data(t, http.StatusOK)
			etag := s.create(layer("crud"))
			s.do(http.MethodPut, resAPI+"/Layer/default/crud", layer("crud"), ifMatch(etag)).data(t, http.StatusOK)
			s.do(http.MethodDelete, resAPI+"/Layer/default/crud", nil, ifMatch("*")).data(t, http.StatusOK)
		})
		t.Run(http.StatusText(status)+" binding errors come first", func(t *testing.T) {
			s.do(http.MethodPost, admin+"/manifest/apply", "").empty(t, http.StatusBadRequest)
			s.do(http.MethodGet, admin+"/manifest/versions/not-a-guid", nil).empty(t, http.StatusBadRequest)
			s.do(http.MethodGet, admin+"/manifest/pending/not-a-guid", nil).empty(t, http.StatusBadRequest)
			s.do(http.MethodPost, admin+"/manifest/pending/"+someGUID+"/approve", "").empty(t, http.StatusBadRequest)
		})
		t.Run(http.StatusText(status)+" approvalRequired is 403", func(t *testing.T) {
			body := applyBody(false, false, layer("a"))
			body["approvalRequired"] = true
			p := s.do(http.MethodPost, admin+"/manifest/apply", body).problem(t, http.StatusForbidden)
			assert.Contains(t, p["detail"], "require the enterprise edition.")
			assert.Empty(t, s.list("?kind=Layer&namespace=default"))
		})
	}
}

// §1.7: on enterprise, approvalRequired:true answers 202 with a pending
// record and applies nothing; approve applies it (409 once decided); reject
// records the decision.
func TestApprovals(t *testing.T) {
	t.Parallel()
	s := start(t)
	body := applyBody(false, false, layer("a"), layer("b"))
	body["approvalRequired"] = true
	body["requestedBy"] = "ci"
	body["requestedReason"] = "PR #7"
	rec := s.do(http.MethodPost, admin+"/manifest/apply", body).dataObj(t, http.StatusAccepted)
	assert.ElementsMatch(t, []string{"pendingId", "manifestHash", "status", "requestedBy", "requestedReason",
		"decisionBy", "decisionReason", "resourceCount", "dryRun", "prune", "createdAt", "decidedAt", "expiresAt"}, keys(rec))
	assert.Equal(t, "pending", rec["status"])
	assert.Equal(t, "ci", rec["requestedBy"])
	assert.EqualValues(t, 2, rec["resourceCount"])
	assert.Empty(t, s.list(""), "nothing applied while pending")
	id := rec["pendingId"].(string)

	listed := s.do(http.MethodGet, admin+"/manifest/pending/", nil).data(t, http.StatusOK).([]any)
	require.Len(t, listed, 1)
	assert.Equal(t, id, listed[0].(map[string]any)["pendingId"])
	s.do(http.MethodGet, admin+"/manifest/pending/"+id, nil).data(t, http.StatusOK)
	s.do(http.MethodGet, admin+"/manifest/pending/"+someGUID, nil).empty(t, http.StatusNotFound)

	applied := decodeApply(t, s.do(http.MethodPost, admin+"/manifest/pending/"+id+"/approve", map[string]any{"approvedBy": "lead", "reason": "ok"}))
	assert.Equal(t, []string{"create Layer/default/a", "create Layer/default/b"}, applied.actions())
	assert.Len(t, s.list(""), 2)
	versions := s.do(http.MethodGet, admin+"/manifest/versions", nil).dataObj(t, http.StatusOK)["versions"].([]any)
	assert.Len(t, versions, 1, "an approved apply stores a version")

	s.do(http.MethodPost, admin+"/manifest/pending/"+id+"/approve", map[string]any{"approvedBy": "lead"}).failure(t, http.StatusConflict)
	s.do(http.MethodPost, admin+"/manifest/pending/"+id+"/reject", map[string]any{"rejectedBy": "lead"}).failure(t, http.StatusConflict)

	second := s.do(http.MethodPost, admin+"/manifest/apply", body).dataObj(t, http.StatusAccepted)
	rejected := s.do(http.MethodPost, admin+"/manifest/pending/"+second["pendingId"].(string)+"/reject",
		map[string]any{"rejectedBy": "lead", "reason": "no"}).dataObj(t, http.StatusOK)
	assert.Equal(t, "rejected", rejected["status"])
	assert.Equal(t, "lead", rejected["decisionBy"])

	history := s.do(http.MethodGet, admin+"/manifest/pending/history", nil).data(t, http.StatusOK).([]any)
	assert.Len(t, history, 2)
	assert.Empty(t, s.do(http.MethodGet, admin+"/manifest/pending", nil).data(t, http.StatusOK))
	assert.Len(t, s.do(http.MethodGet, admin+"/manifest/pending/?status=approved", nil).data(t, http.StatusOK), 1)
}

// §1.7: a pending change expires after the approval timeout.
func TestApprovalExpiry(t *testing.T) {
	t.Parallel()
	s := start(t, func(o *emulator.Options) { o.ApprovalTimeout = 30 * time.Millisecond })
	body := applyBody(false, false, layer("a"))
	body["approvalRequired"] = true
	id := s.do(http.MethodPost, admin+"/manifest/apply", body).dataObj(t, http.StatusAccepted)["pendingId"].(string)
	require.Eventually(t, func() bool {
		return s.do(http.MethodGet, admin+"/manifest/pending/"+id, nil).dataObj(t, http.StatusOK)["status"] == "expired"
	}, 2*time.Second, 10*time.Millisecond)
	s.do(http.MethodPost, admin+"/manifest/pending/"+id+"/approve", map[string]any{"approvedBy": "x"}).failure(t, http.StatusConflict)
	assert.Empty(t, s.list(""))
}
