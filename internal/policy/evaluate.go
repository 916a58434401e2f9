package policy

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// Input is what a plan is evaluated with.
type Input struct {
	Plan *plan.Plan
	// Now is the clock reading windows and blackouts are judged at.
	Now time.Time
	// Owned is how many resources the environment owns (the recorded
	// snapshot's size).
	Owned int
	// Hold, when set, is the environment's hold after a rollback.
	Hold *Hold
}

// Hold is set on an environment by an automatic rollback and blocks every
// deployment until released.
type Hold struct {
	// Deployment is the rollback deployment that set the hold.
	Deployment string
	// RolledBack is the deployment it rolled back.
	RolledBack string
	At         time.Time
}

// Evaluate judges in.Plan against the rules. A nil r evaluates the built-in
// rules only (hold, never deleting everything the environment owns).
func (r *Rules) Evaluate(in Input) *plan.Verdict {
	if r == nil {
		r = (*File)(nil).For("")
	}
	v := &plan.Verdict{Decision: plan.Allowed, Policy: r.File, EvaluatedAt: in.Now.UTC()}
	if in.Plan != nil {
		v.Risk = in.Plan.MaxRisk()
	}
	var rules []plan.RuleVerdict
	if in.Hold != nil {
		rules = append(rules, holdVerdict(in))
	}
	if in.Plan != nil && in.Plan.HasChanges() {
		rules = append(rules, r.timeVerdicts(in.Now)...)
		rules = append(rules, r.limitVerdicts(in.Plan, in.Owned)...)
		rules = append(rules, r.conditionVerdicts(in.Plan)...)
	}
	slices.SortStableFunc(rules, func(a, b plan.RuleVerdict) int { return b.Decision.Rank() - a.Decision.Rank() })
	for _, rv := range rules {
		if rv.Decision.Rank() > v.Decision.Rank() {
			v.Decision = rv.Decision
		}
	}
	if len(rules) > 0 {
		v.Rules = rules
	}
	return v
}

func holdVerdict(in Input) plan.RuleVerdict {
	rolledBack := in.Hold.RolledBack
	if rolledBack == "" {
		rolledBack = in.Hold.Deployment
	}
	env := ""
	if in.Plan != nil {
		env = in.Plan.Environment
	}
	return plan.RuleVerdict{
		Decision: plan.Blocked,
		Rule:     "hold",
		Message: fmt.Sprintf("held after rollback of deployment %s; release with `honua-gitops release-hold --env %s` or dispatch `release-hold`",
			rolledBack, env),
	}
}

// timeVerdicts judges blackouts and windows at now.
func (r *Rules) timeVerdicts(now time.Time) []plan.RuleVerdict {
	var out []plan.RuleVerdict
	var next time.Time
	nextDone := false
	nextOpen := func() time.Time {
		if !nextDone {
			next, nextDone = r.NextOpen(now), true
		}
		return next
	}
	for i, b := range r.Blackouts {
		if !b.Covers(now) {
			continue
		}
		msg := fmt.Sprintf("in blackout %q until %s", b.Name, b.To.UTC().Format(time.RFC3339))
		if b.Reason != "" {
			msg += ": " + b.Reason
		}
		if n := nextOpen(); !n.IsZero() && !n.Equal(b.To) {
			msg += fmt.Sprintf("; next opens %s", r.formatInZone(n))
		}
		out = append(out, plan.RuleVerdict{
			Decision: plan.Blocked,
			Rule:     strings.TrimSpace(fmt.Sprintf("blackouts[%d] %s", i, b.Name)),
			Message:  msg,
			NextOpen: nextOpen(),
		})
	}
	if len(r.Windows) > 0 && !slices.ContainsFunc(r.Windows, func(w Window) bool { return w.Contains(now) }) {
		descs := make([]string, len(r.Windows))
		for i, w := range r.Windows {
			descs[i] = w.String()
		}
		msg := fmt.Sprintf("outside every deployment window (%s); ", strings.Join(descs, "; "))
		if n := nextOpen(); n.IsZero() {
			msg += fmt.Sprintf("no window opens in the next %d days", searchDays)
		} else {
			msg += "next opens " + r.formatInZone(n)
		}
		out = append(out, plan.RuleVerdict{Decision: plan.Blocked, Rule: "windows", Message: msg, NextOpen: nextOpen()})
	}
	return out
}

