// Package deploy is the deployment record: what was deployed where, by whom
// and why, its state machine with a message per transition, and the
// per-resource results. It also fixes the layout of the state branch in
// which records live (see layout.go).
package deploy

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"slices"
	"time"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
)

// FormatVersion is the version of records, indexes and claims.
const FormatVersion = 1

// Kind says why a deployment happened.
type Kind string

// Deployment kinds.
const (
	KindApply       Kind = "apply"
	KindRollback    Kind = "rollback"
	KindDriftRepair Kind = "drift-repair"
	// KindImport records what a server already ran as adopted: its
	// snapshot is what was imported, and nothing was written to the server.
	KindImport Kind = "import"
	// KindAcceptDrift records the server's values as accepted into git
	// (drift --accept): its snapshot is what the server held, and nothing
	// was written to the server.
	KindAcceptDrift Kind = "accept-drift"
)

// Status is a state of the deployment state machine.
type Status string

// Statuses, in the order a deployment passes through them. A record on the
// state branch is always in one of applying (the intent: a deployment holds
// the environment), awaiting-approval, or an end state: succeeded, failed,
// rolled-back (failed, then reverted what it wrote), interrupted (stopped by
// a signal; the record holds exactly what landed), abandoned (its run died
// and another deployment took the claim over) or refused (stopped before
// writing anything: state moved, plan changed since review).
const (
	Pending          Status = "pending"
	Planning         Status = "planning"
	AwaitingApproval Status = "awaiting-approval"
	Applying         Status = "applying"
	Verifying        Status = "verifying"
	Succeeded        Status = "succeeded"
	Failed           Status = "failed"
	RollingBack      Status = "rolling-back"
	RolledBack       Status = "rolled-back"
	Interrupted      Status = "interrupted"
	Abandoned        Status = "abandoned"
	Refused          Status = "refused"
)

// next lists the states each state may move to. A state that does not
// occur in a flow is skipped, never faked: approval given by GitHub before
// the job starts goes from planning straight to applying; a dry run or an
// apply without verification goes from applying to its end.
var next = map[Status][]Status{
	Pending:          {Planning, Failed, Refused},
	Planning:         {AwaitingApproval, Applying, Succeeded, Failed, Refused},
	AwaitingApproval: {Applying, Failed, Refused, Abandoned},
	Applying:         {Verifying, Succeeded, Failed, RollingBack, Interrupted, Abandoned},
	Verifying:        {Succeeded, Failed, RollingBack, Interrupted, Abandoned},
	Failed:           {RollingBack},
	RollingBack:      {RolledBack, Failed, Interrupted, Abandoned},
}

// Final reports whether no transition leaves the status (a failed
// deployment may still be rolled back, but it is over when recorded).
func (s Status) Final() bool {
	switch s {
	case Succeeded, Failed, RolledBack, Interrupted, Abandoned, Refused:
		return true
	}
	return false
}

// Transition is one step of a deployment's timeline.
type Transition struct {
	Status  Status    `json:"status"`
	At      time.Time `json:"at"`
	Message string    `json:"message,omitempty"`
}

// Source is what was deployed.
type Source struct {
	Commit string `json:"commit,omitempty"`
	Ref    string `json:"ref,omitempty"`
	PR     int    `json:"pr,omitempty"`
}

// PlanInfo is the plan a deployment applied.
type PlanInfo struct {
	Hash    string       `json:"hash"`
	Summary plan.Summary `json:"summary"`
}

// TargetResult is the journal of one target.
type TargetResult struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	// Generation is the target's control-plane generation ("Generation
	// 2"); empty in records made before it was recorded, or when the
	// target was never reached.
	Generation string         `json:"generation,omitempty"`
	Results    []apply.Result `json:"results"`
	Problems   []string       `json:"problems,omitempty"`
	// Unowned fingerprints the facets the repository does not own as they
	// were after this deployment (Generation 2): the baseline of drift's
	// notes on them.
	Unowned map[string]map[string]string `json:"unowned,omitempty"`
	// RolledBack are the results of a rollback after a failure.
	RolledBack []apply.Result `json:"rolledBack,omitempty"`
	Error      string         `json:"error,omitempty"`
}

