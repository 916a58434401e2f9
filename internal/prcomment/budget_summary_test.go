package prcomment

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Issue 9 item 11: every summary write of a step shares one budget.
func TestSummaryBudgetIsShared(t *testing.T) {
	b := NewSummaryBudget(1000)
	plan := "### plan\n\n<details><summary>x</summary>\n\n```diff\n" + strings.Repeat("+ /spec/a: 1\n", 100) + "```\n\n</details>\n"
	first := b.Take("# heading\n")
	second := b.Take(plan)
	third := b.Take("more\n")
	assert.Equal(t, "# heading\n", first)
	assert.LessOrEqual(t, len(first)+len(second), 1000)
	assert.Contains(t, second, "The job summary is full")
	assert.Equal(t, strings.Count(second, "<details>"), strings.Count(second, "</details>"), "blocks closed at the cut")
	assert.Equal(t, 0, strings.Count(second, "```")%2, "fence closed at the cut")
	assert.Empty(t, third, "nothing after the budget is spent")
}
