package plan

import "time"

// Decision is what an environment's policy says of a plan.
type Decision string

// Decisions, from least to most restrictive.
const (
	// Allowed: no rule applies; the plan may be applied.
	Allowed Decision = "allowed"
	// Warn: a rule asks reviewers to look; the plan may be applied.
	Warn Decision = "warn"
	// NeedsApproval: the plan may be applied once approved as the rule says.
	NeedsApproval Decision = "needs-approval"
	// Blocked: the plan may not be applied now (a blackout, outside every
	// window, over a limit, a protected resource, a hold) unless the
	// policy is overridden with a reason.
	Blocked Decision = "blocked"
)

// Rank orders decisions so the most restrictive wins.
func (d Decision) Rank() int {
	switch d {
	case Warn:
		return 1
	case NeedsApproval:
		return 2
	case Blocked:
		return 3
	}
	return 0
}

// Verdict is the policy's judgement of one environment's plan. It is
// evaluated on the typed plan, before any target is contacted, and is
// data like the plan: renderers show it, apply enforces it. It is not part
// of the plan hash: the hash names the operations, the verdict is what the
// policy said of them at a time.
type Verdict struct {
	// Decision is the most restrictive decision of any rule (Allowed when
	// none applies).
	Decision Decision `json:"decision"`
	// Policy is the policy file the verdict comes from ("" when the
	// repository has none and only built-in rules applied).
	Policy string `json:"policy,omitempty"`
	// Risk is the plan's risk: the highest risk of any change ("" without
	// changes).
	Risk Risk `json:"risk,omitempty"`
	// Rules are the rules that applied, most restrictive first.
	Rules []RuleVerdict `json:"rules,omitempty"`
	// EvaluatedAt is the clock reading the windows and blackouts were
	// judged at.
	EvaluatedAt time.Time `json:"evaluatedAt"`
}

// RuleVerdict is one rule that applied to the plan.
type RuleVerdict struct {
	Decision Decision `json:"decision"`
	// Rule names the rule as written, for people: "blackouts[0] year-end
	// freeze", "approvals[1] when deletes > 0", "limits.maxDeletes",
	// "windows", "hold".
	Rule string `json:"rule"`
	// Message says what the rule found and what to do.
	Message string `json:"message"`
	// Require is how many approvals a NeedsApproval rule asks for.
	Require int `json:"require,omitempty"`
	// From names who may approve ("team:org/slug", "user:login"); empty
	// means anyone with write access.
	From []string `json:"from,omitempty"`
	// NextOpen, for a window or blackout block, is when applying is next
	// allowed (zero when unknown or never).
	NextOpen time.Time `json:"nextOpen,omitzero"`
}

// Blocking returns the rules that block the plan.
func (v *Verdict) Blocking() []RuleVerdict { return v.having(Blocked) }

// Approvals returns the rules that ask for approval.
func (v *Verdict) Approvals() []RuleVerdict { return v.having(NeedsApproval) }

// Warnings returns the rules that warn.
func (v *Verdict) Warnings() []RuleVerdict { return v.having(Warn) }

func (v *Verdict) having(d Decision) []RuleVerdict {
	if v == nil {
		return nil
	}
	var out []RuleVerdict
	for _, r := range v.Rules {
		if r.Decision == d {
			out = append(out, r)
		}
	}
	return out
}
