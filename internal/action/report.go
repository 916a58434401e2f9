package action

import (
	"bytes"
	"fmt"
	"strings"

	engine "github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/prcomment"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

func statusEmoji(s prcomment.Status) string {
	switch s {
	case prcomment.Applied:
		return "🚀"
	case prcomment.NoChanges:
		return "✅"
	case prcomment.Refused:
		return "⛔"
	case prcomment.Failed:
		return "❌"
	}
	return "📝"
}

// markdownPlan renders one plan for the job summary.
func markdownPlan(p *plan.Plan) string {
	var buf bytes.Buffer
	if err := render.Markdown(&buf, []*plan.Plan{p}, render.MarkdownOptions{}); err != nil {
		return ""
	}
	return buf.String()
}

// journalMarkdown renders what a deployment did on each target.
func journalMarkdown(r *usecase.DeployReport) string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	if d := r.Deployment; d != nil {
		fmt.Fprintf(&b, "Deployment `%s` (%s) — **%s**", d.ID, d.Kind, d.Status)
		if d.RollbackTo != "" {
			fmt.Fprintf(&b, ", returning to `%s`", d.RollbackTo)
		}
		b.WriteString("\n\n")
	}
	if r.NoChanges {
		b.WriteString("Nothing to deploy.\n")
		return b.String()
	}
	for _, t := range r.Targets {
		fmt.Fprintf(&b, "**%s** (%s)\n\n", escapeCell(t.Name), escapeCell(t.URL))
		if t.Outcome == nil {
			fmt.Fprintf(&b, "Not applied: %s\n\n", escapeCell(t.Error))
			continue
		}
		b.WriteString("| Result | Action | Resource | Note |\n| --- | --- | --- | --- |\n")
		for _, res := range t.Outcome.Results {
			fmt.Fprintf(&b, "| %s | %s | `%s/%s/%s` | %s |\n", resultWord(res.Status), res.Action, res.Kind, res.Namespace, res.Name, escapeCell(res.Message))
		}
		for _, p := range t.Outcome.Problems {
			fmt.Fprintf(&b, "\nProblem: %s\n", escapeCell(p))
		}
		c := t.Outcome.Counts()
		fmt.Fprintf(&b, "\n%d applied, %d failed, %d skipped.\n\n", c[engine.Applied], c[engine.Failed], c[engine.Skipped])
	}
	return b.String()
}

func resultWord(s engine.Status) string {
	switch s {
	case engine.Applied:
		return "✅ applied"
	case engine.Failed:
		return "❌ failed"
	case engine.Planned:
		return "· planned"
	}
	return "⏭️ skipped"
}

func escapeCell(s string) string {
	r := strings.NewReplacer("|", "\\|", "\n", " ", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
