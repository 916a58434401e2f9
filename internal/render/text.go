package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// TextOptions configure the text format.
type TextOptions struct {
	// Color enables ANSI colour: green creates, yellow updates, red deletes,
	// bold headers and dim field paths. Without it the output has no escape
	// codes at all.
	Color bool
	// Compact lists creates and deletes without their fields (updates keep
	// theirs): a first plan of a whole environment fits on a screen.
	Compact bool
}

// Text writes plans for a terminal, in the manner of `terraform plan`: per
// environment a header, each change with its field changes, drift, the
// summary line, the plan hash and notes. Plans are separated by a blank
// line.
func Text(w io.Writer, plans []*plan.Plan, opts TextOptions) error {
	if err := checkPlans(plans); err != nil {
		return err
	}
	var buf bytes.Buffer
	t := textWriter{buf: &buf, pen: pen{on: opts.Color}, compact: opts.Compact}
	if len(plans) == 0 {
		t.line("No environments to plan.")
	}
	for i, p := range plans {
		if i > 0 {
			t.line("")
		}
		t.plan(p)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Field lines are indented under their resource line.
const (
	changeIndent = "  "
	fieldIndent  = "      "
)

type textWriter struct {
	buf     *bytes.Buffer
	pen     pen
	compact bool
}

func (t textWriter) line(s string) {
	t.buf.WriteString(s)
	t.buf.WriteByte('\n')
}

func (t textWriter) plan(p *plan.Plan) {
	env := sanitize(p.Environment)
	t.line(t.pen.bold("Environment "+env) + " — recorded state: " + recordedText(p.Recorded))
	for _, c := range p.Changes {
		t.change(c)
	}
	if p.HasChanges() {
		t.line("")
	}
	switch {
	case len(p.Drift) > 0:
		t.line(t.pen.bold("Drift: live state differs from recorded state"))
		for _, d := range p.Drift {
			t.drift(d)
		}
		t.line("")
	case !p.LiveRead:
		t.line("Live state was not read; use --target to include drift.")
		t.line("")
	default:
		t.line("No drift: live state matches recorded state.")
		t.line("")
	}
	t.line(t.pen.bold(summaryText(p, env)))
	t.verdict(p.Verdict)
	t.line("Plan hash: " + sanitize(p.Hash))
	if len(p.Blocked) > 0 {
		t.line(t.pen.red("Blocked: the server cannot make these changes; apply refuses this target before any write:"))
		for _, b := range p.Blocked {
			t.line(changeIndent + "- " + sanitize(b.Subject) + ": " + sanitize(b.Reason))
		}
	}
	if len(p.Notes) > 0 {
		t.line("Notes:")
		for _, n := range p.Notes {
			t.line(changeIndent + "- " + sanitize(n))
		}
	}
}

func (t textWriter) change(c plan.Change) {
	risk := "risk " + sanitize(string(c.Risk))
	if c.Risk == plan.High && len(c.Reasons) > 0 {
		risk = t.pen.red(risk) + ": " + sanitize(strings.Join(c.Reasons, "; "))
	}
	sym := c.Action.Symbol()
	if c.RecordOnly {
		risk += "; record only: no target can hold it"
	}
	t.line(changeIndent + t.pen.action(sym) + " " + sanitize(c.Subject()) + " (" + sanitize(string(c.Action)) + ", " + risk + ")")
	if t.compact && c.Action != plan.Update {
		return
	}
	for _, fc := range c.Changes {
		t.field(fc)
	}
}

func (t textWriter) drift(d plan.Drift) {
	sym, what := driftWords(d.Type)
	if d.Observed {
		what += "; observed, not owned: never overwritten"
	}
	t.line(changeIndent + t.pen.action(sym) + " " + sanitize(d.Subject()) + " (" + what + ")")
	for _, fc := range d.Changes {
		t.field(fc)
	}
}

// wrapWidth is the width at which long values are wrapped in the terminal.
const wrapWidth = 100

func (t textWriter) field(fc plan.FieldChange) {
	l := fieldDisplay(fc)
	var value string
	switch l.Op {
	case plan.OpAdd:
		value = l.After
	case plan.OpRemove:
		value = l.Before
	case plan.OpMove:
		value = "moved from position " + l.Before + " to " + l.After
	default:
		value = l.Before + " → " + l.After
		if l.Masked != "" {
			value = l.Masked
		}
	}
	head := fieldIndent + t.pen.action(opSymbol(l.Op)) + " " + t.pen.dim(l.Path+":")
	if l.Op != plan.OpReplace || l.Masked != "" || utf8.RuneCountInString(value) <= maxValueRunes {
		t.line(head + " " + value)
		return
	}
	// A long replaced value: each side on its own lines, wrapped, so both
	// are read in full.
	t.line(head)
	for _, side := range []struct{ sym, text string }{{"-", l.Before}, {"+", l.After}} {
		for i, part := range wrapRunes(side.text, wrapWidth) {
			mark := " "
			if i == 0 {
				mark = t.pen.action(side.sym)
			}
			t.line(fieldIndent + "    " + mark + " " + part)
		}
	}
}

// FieldText renders one field change as the terminal plan does (without
// colour, indented as under a resource), for other commands that list
// field changes — drift — so that every terminal shows them one way.
func FieldText(fc plan.FieldChange) string {
	var buf bytes.Buffer
	textWriter{buf: &buf}.field(fc)
	return strings.TrimSuffix(buf.String(), "\n")
}

// opSymbol is the marker of a field operation.
func opSymbol(op plan.Op) string {
	switch op {
	case plan.OpAdd:
		return plan.Create.Symbol()
	case plan.OpRemove:
		return plan.Delete.Symbol()
	case plan.OpMove:
		return "↕"
	}
	return plan.Update.Symbol()
}

// driftWords returns the marker and the explanation of a drift type. The
// markers read from recorded to live state: + is on the server only, - is
// gone from it, ~ differs.
func driftWords(t plan.DriftType) (symbol, words string) {
	switch t {
	case plan.Missing:
		return "-", "missing from the server"
	case plan.Unmanaged:
		return "+", "already on the server but not recorded; apply takes it over"
	case plan.SpecDrift:
		return "~", "changed on the server since it was applied"
	}
	return "~", sanitize(string(t))
}

// recordedText describes the recorded state a plan was computed against.
func recordedText(r plan.RecordedState) string {
	src := sanitize(r.Source)
	if src == "" {
		src = "unknown source"
	}
	switch {
	case r.Empty:
		return src + " (nothing applied yet)"
	case r.Revision != "":
		return src + " (" + sanitize(shortRevision(r.Revision)) + ")"
	}
	return src
}

// summaryText is the plan's one-line summary, the same in every format;
// env is the environment name, already escaped for the format.
func summaryText(p *plan.Plan, env string) string {
	s := p.Summary
	if !p.HasChanges() {
		return fmt.Sprintf("No changes. %s matches recorded state (%s).", env, plural(s.Unchanged, "resource", "resources"))
	}
	line := fmt.Sprintf("Plan: %d to create, %d to update, %d to delete, %d unchanged.", s.Create, s.Update, s.Delete, s.Unchanged)
	if n := recordOnly(p); n > 0 {
		line += fmt.Sprintf(" %s only recorded: no target can hold them.", plural(n, "change is", "changes are"))
	}
	return line
}

// recordOnly counts the changes no target can hold.
func recordOnly(p *plan.Plan) int {
	n := 0
	for _, c := range p.Changes {
		if c.RecordOnly {
			n++
		}
	}
	return n
}

// pen adds ANSI colour when on, and nothing otherwise.
type pen struct{ on bool }

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

func (p pen) paint(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (p pen) bold(s string) string { return p.paint(ansiBold, s) }
func (p pen) dim(s string) string  { return p.paint(ansiDim, s) }
func (p pen) red(s string) string  { return p.paint(ansiRed, s) }

// action colours a +, ~ or - marker.
func (p pen) action(symbol string) string {
	switch symbol {
	case "+":
		return p.paint(ansiGreen, symbol)
	case "-":
		return p.paint(ansiRed, symbol)
	case "~":
		return p.paint(ansiYellow, symbol)
	}
	return symbol
}
