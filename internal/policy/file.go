// Package policy reads policy.yaml, the deployment policies of a
// configuration repository (blackouts, deployment windows, approvals,
// warnings, limits, drift handling, rollback, health checks and
// notifications), and evaluates an environment's plan against them into a
// plan.Verdict.
//
// Top-level keys are the default of every environment; a key under
// environments.<name> replaces the default's key of the same name (there is
// no merging inside a key).
package policy

import (
	"time"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/notify"
)

// DefaultFile is the policy file at the repository root.
const DefaultFile = "policy.yaml"

// Defaults of keys that are not written.
const (
	// DefaultRetryFor is how long health checks retry by default.
	DefaultRetryFor = 60 * time.Second
	// DefaultCertExpiryWarningDays is how many days before a certificate
	// expires health checks warn by default.
	DefaultCertExpiryWarningDays = 14
)

// File is a parsed policy file.
type File struct {
	// Path is the file's path relative to the repository root.
	Path string
	// Default holds the top-level keys, which apply to every environment.
	Default Rules
	// Environments holds each environments.<name> section as written.
	Environments map[string]Rules
}

// Rules are the policies of one environment (or the defaults).
type Rules struct {
	Blackouts []Blackout
	Windows   []Window
	Approvals []ApprovalRule
	Warnings  []WarnRule
	Limits    Limits
	// Drift is the drift guard: fail, warn or overwrite ("" = not set).
	Drift string
	// AutoRollback rolls back a failed apply.
	AutoRollback bool
	// HealthChecks is nil when not set (apply checks readiness only).
	HealthChecks *HealthChecks
	// HoldAfterRollback holds the environment after an automatic rollback
	// until released (default true).
	HoldAfterRollback bool
	// Notifications are the channels deployment events are sent to.
	Notifications []notify.Channel
	// File is the policy file path, "" when none.
	File string

	// set records which keys were written, so that an environment's key
	// replaces the default's.
	set map[string]bool
}

// Blackout is a period in which no plan with changes may be applied.
type Blackout struct {
	Name string
	// From and To are instants; the blackout covers From <= t < To.
	From, To time.Time
	Reason   string
	Pos      diag.Pos
}

// Window is a recurring period in which plans may be applied.
type Window struct {
	// Days are the weekdays the window starts on.
	Days []time.Weekday
	// From and To are minutes after local midnight; To <= From wraps past
	// midnight into the next day.
	From, To int
	// Timezone is the IANA name the window is written in.
	Timezone string
	// Location is Timezone loaded.
	Location *time.Location
	Pos      diag.Pos
}

// ApprovalRule asks for approvals when its condition matches the plan.
type ApprovalRule struct {
	When Condition
	// Require is how many approvals are needed (at least 1).
	Require int
	// From names who may approve ("team:org/slug", "user:login"); empty
	// means anyone with write access.
	From []string
	Pos  diag.Pos
}

// WarnRule warns reviewers when its condition matches the plan.
type WarnRule struct {
	When   Condition
	Reason string
	Pos    diag.Pos
}

// Limits cap what one plan may do. Zero values are not set.
type Limits struct {
	// MaxDeletes and MaxChanges are the most deletes and changes a plan may
	// have; nil when not set.
	MaxDeletes, MaxChanges *int
	// Protected are Kind/namespace/name globs (path.Match) of resources
	// that may not be deleted.
	Protected []string
}

// HealthChecks configures the checks apply runs after writing.
type HealthChecks struct {
	Enabled bool
	// ReadyTimeout is how long one readiness probe may take (0: apply's
	// own default).
	ReadyTimeout time.Duration
	// RetryFor is how long failing checks are retried (default 60s).
	RetryFor time.Duration
	// Replicas are further URLs that must serve the change.
	Replicas []string
	// CertExpiryWarningDays warns when a target's certificate expires
	// within that many days (default 14).
	CertExpiryWarningDays int
}

// ruleKeys are the keys of a Rules section, in documented order.
var ruleKeys = []string{"blackouts", "windows", "approvals", "warnings", "limits", "drift", "autoRollback", "healthChecks", "holdAfterRollback", "notifications"}

// defaultRules returns Rules with every default applied.
func defaultRules() Rules {
	return Rules{HoldAfterRollback: true}
}

// For returns the rules of env: the environment's keys replacing the
// default's. On a nil File it returns the built-in defaults.
func (f *File) For(env string) *Rules {
	r := defaultRules()
	if f == nil {
		return &r
	}
	r = f.Default
	r.set = nil
	if e, ok := f.Environments[env]; ok {
		for _, k := range ruleKeys {
			if e.set[k] {
				copyKey(&r, &e, k)
			}
		}
	}
	r.File = f.Path
	return &r
}

// copyKey copies key k from src to dst.
func copyKey(dst, src *Rules, k string) {
	switch k {
	case "blackouts":
		dst.Blackouts = src.Blackouts
	case "windows":
		dst.Windows = src.Windows
	case "approvals":
		dst.Approvals = src.Approvals
	case "warnings":
		dst.Warnings = src.Warnings
	case "limits":
		dst.Limits = src.Limits
	case "drift":
		dst.Drift = src.Drift
	case "autoRollback":
		dst.AutoRollback = src.AutoRollback
	case "healthChecks":
		dst.HealthChecks = src.HealthChecks
	case "holdAfterRollback":
		dst.HoldAfterRollback = src.HoldAfterRollback
	case "notifications":
		dst.Notifications = src.Notifications
	}
}
