// Package diag holds diagnostics: problems found in user input, each with the
// file position it came from, what is wrong and how to fix it.
package diag

import (
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a file of the configuration repository. Line and Col
// are 1-based; zero means unknown.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// String renders the position as file:line:col, leaving out unknown parts.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
}

// Severity tells whether a diagnostic blocks the run.
type Severity int

const (
	// Error makes the input invalid.
	Error Severity = iota
	// Warning is reported but does not fail validation.
	Warning
	// Note is information about the run itself, such as checks that were
	// skipped; it is printed after every error and warning.
	Note
)

// String names the severity as it appears in output.
func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Note:
		return "note"
	}
	return "error"
}

// MarshalText writes the severity by name ("error", "warning", "note") so JSON
// output says what each problem is without a code table.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity written by MarshalText.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = Error
	case "warning":
		*s = Warning
	case "note":
		*s = Note
	default:
		return fmt.Errorf("unknown severity %q", b)
	}
	return nil
}

// Diagnostic is one problem with the input.
type Diagnostic struct {
	Pos      Pos      `json:"pos"`
	Severity Severity `json:"severity"`
	// Message says what is wrong, lowercase, without a final period.
	Message string `json:"message"`
	// Hint says how to fix it; optional.
	Hint string `json:"hint,omitempty"`
	// Parse marks an error that stops the file from being read at all
	// (syntax, encoding); such errors are printed before all others.
	Parse bool `json:"-"`
	// Skip, on a Note, describes checks skipped because files do not parse.
	Skip *Skip `json:"-"`
}

// String renders the diagnostic as "file:line:col: message (hint)".
func (d Diagnostic) String() string {
	if d.Skip != nil {
		return d.Skip.String()
	}
	var b strings.Builder
	if p := d.Pos.String(); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Message)
	if d.Hint != "" {
		b.WriteString(" (")
		b.WriteString(d.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// List collects diagnostics so a run reports every problem, not just the first.
type List []Diagnostic

// Addf appends an error at pos.
func (l *List) Addf(pos Pos, hint string, format string, args ...any) {
	*l = append(*l, Diagnostic{Pos: pos, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// Warnf appends a warning at pos.
func (l *List) Warnf(pos Pos, hint string, format string, args ...any) {
	*l = append(*l, Diagnostic{Pos: pos, Severity: Warning, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	return slices.ContainsFunc(l, func(d Diagnostic) bool { return d.Severity == Error })
}

// Errors returns only the error diagnostics.
func (l List) Errors() List {
	return slices.DeleteFunc(slices.Clone(l), func(d Diagnostic) bool { return d.Severity != Error })
}

// Error makes a list usable as an error value; it renders one diagnostic a line.
func (l List) Error() string {
	lines := make([]string, len(l))
	for i, d := range l {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}
