package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// MarkdownOptions configure the Markdown format.
type MarkdownOptions struct {
	// MaxDetailBytes caps the size of the document in bytes; 0 means
	// unlimited. Per-resource details blocks (and drift blocks) are added in
	// order until the next one would not fit; from then on none are added,
	// and each environment says how many resources' details were left out.
	// The heading, the counts table, summaries, hashes and notes are always
	// written in full, even when they alone exceed the cap.
	MaxDetailBytes int
}

// mdHeading opens every Markdown plan; PR comments are recognised by it.
const mdHeading = "## Honua plan"

// Markdown writes plans for a pull request comment or a job summary: a
// heading, a table of counts per environment, then per environment a
// section with its summary, one collapsible block per changed resource with
// the field changes as a diff, a collapsible drift block, and the plan
// hash. Anything taken from the plan is escaped for where it lands, and
// code blocks use a fence their content cannot close.
func Markdown(w io.Writer, plans []*plan.Plan, opts MarkdownOptions) error {
	if err := checkPlans(plans); err != nil {
		return err
	}
	var head strings.Builder
	head.WriteString(mdHeading + "\n\n")
	if len(plans) == 0 {
		head.WriteString("No environments were planned.\n\n")
	} else {
		head.WriteString(mdTable(plans))
	}
	sections := MarkdownSections(plans, 3)
	out := assemble(head.String(), JoinMarkdownSections(sections))
	if opts.MaxDetailBytes > 0 && len(out) > opts.MaxDetailBytes {
		out = assemble(head.String(), FitMarkdownSections(sections, opts.MaxDetailBytes-head.Len()))
	}
	_, err := io.WriteString(w, out)
	return err
}

// assemble joins the document head and the sections, ending in a single
// newline.
func assemble(head, sections string) string {
	return strings.TrimRight(head+sections, "\n") + "\n"
}

