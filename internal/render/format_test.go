package render

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
)

func TestParseFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Format
		wantErr string
	}{
		{in: "text", want: FormatText},
		{in: "markdown", want: FormatMarkdown},
		{in: "json", want: FormatJSON},
		{in: "", wantErr: `unknown format "": use one of text, markdown, json`},
		{in: "JSON", wantErr: `unknown format "JSON": use one of text, markdown, json`},
		{in: "md", wantErr: `unknown format "md": use one of text, markdown, json`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFormat(tt.in)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.in, got.String())
		})
	}
}

func TestRenderDispatches(t *testing.T) {
	t.Parallel()
	plans := []*plan.Plan{stagingPlan(), noChangesPlan()}
	direct := func(f func(*bytes.Buffer) error) string {
		var buf bytes.Buffer
		require.NoError(t, f(&buf))
		return buf.String()
	}
	tests := []struct {
		format Format
		opts   RenderOptions
		want   string
	}{
		{FormatText, RenderOptions{}, direct(func(b *bytes.Buffer) error { return Text(b, plans, TextOptions{}) })},
		{FormatText, RenderOptions{Color: true}, direct(func(b *bytes.Buffer) error { return Text(b, plans, TextOptions{Color: true}) })},
		{FormatMarkdown, RenderOptions{MaxDetailBytes: 2000}, direct(func(b *bytes.Buffer) error {
			return Markdown(b, plans, MarkdownOptions{MaxDetailBytes: 2000})
		})},
		{FormatJSON, RenderOptions{Color: true}, direct(func(b *bytes.Buffer) error { return JSON(b, plans) })},
	}
	for _, tt := range tests {
		t.Run(tt.format.String(), func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, Render(&buf, plans, tt.format, tt.opts))
			assert.Equal(t, tt.want, buf.String())
		})
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		format  Format
		plans   []*plan.Plan
		wantErr string
	}{
		{"unknown format", Format("xml"), nil, `unknown format "xml": use one of text, markdown, json`},
		{"nil plan, text", FormatText, []*plan.Plan{devPlan(), nil}, "plan 2 of 2 is nil"},
		{"nil plan, markdown", FormatMarkdown, []*plan.Plan{nil}, "plan 1 of 1 is nil"},
		{"nil plan, json", FormatJSON, []*plan.Plan{nil}, "plan 1 of 1 is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.EqualError(t, Render(&buf, tt.plans, tt.format, RenderOptions{}), tt.wantErr)
			assert.Empty(t, buf.String(), "nothing is written on error")
		})
	}
}

// TestDeterministic renders plans whose values are maps (iterated in random
// order by Go) many times.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, format := range Formats() {
		t.Run(format.String(), func(t *testing.T) {
			t.Parallel()
			var first string
			for i := range 20 {
				var buf bytes.Buffer
				require.NoError(t, Render(&buf, []*plan.Plan{stagingPlan(), secretsPlan()}, format, RenderOptions{MaxDetailBytes: 3000}))
				if i == 0 {
					first = buf.String()
					continue
				}
				require.Equal(t, first, buf.String())
			}
		})
	}
}
