package render

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// The sections are the pieces Markdown writes: joined after Markdown's
// head they are its output, fitted they are its capped output.
func TestMarkdownSectionsAreMarkdownsPieces(t *testing.T) {
	t.Parallel()
	plans := []*plan.Plan{stagingPlan(), bigPlan("production", 40), noChangesPlan()}
	full := renderMarkdown(t, plans, 0)
	head := full[:strings.Index(full, "\n### ")+1]

	sections := MarkdownSections(plans, 3)
	assert.Equal(t, full, strings.TrimRight(head+JoinMarkdownSections(sections), "\n")+"\n")
	for _, maxBytes := range []int{len(full) / 2, len(full) / 4, 10} {
		capped := renderMarkdown(t, plans, maxBytes)
		assert.Equal(t, capped, strings.TrimRight(head+FitMarkdownSections(sections, maxBytes-len(head)), "\n")+"\n", "cap %d", maxBytes)
	}
}

func TestMarkdownSectionsLevelAndFit(t *testing.T) {
	t.Parallel()
	sections := MarkdownSections([]*plan.Plan{bigPlan("production", 40)}, 4)
	assert.True(t, strings.HasPrefix(sections[0].String(), "#### production\n\n"))

	all := JoinMarkdownSections(sections)
	fixed := len(sections[0].Head()) + len(sections[0].Tail) + len(OmittedLine(40))
	budget := fixed + len(sections[0].Blocks[0].Text) + len(sections[0].Blocks[1].Text)
	got := FitMarkdownSections(sections, budget)
	assert.LessOrEqual(t, len(got), budget)
	assert.Less(t, len(got), len(all))
	assert.Contains(t, got, sections[0].Blocks[1].Text)
	assert.NotContains(t, got, sections[0].Blocks[2].Text)
	assert.Contains(t, got, OmittedLine(38))
	assert.True(t, strings.HasSuffix(got, sections[0].Tail))
}
