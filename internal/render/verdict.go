package render

import (
	"strconv"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// Renderings of a plan's policy verdict. A plan without a verdict (no
// policy was evaluated) renders exactly as before: no Policy line, block
// or column.

// DecisionWord is a decision for people: "allowed", "warn", "needs
// approval", "blocked"; an unknown decision is sanitized as is.
func DecisionWord(d plan.Decision) string {
	switch d {
	case plan.Allowed:
		return "allowed"
	case plan.Warn:
		return "warn"
	case plan.NeedsApproval:
		return "needs approval"
	case plan.Blocked:
		return "blocked"
	}
	return sanitize(string(d))
}

// decisionEmoji marks a decision in Markdown.
func decisionEmoji(d plan.Decision) string {
	switch d {
	case plan.Allowed:
		return "✅"
	case plan.Warn:
		return "⚠️"
	case plan.NeedsApproval:
		return "🔐"
	case plan.Blocked:
		return "⛔"
	}
	return "❔"
}

// HasVerdict reports whether any plan carries a policy verdict: tables get
// a Policy column only then, so that output without policies is unchanged.
func HasVerdict(plans []*plan.Plan) bool {
	for _, p := range plans {
		if p != nil && p.Verdict != nil {
			return true
		}
	}
	return false
}

// VerdictCell is a verdict for a Markdown table cell: "✅ allowed",
// "⚠️ warn", "🔐 needs approval (2)" (the most approvals any rule asks
// for), "⛔ blocked"; "—" without a verdict.
func VerdictCell(v *plan.Verdict) string {
	if v == nil {
		return "—"
	}
	s := decisionEmoji(v.Decision) + " " + escapeMarkdown(DecisionWord(v.Decision))
	if v.Decision == plan.NeedsApproval {
		if n := approvalsNeeded(v); n > 0 {
			s += " (" + strconv.Itoa(n) + ")"
		}
	}
	return s
}

// approvalsNeeded is the most approvals any of v's approval rules asks
// for (at least 1 per rule), 0 without approval rules.
func approvalsNeeded(v *plan.Verdict) int {
	n := 0
	for _, r := range v.Approvals() {
		n = max(n, r.Require, 1)
	}
	return n
}

// approvalsText says who must approve, unescaped: "2 approvals from
// team:org/slug, user:alice", or "1 approval from anyone with write
// access".
func approvalsText(r plan.RuleVerdict) string {
	n := max(r.Require, 1)
	s := plural(n, "approval", "approvals") + " from "
	if len(r.From) == 0 {
		return s + "anyone with write access"
	}
	return s + strings.Join(r.From, ", ")
}

// nextOpenText is when applying is next allowed, in the zone the policy
// evaluation gave it.
func nextOpenText(t time.Time) string { return t.Format(time.RFC3339) }

// ruleDetail is what a rule says after its name, unescaped: its message,
// then who must approve and when applying next opens unless the message
// already says so (the policy evaluation's messages do), joined by "; ".
func ruleDetail(r plan.RuleVerdict) string {
	var parts []string
	m := strings.TrimSpace(r.Message)
	if m != "" {
		parts = append(parts, m)
	}
	if (r.Decision == plan.NeedsApproval || r.Require > 0 || len(r.From) > 0) && !strings.Contains(m, "approval") {
		parts = append(parts, approvalsText(r))
	}
	if !r.NextOpen.IsZero() && !strings.Contains(m, "next opens") {
		parts = append(parts, "next opens "+nextOpenText(r.NextOpen))
	}
	return strings.Join(parts, "; ")
}

// ruleLine is a rule on one line, unescaped: "rule: detail".
func ruleLine(r plan.RuleVerdict) string {
	d := ruleDetail(r)
	switch {
	case r.Rule == "":
		return d
	case d == "":
		return r.Rule
	}
	return r.Rule + ": " + d
}

// decisionColor colours a decision word as the terminal colours changes:
// green allowed, yellow warn and needs approval, red blocked.
func (p pen) decision(d plan.Decision, s string) string {
	switch d {
	case plan.Allowed:
		return p.paint(ansiGreen, s)
	case plan.Warn, plan.NeedsApproval:
		return p.paint(ansiYellow, s)
	case plan.Blocked:
		return p.paint(ansiRed, s)
	}
	return s
}

// verdict writes the Policy line, and with several rules one indented
// line per rule. Rule text comes from a repository file: it is sanitized.
func (t textWriter) verdict(v *plan.Verdict) {
	if v == nil {
		return
	}
	head := "Policy: " + t.pen.decision(v.Decision, DecisionWord(v.Decision))
	if len(v.Rules) == 1 {
		t.line(head + " — " + sanitize(ruleLine(v.Rules[0])))
		return
	}
	if v.Risk != "" {
		head += " (risk " + sanitize(string(v.Risk)) + ")"
	}
	t.line(head)
	for _, r := range v.Rules {
		t.line(changeIndent + "- " + t.pen.decision(r.Decision, DecisionWord(r.Decision)) + ": " + sanitize(ruleLine(r)))
	}
}

// verdictMarkdown is the Policy block of an environment's section, ""
// without a verdict: the decision, the risk and the policy file, then one
// list item per rule with its decision, name, message, approvers and next
// opening time.
func verdictMarkdown(v *plan.Verdict) string {
	if v == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("**Policy: " + decisionEmoji(v.Decision) + " " + escapeMarkdown(DecisionWord(v.Decision)) + "**")
	var about []string
	if v.Risk != "" {
		about = append(about, "risk "+escapeMarkdown(string(v.Risk)))
	}
	if v.Policy != "" {
		about = append(about, "from "+codeSpan(v.Policy))
	}
	if len(about) > 0 {
		b.WriteString(" (" + strings.Join(about, ", ") + ")")
	}
	b.WriteString("\n\n")
	if len(v.Rules) == 0 {
		return b.String()
	}
	for _, r := range v.Rules {
		b.WriteString("- " + decisionEmoji(r.Decision) + " **" + escapeMarkdown(DecisionWord(r.Decision)) + "**")
		if r.Rule != "" {
			b.WriteString(" — " + escapeMarkdown(r.Rule))
		}
		if d := ruleDetail(r); d != "" {
			b.WriteString(": " + escapeMarkdown(d))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}

// PolicyMarkdown is the Policy block of p's section ("" without a
// verdict), for a document that keeps verdicts when it has no room for
// the sections.
func PolicyMarkdown(p *plan.Plan) string { return verdictMarkdown(p.Verdict) }
