package render

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/plan"
)

func journalOf(name, message string) *deploy.Deployment {
	return &deploy.Deployment{ID: "20261129T120000000Z-aaaaaa", Kind: deploy.KindApply, Status: deploy.Failed,
		Targets: []deploy.TargetResult{{Name: "prod", URL: "https://gis.example.org", Results: []apply.Result{
			{Action: plan.Create, Kind: "Layer", Namespace: "planning", Name: name, Status: apply.Failed, Message: message},
		}, Problems: []string{message}}}}
}

// breakouts checks the Markdown a journal renders to: outside code spans
// nothing can start HTML, a mention, a link, an image or emphasis, and
// every table row has its four cells.
func breakouts(md string) []string {
	var bad []string
	for _, line := range strings.Split(md, "\n") {
		rest := line
		cells := 0
		for i := 0; i < len(rest); i++ {
			c := rest[i]
			switch {
			case c == '\\':
				i++ // an escaped character
			case c == '`':
				n := 1
				for i+n < len(rest) && rest[i+n] == '`' {
					n++
				}
				fence := strings.Repeat("`", n)
				end := strings.Index(rest[i+n:], fence)
				if end < 0 {
					bad = append(bad, "unclosed code span: "+line)
					i = len(rest)
					continue
				}
				i += n + end + n - 1
			case c == '|':
				cells++
			case c == '*' && i+1 < len(rest) && rest[i+1] == '*':
				// The renderer's own bold, outside code: a user's '*' is
				// always escaped, so "**" here only comes from the renderer.
				i++
			case strings.IndexByte("<@[!*_", c) >= 0:
				bad = append(bad, "unescaped "+string(c)+": "+line)
			}
		}
		if strings.HasPrefix(line, "| ") && cells != 5 {
			bad = append(bad, "row with the wrong number of cells: "+line)
		}
	}
	return bad
}

func TestJournalMarkdownEscapesEverything(t *testing.T) {
	hostile := "x`@octocat`<details><!--"
	md := JournalMarkdown(journalOf(hostile, "<img src=x onerror=alert(1)> @team | *bold* [link](https://evil)\nsecond line"))
	assert.Empty(t, breakouts(md), md)
	// Inside a code span <details> and <!-- are literal text.
	assert.Contains(t, md, "| ❌ failed | create | ``Layer/planning/x`@octocat`<details><!--`` |")
	lines := strings.Count(md, "\n")
	assert.Equal(t, lines, strings.Count(JournalMarkdown(journalOf("plain", "plain")), "\n"), "a newline in a message adds no line")
}

func FuzzJournalMarkdown(f *testing.F) {
	for _, s := range []string{"x`@octocat`<details><!--", "a|b", "``", "\n\n", "<script>", "@team", "![x](y)", "***", "\\`|", "`**"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, name, message string) {
		md := JournalMarkdown(journalOf(name, message))
		require.Empty(t, breakouts(md), "name %q message %q:\n%s", name, message, md)
	})
}
