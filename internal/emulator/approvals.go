package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Pending change statuses.
const (
	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
	ApprovalExpired  = "expired"
)

// errDecided reports a pending change that is no longer pending.
var errDecided = errors.New("pending change already decided")

// PendingApproval is a manifest apply waiting for a decision (enterprise).
// The emulator keeps a minimal store: no webhooks, no notifications.
type PendingApproval struct {
	PendingID       string     `json:"pendingId"`
	ManifestHash    string     `json:"manifestHash"`
	Status          string     `json:"status"`
	RequestedBy     *string    `json:"requestedBy"`
	RequestedReason *string    `json:"requestedReason"`
	DecisionBy      *string    `json:"decisionBy"`
	DecisionReason  *string    `json:"decisionReason"`
	ResourceCount   int        `json:"resourceCount"`
	DryRun          bool       `json:"dryRun"`
	Prune           bool       `json:"prune"`
	CreatedAt       time.Time  `json:"createdAt"`
	DecidedAt       *time.Time `json:"decidedAt"`
	ExpiresAt       time.Time  `json:"expiresAt"`
}

// pendingChange is a pending approval with the resources it would apply.
type pendingChange struct {
	Record    PendingApproval    `json:"record"`
	Resources []DeclaredResource `json:"resources"`
}

// decisionRequest is the body of approve and reject.
type decisionRequest struct {
	ApprovedBy *string `json:"approvedBy"`
	RejectedBy *string `json:"rejectedBy"`
	Reason     *string `json:"reason"`
}

// sortPending orders pending changes newest first.
func sortPending(ps []pendingChange) {
	slices.SortFunc(ps, func(a, b pendingChange) int {
		return b.Record.CreatedAt.Compare(a.Record.CreatedAt)
	})
}

// expireLocked marks a pending change expired once its time is up; the
// caller holds mu.
func (s *store) expireLocked(p *pendingChange) {
	if p.Record.Status == ApprovalPending && !s.now().Before(p.Record.ExpiresAt) {
		p.Record.Status = ApprovalExpired
		s.dirty = true
	}
}

// addPending stores a new pending change.
func (s *store) addPending(p pendingChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending[p.Record.PendingID] = &p
	s.dirty = true
}

// pendingRecords returns the records that keep, newest first.
func (s *store) pendingRecords(keep func(PendingApproval) bool) []PendingApproval {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]pendingChange, 0, len(s.pending))
	for _, p := range s.pending {
		s.expireLocked(p)
		if keep(p.Record) {
			all = append(all, *p)
		}
	}
	sortPending(all)
	out := make([]PendingApproval, len(all))
	for i := range all {
		out[i] = all[i].Record
	}
	return out
}

// pendingByID returns one pending change.
func (s *store) pendingByID(id string) (pendingChange, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findPendingLocked(id)
	if p == nil {
		return pendingChange{}, false
	}
	s.expireLocked(p)
	return *p, true
}

func (s *store) findPendingLocked(id string) *pendingChange {
	for key, p := range s.pending {
		if strings.EqualFold(key, id) {
			return p
		}
	}
	return nil
}

// decide moves a pending change to status, once.
func (s *store) decide(id, status string, by, reason *string) (pendingChange, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findPendingLocked(id)
	if p == nil {
		return pendingChange{}, errNotFound
	}
	s.expireLocked(p)
	if p.Record.Status != ApprovalPending {
		return *p, errDecided
	}
	now := s.now().UTC()
	p.Record.Status, p.Record.DecisionBy, p.Record.DecisionReason, p.Record.DecidedAt = status, by, reason, &now
	s.dirty = true
	return *p, nil
}

// requestApproval stores a pending change for an apply with
// approvalRequired.
func (s *Server) requestApproval(resources []DeclaredResource, req applyRequest) PendingApproval {
	now := s.now().UTC()
	p := pendingChange{
		Record: PendingApproval{
			PendingID:       newID(),
			ManifestHash:    declaredManifestHash(resources),
			Status:          ApprovalPending,
			RequestedBy:     req.RequestedBy,
			RequestedReason: req.RequestedReason,
			ResourceCount:   len(resources),
			DryRun:          req.DryRun,
			Prune:           req.Prune,
			CreatedAt:       now,
			ExpiresAt:       now.Add(s.opts.ApprovalTimeout),
		},
		Resources: resources,
	}
	s.store.addPending(p)
	return p.Record
}