// Deployment is one recorded deployment.
type Deployment struct {
	FormatVersion int      `json:"formatVersion"`
	ID            string   `json:"id"`
	Environment   string   `json:"environment"`
	Kind          Kind     `json:"kind"`
	Status        Status   `json:"status"`
	Source        Source   `json:"source"`
	Plan          PlanInfo `json:"plan"`
	Actor         string   `json:"actor"`
	Reason        string   `json:"reason,omitempty"`
	Approvers     []string `json:"approvers,omitempty"`
	RunURL        string   `json:"runUrl,omitempty"`
	// RollbackTo names the deployment whose state a rollback returned to.
	RollbackTo  string         `json:"rollbackTo,omitempty"`
	Transitions []Transition   `json:"transitions"`
	Targets     []TargetResult `json:"targets,omitempty"`
	// Snapshot is the git blob hash of <env>/snapshot.json after this
	// deployment: what a rollback to it restores.
	Snapshot string `json:"snapshot,omitempty"`
	// BaseSnapshot is the blob hash of the snapshot the plan was computed
	// against (empty for an environment with none): with the plan hash it
	// lets a re-run prove that what remains is part of the reviewed plan.
	BaseSnapshot string `json:"baseSnapshot,omitempty"`
	// Dirty is set when uncommitted changes were applied (--allow-dirty):
	// DirtyHash identifies the uncommitted diff.
	Dirty     bool   `json:"dirty,omitempty"`
	DirtyHash string `json:"dirtyHash,omitempty"`
	// Verdict is what the environment's policy said of the plan.
	Verdict *plan.Verdict `json:"verdict,omitempty"`
	// PolicyOverride is set when the deployment went ahead although the
	// policy blocked it.
	PolicyOverride *Override `json:"policyOverride,omitempty"`
	// Approvals are the approvals given on the state branch while the
	// deployment awaited approval (`honua-gitops deployment approve`).
	Approvals  []Approval `json:"approvals,omitempty"`
	StartedAt  time.Time  `json:"startedAt"`
	FinishedAt time.Time  `json:"finishedAt,omitzero"`
}

// New starts a deployment in the pending state.
func New(id, env string, kind Kind, at time.Time) *Deployment {
	d := &Deployment{FormatVersion: FormatVersion, ID: id, Environment: env, Kind: kind, Status: Pending, StartedAt: at.UTC()}
	d.Transitions = []Transition{{Status: Pending, At: at.UTC(), Message: "deployment created"}}
	return d
}

// Clone returns a copy whose transitions, targets, approvals, verdict and
// override can be changed without changing d.
func (d *Deployment) Clone() *Deployment {
	c := *d
	c.Transitions = slices.Clone(d.Transitions)
	c.Targets = slices.Clone(d.Targets)
	c.Approvers = slices.Clone(d.Approvers)
	c.Approvals = slices.Clone(d.Approvals)
	if d.Verdict != nil {
		v := *d.Verdict
		v.Rules = slices.Clone(d.Verdict.Rules)
		for i := range v.Rules {
			v.Rules[i].From = slices.Clone(v.Rules[i].From)
		}
		c.Verdict = &v
	}
	if d.PolicyOverride != nil {
		o := *d.PolicyOverride
		o.Rules = slices.Clone(d.PolicyOverride.Rules)
		c.PolicyOverride = &o
	}
	return &c
}

// Advance moves the deployment to status, recording when and why. A move
// the state machine does not allow is a programming error and is refused.
func (d *Deployment) Advance(to Status, at time.Time, message string) error {
	if !slices.Contains(next[d.Status], to) {
		return fmt.Errorf("deployment %s: cannot go from %s to %s", d.ID, d.Status, to)
	}
	d.Status = to
	d.Transitions = append(d.Transitions, Transition{Status: to, At: at.UTC(), Message: message})
	if to.Final() {
		d.FinishedAt = at.UTC()
	}
	return nil
}

var idRe = regexp.MustCompile(`^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{6}$`)

// NewID returns a deployment id: UTC time to the millisecond, then six
// random hex digits (20261129T065251123Z-42ba17). Ids sort by time, are
// unique in practice, are safe in any path, and name no environment.
func NewID(at time.Time, rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	b := make([]byte, 3)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", fmt.Errorf("deployment id: %w", err)
	}
	t := at.UTC()
	return t.Format("20060102T150405") + fmt.Sprintf("%03dZ-", t.Nanosecond()/1e6) + hex.EncodeToString(b), nil
}

// ValidID reports whether s has the form of a deployment id.
func ValidID(s string) bool { return idRe.MatchString(s) }