// mdTable is the counts table, one row per environment.
func mdTable(plans []*plan.Plan) string {
	var b strings.Builder
	policy := HasVerdict(plans)
	b.WriteString("| Environment | Create | Update | Delete | Unchanged | Highest risk | Drift |")
	if policy {
		b.WriteString(" Policy |")
	}
	b.WriteString("\n| --- | ---: | ---: | ---: | ---: | --- | --- |")
	if policy {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, p := range plans {
		s := p.Summary
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s | %s |",
			escapeMarkdown(p.Environment), s.Create, s.Update, s.Delete, s.Unchanged, RiskCell(p.MaxRisk()),
			DriftCell(p, func(n int) string { return plural(n, "resource", "resources") }))
		if policy {
			b.WriteString(" " + VerdictCell(p.Verdict) + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}

// RiskCell is a highest risk for a Markdown table cell: "—" for none, and
// a warning sign for high, so the risk that needs attention stands out.
func RiskCell(r plan.Risk) string {
	switch r {
	case "":
		return "—"
	case plan.High:
		return "⚠️ high"
	}
	return escapeMarkdown(string(r))
}

// DriftCell is a plan's drift for a Markdown table cell: drifted(n) when
// n resources drifted, "not read" when live state was not read, otherwise
// "none". drifted words the count, as each table has its own column head.
func DriftCell(p *plan.Plan, drifted func(n int) string) string {
	switch {
	case len(p.Drift) > 0:
		return drifted(len(p.Drift))
	case !p.LiveRead:
		return "not read"
	}
	return "none"
}

// MarkdownSection is one environment's section of the Markdown plan, in
// pieces, so that a document with a byte budget (a pull request comment)
// can keep as many details blocks as fit without parsing rendered text.
// The heading and Intro, and Tail, are always written; Blocks are written
// while they fit, in order, and OmittedLine stands in for those left out.
type MarkdownSection struct {
	// Level is the heading's level (3 for "###"). A caller nesting the
	// section under its own heading sets it on a copy: the pieces do not
	// depend on it.
	Level int
	// Title is the heading's text: the environment name, escaped.
	Title string
	// Intro is the summary line and the recorded state.
	Intro string
	// Policy is the policy verdict's block ("" without a verdict). It is
	// part of the head, so it is written whenever the section is: a
	// verdict is short and outlives every details block.
	Policy string
	// Blocks are the collapsible details blocks: one per change, then one
	// for drift.
	Blocks []MarkdownBlock
	// Tail is the drift line, the plan hash and the notes.
	Tail string
}

// Head is what opens the section: its heading, Intro and Policy.
func (s MarkdownSection) Head() string {
	return strings.Repeat("#", max(s.Level, 1)) + " " + s.Title + "\n\n" + s.Intro + s.Policy
}

// MarkdownBlock is a collapsible details block about some resources.
type MarkdownBlock struct {
	// Text is the block, ending in a blank line.
	Text string
	// Resources counts the resources the block is about, for OmittedLine.
	Resources int
}

// resources counts the resources of all of s's blocks.
func (s MarkdownSection) resources() int {
	n := 0
	for _, blk := range s.Blocks {
		n += blk.Resources
	}
	return n
}

// String is the section with every block.
func (s MarkdownSection) String() string {
	var b strings.Builder
	s.write(&b, len(s.Blocks))
	return b.String()
}

// write writes the section with its first kept blocks, and the omitted
// line for the others.
func (s MarkdownSection) write(b *strings.Builder, kept int) {
	b.WriteString(s.Head())
	omitted := 0
	for i, blk := range s.Blocks {
		if i < kept {
			b.WriteString(blk.Text)
		} else {
			omitted += blk.Resources
		}
	}
	if omitted > 0 {
		b.WriteString(OmittedLine(omitted))
	}
	b.WriteString(s.Tail)
}

// MarkdownSections returns one section per plan, as Markdown writes them,
// each headed at the given heading level (3 for "###", as in Markdown), so
// a caller can nest them under its own heading. No plan may be nil.
func MarkdownSections(plans []*plan.Plan, level int) []MarkdownSection {
	sections := make([]MarkdownSection, len(plans))
	for i, p := range plans {
		sections[i] = newMDSection(p)
		sections[i].Level = level
	}
	return sections
}

// JoinMarkdownSections is the sections with every block.
func JoinMarkdownSections(sections []MarkdownSection) string {
	var b strings.Builder
	for _, s := range sections {
		s.write(&b, len(s.Blocks))
	}
	return b.String()
}

// FitMarkdownSections writes the sections in maxBytes when it can, for a
// caller whose JoinMarkdownSections is too large. Space is set aside first for what is always written (heads, tails and each
// section's worst-case OmittedLine); blocks are then kept in document
// order until one does not fit, and no block after it is kept, so the
// details shown are a prefix of the plan. Heads and tails are written in
// full even when they alone exceed maxBytes: a caller that must stay
// within it checks the length.
func FitMarkdownSections(sections []MarkdownSection, maxBytes int) string {
	remaining := maxBytes
	for _, s := range sections {
		remaining -= len(s.Head()) + len(s.Tail)
		if n := s.resources(); n > 0 {
			remaining -= len(OmittedLine(n))
		}
	}
	var b strings.Builder
	full := false
	for _, s := range sections {
		kept := 0
		for _, blk := range s.Blocks {
			if full || len(blk.Text) > remaining {
				full = true
				break
			}
			remaining -= len(blk.Text)
			kept++
		}
		s.write(&b, kept)
	}
	return b.String()
}

func newMDSection(p *plan.Plan) MarkdownSection {
	env := escapeMarkdown(p.Environment)
	s := MarkdownSection{Title: env}
	s.Intro = "**" + summaryText(p, env) + "** Compared with " + recordedMarkdown(p.Recorded) + "\n\n"
	s.Policy = verdictMarkdown(p.Verdict)
	for _, c := range p.Changes {
		s.Blocks = append(s.Blocks, MarkdownBlock{Text: changeBlock(c), Resources: 1})
	}
	if len(p.Drift) > 0 {
		s.Blocks = append(s.Blocks, MarkdownBlock{Text: driftBlock(p.Drift), Resources: len(p.Drift)})
	}

	var tail strings.Builder
	switch {
	case len(p.Drift) > 0:
	case !p.LiveRead:
		tail.WriteString("_Live state was not read; use `--target` to include drift._\n\n")
	default:
		tail.WriteString("No drift: live state matches recorded state.\n\n")
	}
	tail.WriteString("Plan hash: " + codeSpan(p.Hash) + "\n\n")
	if len(p.Blocked) > 0 {
		tail.WriteString("**Blocked: the server cannot make these changes; apply refuses this target before any write**\n\n")
		for _, b := range p.Blocked {
			tail.WriteString("- " + codeSpan(b.Subject) + ": " + escapeMarkdown(b.Reason) + "\n")
		}
		tail.WriteString("\n")
	}
	if len(p.Notes) > 0 {
		tail.WriteString("**Notes**\n\n")
		for _, n := range p.Notes {
			tail.WriteString("- " + escapeMarkdown(n) + "\n")
		}
		tail.WriteString("\n")
	}
	s.Tail = tail.String()
	return s
}

// OmittedLine says where the details of n resources left out of a
// section can be found.
func OmittedLine(n int) string {
	return "_Details of " + plural(n, "more resource", "more resources") + " are in the job summary and the plan JSON artifact._\n\n"
}

// recordedMarkdown describes the recorded state a plan was computed
// against.
func recordedMarkdown(r plan.RecordedState) string {
	src := r.Source
	if src == "" {
		src = "unknown source"
	}
	switch {
	case r.Empty:
		return codeSpan(src) + " (nothing applied yet)."
	case r.Revision != "":
		return codeSpan(src) + " at " + codeSpan(shortRevision(r.Revision)) + "."
	}
	return codeSpan(src) + "."
}

// actionEmoji marks a resource's action in a details summary.
func actionEmoji(a plan.Action) string {
	switch a {
	case plan.Create:
		return "➕"
	case plan.Update:
		return "✏️"
	case plan.Delete:
		return "🗑️"
	}
	return "❔"
}

// changeBlock is the details block of one changed resource.
func changeBlock(c plan.Change) string {
	summary := actionEmoji(c.Action) + " <code>" + escapeHTML(c.Subject()) + "</code> — " + escapeHTML(string(c.Action)) + ", "
	if c.Risk == plan.High {
		summary += "⚠️ risk <b>high</b>"
		if len(c.Reasons) > 0 {
			summary += ": " + escapeHTML(strings.Join(c.Reasons, "; "))
		}
	} else {
		summary += "risk <b>" + escapeHTML(string(c.Risk)) + "</b>"
	}
	if c.RecordOnly {
		summary += " — record only: no target can hold it"
	}
	var body strings.Builder
	for _, fc := range c.Changes {
		writeDiffField(&body, fc)
	}
	if len(c.Changes) == 0 {
		body.WriteString("(no field changes)\n")
	}
	return detailsBlock(summary, body.String())
}

// driftBlock is the details block of an environment's drift.
func driftBlock(drift []plan.Drift) string {
	summary := "🔀 <b>Drift</b>: live state differs from recorded state (" + plural(len(drift), "resource", "resources") + ")"
	var body strings.Builder
	for _, d := range drift {
		_, words := driftWords(d.Type)
		body.WriteString("@@ " + sanitize(d.Subject()) + ": " + words + " @@\n")
		for _, fc := range d.Changes {
			writeDiffField(&body, fc)
		}
	}
	return detailsBlock(summary, body.String())
}

// writeDiffField writes one field change as diff lines: - for the old
// value, + for the new one (for a moved list element, its old and new
// position). Values are written whole (see formatPair): the fence scrolls.
func writeDiffField(b *strings.Builder, fc plan.FieldChange) {
	l := fieldDisplay(fc)
	switch l.Op {
	case plan.OpAdd:
		b.WriteString("+ " + l.Path + ": " + l.After + "\n")
	case plan.OpRemove:
		b.WriteString("- " + l.Path + ": " + l.Before + "\n")
	case plan.OpMove:
		b.WriteString("- " + l.Path + ": at position " + l.Before + "\n")
		b.WriteString("+ " + l.Path + ": moved to position " + l.After + "\n")
	default:
		b.WriteString("- " + l.Path + ": " + l.Before + "\n")
		b.WriteString("+ " + l.Path + ": " + l.After + "\n")
	}
}

// detailsBlock wraps a diff body in a collapsible block. summary is HTML
// and must already be escaped.
func detailsBlock(summary, body string) string {
	fence := codeFence(body)
	return "<details><summary>" + summary + "</summary>\n\n" +
		fence + "diff\n" + body + fence + "\n\n</details>\n\n"
}