// handleListPending answers GET /manifest/pending/?status=, pending by
// default, as a bare array.
func (s *Server) handleListPending(w http.ResponseWriter, r *http.Request, _ params) {
	if s.gated(w, gateApprovals) {
		return
	}
	status := strings.ToLower(r.URL.Query().Get("status"))
	if status == "" {
		status = ApprovalPending
	}
	if !slices.Contains([]string{ApprovalPending, ApprovalApproved, ApprovalRejected, ApprovalExpired}, status) {
		s.writeFailure(w, http.StatusBadRequest, "status must be one of pending, approved, rejected or expired.")
		return
	}
	s.writeData(w, http.StatusOK, s.store.pendingRecords(func(p PendingApproval) bool { return p.Status == status }), "")
}

// handlePendingHistory answers GET /manifest/pending/history: every decided
// or expired change, newest first.
func (s *Server) handlePendingHistory(w http.ResponseWriter, _ *http.Request, _ params) {
	if s.gated(w, gateApprovals) {
		return
	}
	s.writeData(w, http.StatusOK, s.store.pendingRecords(func(p PendingApproval) bool { return p.Status != ApprovalPending }), "")
}

// handleGetPending answers GET /manifest/pending/{id}.
func (s *Server) handleGetPending(w http.ResponseWriter, _ *http.Request, p params) {
	if !isGUID(p["id"]) {
		writeEmpty(w, http.StatusBadRequest)
		return
	}
	if s.gated(w, gateApprovals) {
		return
	}
	pc, ok := s.store.pendingByID(p["id"])
	if !ok {
		writeEmpty(w, http.StatusNotFound)
		return
	}
	s.writeData(w, http.StatusOK, pc.Record, "")
}

// bindDecision binds the id and body of approve and reject; both failures
// are 400 before the edition gate.
func (s *Server) bindDecision(w http.ResponseWriter, r *http.Request, p params) (decisionRequest, bool) {
	var body decisionRequest
	if !isGUID(p["id"]) {
		writeEmpty(w, http.StatusBadRequest)
		return body, false
	}
	if err := bindJSON(w, r, &body); err != nil {
		writeBindError(w, err)
		return body, false
	}
	return body, !s.gated(w, gateApprovals)
}

// writeDecisionError answers a decision on a missing or decided change.
func (s *Server) writeDecisionError(w http.ResponseWriter, pc pendingChange, err error) {
	if errors.Is(err, errNotFound) {
		writeEmpty(w, http.StatusNotFound)
		return
	}
	s.writeFailure(w, http.StatusConflict, fmt.Sprintf("The pending change is already %s.", pc.Record.Status))
}

// handleApprove answers POST /manifest/pending/{id}/approve: it re-validates
// the stored manifest, applies it and answers with the apply result (409 if
// already decided, 422 if nothing is valid).
func (s *Server) handleApprove(w http.ResponseWriter, r *http.Request, p params) {
	body, ok := s.bindDecision(w, r, p)
	if !ok {
		return
	}
	pc, err := s.store.decide(p["id"], ApprovalApproved, body.ApprovedBy, body.Reason)
	if err != nil {
		s.writeDecisionError(w, pc, err)
		return
	}
	resources, err := revalidate(pc.Resources)
	if err != nil {
		if s.flush(w) {
			s.writeProblem(w, http.StatusUnprocessableEntity, "Error", err.Error())
		}
		return
	}
	result, err := s.applyManifest(r.Context(), resources, pc.Record.DryRun, pc.Record.Prune)
	if err == nil && !pc.Record.DryRun {
		s.recordVersion(resources, result)
	}
	if !s.flush(w) {
		return
	}
	switch {
	case s.writeFault(w, err):
	case err != nil && r.Context().Err() != nil:
		s.log.Warn("approved apply abandoned: the client went away")
	case err != nil:
		s.internalError(w, err)
	default:
		s.writeData(w, http.StatusOK, result, summaryText(result.Summary))
	}
}

// handleReject answers POST /manifest/pending/{id}/reject with the record.
func (s *Server) handleReject(w http.ResponseWriter, r *http.Request, p params) {
	body, ok := s.bindDecision(w, r, p)
	if !ok {
		return
	}
	pc, err := s.store.decide(p["id"], ApprovalRejected, body.RejectedBy, body.Reason)
	if err != nil {
		s.writeDecisionError(w, pc, err)
		return
	}
	if s.flush(w) {
		s.writeData(w, http.StatusOK, pc.Record, "Pending change rejected.")
	}
}

// revalidate runs the stored resources through validation again, as the
// server does before applying an approved change.
func revalidate(resources []DeclaredResource) ([]DeclaredResource, error) {
	raw, err := json.Marshal(resources)
	if err != nil {
		return nil, err
	}
	var inputs []*inputResource
	if err := json.Unmarshal(raw, &inputs); err != nil {
		return nil, err
	}
	return validateAll(inputs)
}
