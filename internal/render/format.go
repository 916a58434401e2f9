// Package render turns plans into text for people and machines: a terminal
// rendering (Text), a PR comment or job summary (Markdown) and the plan's
// JSON form (JSON). Every renderer reads the same plan.Plan structs, masks
// sensitive values the same way and is deterministic.
package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// Format names an output format.
type Format string

// Output formats.
const (
	FormatText     Format = "text"
	FormatMarkdown Format = "markdown"
	FormatJSON     Format = "json"
)

// Formats lists the valid formats in the order help text shows them.
func Formats() []Format { return []Format{FormatText, FormatMarkdown, FormatJSON} }

// String returns the format's name.
func (f Format) String() string { return string(f) }

// ParseFormat parses a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if s == string(f) {
			return f, nil
		}
	}
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown format %q: use one of %s", s, strings.Join(names, ", "))
}

// RenderOptions are the options of every format; each format uses the ones
// that apply to it.
type RenderOptions struct {
	// Color enables ANSI colour in the text format.
	Color bool
	// MaxDetailBytes caps the size of the Markdown format (see
	// MarkdownOptions); 0 means unlimited.
	MaxDetailBytes int
	// Compact shortens the text format (see TextOptions).
	Compact bool
}

// Render writes plans in the given format.
func Render(w io.Writer, plans []*plan.Plan, format Format, opts RenderOptions) error {
	switch format {
	case FormatText:
		return Text(w, plans, TextOptions{Color: opts.Color, Compact: opts.Compact})
	case FormatMarkdown:
		return Markdown(w, plans, MarkdownOptions{MaxDetailBytes: opts.MaxDetailBytes})
	case FormatJSON:
		return JSON(w, plans)
	}
	_, err := ParseFormat(string(format))
	return err
}
