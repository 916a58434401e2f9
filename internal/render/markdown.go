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
	sections := make([]mdSection, len(plans))
	for i, p := range plans {
		sections[i] = newMDSection(p)
	}
	out := assemble(head.String(), sections)
	if opts.MaxDetailBytes > 0 && len(out) > opts.MaxDetailBytes {
		fit(sections, head.Len(), opts.MaxDetailBytes)
		out = assemble(head.String(), sections)
	}
	_, err := io.WriteString(w, out)
	return err
}

// assemble joins the document head and the sections, ending in a single
// newline.
func assemble(head string, sections []mdSection) string {
	var b strings.Builder
	b.WriteString(head)
	for _, s := range sections {
		s.writeTo(&b)
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// mdTable is the counts table, one row per environment.
func mdTable(plans []*plan.Plan) string {
	var b strings.Builder
	b.WriteString("| Environment | Create | Update | Delete | Unchanged | Highest risk | Drift |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, p := range plans {
		s := p.Summary
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s | %s |\n",
			escapeMarkdown(p.Environment), s.Create, s.Update, s.Delete, s.Unchanged, riskCell(p.MaxRisk()), driftCell(p))
	}
	b.WriteString("\n")
	return b.String()
}

func riskCell(r plan.Risk) string {
	switch r {
	case "":
		return "—"
	case plan.High:
		return "⚠️ high"
	}
	return escapeMarkdown(string(r))
}

func driftCell(p *plan.Plan) string {
	switch {
	case len(p.Drift) > 0:
		return plural(len(p.Drift), "resource", "resources")
	case !p.LiveRead:
		return "not read"
	}
	return "none"
}

// mdSection is one environment's section: a head and a tail that are always
// written, and details blocks that are written while they fit.
type mdSection struct {
	head   string
	blocks []mdBlock
	tail   string
	// omitted counts the resources whose blocks were left out.
	omitted int
}

// mdBlock is a collapsible details block about some resources.
type mdBlock struct {
	text      string
	resources int
	keep      bool
}

func newMDSection(p *plan.Plan) mdSection {
	env := escapeMarkdown(p.Environment)
	var s mdSection
	s.head = "### " + env + "\n\n**" + summaryText(p, env) + "** Compared with " + recordedMarkdown(p.Recorded) + "\n\n"
	for _, c := range p.Changes {
		s.blocks = append(s.blocks, mdBlock{text: changeBlock(c), resources: 1, keep: true})
	}
	if len(p.Drift) > 0 {
		s.blocks = append(s.blocks, mdBlock{text: driftBlock(p.Drift), resources: len(p.Drift), keep: true})
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
	if len(p.Notes) > 0 {
		tail.WriteString("**Notes**\n\n")
		for _, n := range p.Notes {
			tail.WriteString("- " + escapeMarkdown(n) + "\n")
		}
		tail.WriteString("\n")
	}
	s.tail = tail.String()
	return s
}

func (s mdSection) writeTo(b *strings.Builder) {
	b.WriteString(s.head)
	for _, blk := range s.blocks {
		if blk.keep {
			b.WriteString(blk.text)
		}
	}
	if s.omitted > 0 {
		b.WriteString(omittedLine(s.omitted))
	}
	b.WriteString(s.tail)
}

// omittedLine says where the details that did not fit can be found.
func omittedLine(n int) string {
	return "_Details of " + plural(n, "more resource", "more resources") + " are in the job summary and the plan JSON artifact._\n\n"
}

// fit marks which details blocks fit in maxBytes, given the bytes already
// taken by the document head. Space is set aside first for everything that
// is always written (including each section's worst-case "left out" line);
// blocks are then kept in document order until one does not fit, and no
// block after it is kept.
func fit(sections []mdSection, headBytes, maxBytes int) {
	if maxBytes <= 0 {
		return
	}
	remaining := maxBytes - headBytes
	for _, s := range sections {
		total := 0
		for _, blk := range s.blocks {
			total += blk.resources
		}
		remaining -= len(s.head) + len(s.tail)
		if total > 0 {
			remaining -= len(omittedLine(total))
		}
	}
	full := false
	for i := range sections {
		s := &sections[i]
		for j := range s.blocks {
			blk := &s.blocks[j]
			if !full && len(blk.text) <= remaining {
				remaining -= len(blk.text)
				continue
			}
			full = true
			blk.keep = false
			s.omitted += blk.resources
		}
	}
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
