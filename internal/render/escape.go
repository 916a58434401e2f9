package render

import "strings"

// Escaping for text other packages write next to rendered plans (the PR
// comment's own table and messages), so that it is escaped exactly as the
// plan renderer escapes what it writes.

// Sanitize makes free text safe on one line: control characters, line
// separators and bidirectional formatting characters become \u escapes,
// invalid UTF-8 becomes \x escapes.
func Sanitize(s string) string { return sanitize(s) }

// SanitizeLines is Sanitize for a block of text printed as is, such as a
// file: each line is sanitized and the newlines between them are kept.
func SanitizeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = sanitize(strings.TrimSuffix(l, "\r"))
	}
	return strings.Join(lines, "\n")
}

// EscapeMarkdown makes text literal in Markdown outside code, on one line
// and in a table cell.
func EscapeMarkdown(s string) string { return escapeMarkdown(s) }

// EscapeHTML makes text literal inside raw HTML.
func EscapeHTML(s string) string { return escapeHTML(s) }

// CodeFence returns a backtick fence that content can never close.
func CodeFence(content string) string { return codeFence(content) }

// CodeSpan renders s as inline code that s cannot break out of.
func CodeSpan(s string) string { return codeSpan(s) }

// CodeCell is CodeSpan for a table cell, where GFM needs '|' escaped even
// inside code.
func CodeCell(s string) string { return strings.ReplaceAll(codeSpan(s), "|", `\|`) }

// MarkdownCell makes text literal in a table cell: EscapeMarkdown, which
// keeps it on one line and escapes '|'.
func MarkdownCell(s string) string { return escapeMarkdown(s) }
