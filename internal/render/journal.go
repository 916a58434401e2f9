package render

import (
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
)

// JournalMarkdown renders what a deployment did on each target as the PR
// comment and the job summary show it (and `deployment <id> --format
// markdown`, so it can be checked without GitHub). Every string that came
// from a file or a server — names, namespaces, URLs, messages — goes
// through CodeCell or MarkdownCell: none can open HTML, mention anyone or
// break the table.
func JournalMarkdown(d *deploy.Deployment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Deployment %s (%s) — **%s**", CodeSpan(d.ID), MarkdownCell(string(d.Kind)), MarkdownCell(string(d.Status)))
	if d.RollbackTo != "" {
		fmt.Fprintf(&b, ", returning to %s", CodeSpan(d.RollbackTo))
	}
	b.WriteString("\n\n")
	for _, t := range d.Targets {
		if t.Generation != "" {
			fmt.Fprintf(&b, "**%s** (%s, %s)\n\n", MarkdownCell(t.Name), MarkdownCell(t.URL), MarkdownCell(t.Generation))
		} else {
			fmt.Fprintf(&b, "**%s** (%s)\n\n", MarkdownCell(t.Name), MarkdownCell(t.URL))
		}
		if t.Error != "" && len(t.Results) == 0 {
			fmt.Fprintf(&b, "Not applied: %s\n\n", MarkdownCell(t.Error))
			continue
		}
		writeResults(&b, t.Results)
		for _, p := range t.Problems {
			fmt.Fprintf(&b, "\nProblem: %s\n", MarkdownCell(p))
		}
		if len(t.RolledBack) > 0 {
			b.WriteString("\nRolled back:\n\n")
			writeResults(&b, t.RolledBack)
		}
		c := counts(t.Results)
		fmt.Fprintf(&b, "\n%d applied, %d failed, %d skipped.\n\n", c[apply.Applied], c[apply.Failed], c[apply.Skipped])
	}
	return b.String()
}

func writeResults(b *strings.Builder, results []apply.Result) {
	b.WriteString("| Result | Action | Resource | Note |\n| --- | --- | --- | --- |\n")
	for _, r := range results {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", resultWord(r.Status), MarkdownCell(string(r.Action)), CodeCell(r.ID().String()), MarkdownCell(r.Message))
	}
}

func counts(results []apply.Result) map[apply.Status]int {
	m := map[apply.Status]int{}
	for _, r := range results {
		m[r.Status]++
	}
	return m
}

func resultWord(s apply.Status) string {
	switch s {
	case apply.Applied:
		return "✅ applied"
	case apply.Failed:
		return "❌ failed"
	case apply.Planned:
		return "· planned"
	}
	return "⏭️ skipped"
}
