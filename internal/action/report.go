package action

import (
	"bytes"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// markdownPlan renders one plan for the job summary.
func markdownPlan(p *plan.Plan) string {
	var buf bytes.Buffer
	if err := render.Markdown(&buf, []*plan.Plan{p}, render.MarkdownOptions{}); err != nil {
		return ""
	}
	return buf.String()
}

// journalMarkdown renders what a deployment did on each target, with the
// one journal renderer `deployment <id> --format markdown` uses too.
func journalMarkdown(r *usecase.DeployReport) string {
	switch {
	case r == nil:
		return ""
	case r.NoChanges:
		return "Nothing to deploy.\n"
	case r.Deployment == nil:
		return ""
	}
	return render.JournalMarkdown(r.Deployment)
}
