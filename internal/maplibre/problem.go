package maplibre

import (
	"fmt"
	"strings"
)

// Problem is one property or expression of a style that Honua's MapLibre
// normaliser would reject.
type Problem struct {
	// Path is an RFC 6901 JSON pointer into the style, for example
	// /layers/0/paint/fill-color/1/0. The empty string names the whole
	// style.
	Path string
	// Message says what is wrong and what is allowed.
	Message string
}

// String renders the problem as "path: message", or just the message
// when the problem concerns the whole style.
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Error makes a Problem usable as an error.
func (p Problem) Error() string { return p.String() }

// Problems is the error Normalise returns when a style would be rejected;
// it lists every problem in Check's order.
type Problems []Problem

// Error joins the problems, one a line.
func (ps Problems) Error() string {
	switch len(ps) {
	case 0:
		return "no problems"
	case 1:
		return "MapLibre style rejected: " + ps[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "MapLibre style rejected (%d problems):", len(ps))
	for _, p := range ps {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// collector accumulates problems in traversal order.
type collector struct{ problems []Problem }

func (c *collector) add(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}