// formatInZone renders t in the zone of the window it is inside (the first
// window's zone otherwise, UTC without windows).
func (r *Rules) formatInZone(t time.Time) string {
	if len(r.Windows) == 0 {
		return t.UTC().Format(time.RFC3339)
	}
	loc := r.Windows[0].Location
	for _, w := range r.Windows {
		if w.Contains(t) {
			loc = w.Location
			break
		}
	}
	return t.In(loc).Format(time.RFC3339)
}

// limitVerdicts judges the limits and the built-in rule that an environment
// never deletes everything it owns.
func (r *Rules) limitVerdicts(p *plan.Plan, owned int) []plan.RuleVerdict {
	var out []plan.RuleVerdict
	deletes, changes := count(p.Changes, "deletes"), len(p.Changes)
	if l := r.Limits.MaxDeletes; l != nil && deletes > *l {
		out = append(out, plan.RuleVerdict{Decision: plan.Blocked, Rule: "limits.maxDeletes",
			Message: fmt.Sprintf("the plan deletes %d resources; the limit is %d", deletes, *l)})
	}
	if l := r.Limits.MaxChanges; l != nil && changes > *l {
		out = append(out, plan.RuleVerdict{Decision: plan.Blocked, Rule: "limits.maxChanges",
			Message: fmt.Sprintf("the plan changes %d resources; the limit is %d", changes, *l)})
	}
	for _, g := range r.Limits.Protected {
		var hit []string
		for _, c := range p.Changes {
			if ok, _ := path.Match(g, c.Subject()); ok && c.Action == plan.Delete {
				hit = append(hit, c.Subject())
			}
		}
		if len(hit) > 0 {
			out = append(out, plan.RuleVerdict{Decision: plan.Blocked, Rule: "limits.protected " + g,
				Message: fmt.Sprintf("the plan deletes protected %s: %s", plural(len(hit), "resource", "resources"), strings.Join(hit, ", "))})
		}
	}
	if owned > 0 && deletes > 0 && deletes == owned {
		out = append(out, plan.RuleVerdict{Decision: plan.Blocked, Rule: "limits.deleteAll",
			Message: fmt.Sprintf("the plan deletes all %d resources the environment owns; an environment never deletes everything it owns", owned)})
	}
	return out
}

// conditionVerdicts judges approvals and warnings.
func (r *Rules) conditionVerdicts(p *plan.Plan) []plan.RuleVerdict {
	var out []plan.RuleVerdict
	for i, a := range r.Approvals {
		if !a.When.Match(p) {
			continue
		}
		who := "anyone with write access"
		if len(a.From) > 0 {
			who = strings.Join(a.From, " or ")
		}
		out = append(out, plan.RuleVerdict{
			Decision: plan.NeedsApproval,
			Rule:     fmt.Sprintf("approvals[%d] when %s", i, a.When.Expr),
			Message:  fmt.Sprintf("needs %d %s from %s", a.Require, plural(a.Require, "approval", "approvals"), who),
			Require:  a.Require,
			From:     slices.Clone(a.From),
		})
	}
	for i, w := range r.Warnings {
		if !w.When.Match(p) {
			continue
		}
		msg := w.Reason
		if msg == "" {
			msg = w.When.Expr
		}
		out = append(out, plan.RuleVerdict{Decision: plan.Warn, Rule: fmt.Sprintf("warnings[%d] when %s", i, w.When.Expr), Message: msg})
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Describe renders a rule verdict on one line: "blocked by blackouts[0]
// year-end freeze: …", "needs approval by approvals[0] when deletes > 0: …",
// "warning by warnings[0] when changes > 20: …".
func Describe(rv plan.RuleVerdict) string {
	var verb string
	switch rv.Decision {
	case plan.Blocked:
		verb = "blocked by"
	case plan.NeedsApproval:
		verb = "needs approval by"
	case plan.Warn:
		verb = "warning by"
	default:
		verb = "allowed by"
	}
	if rv.Message == "" {
		return verb + " " + rv.Rule
	}
	return verb + " " + rv.Rule + ": " + rv.Message
}
