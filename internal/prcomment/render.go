package prcomment

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/render"
)

// Size limits.
const (
	// DefaultMaxBytes is the comment budget when Options.MaxBytes is 0:
	// well under GitHub's 65,536-character limit, counted in bytes.
	DefaultMaxBytes = 60000
	// GitHubMaxBytes is GitHub's comment limit; larger budgets are lowered
	// to it. Bytes are never fewer than characters, so it is always safe.
	GitHubMaxBytes = 65536
	// MaxSummaryBytes caps the job summary, under GitHub's 1 MiB per step.
	MaxSummaryBytes = 1000000
	// maxMessageRunes caps a status message, in the marker and the table.
	maxMessageRunes = 300
	// maxFooterEnvs is how many environments the footer names.
	maxFooterEnvs = 10
)

// Input is everything one rendering of the comment shows.
type Input struct {
	// Marker is the record to embed. Render completes a copy of it: for
	// every plan whose environment has no hash, state revision or status
	// yet, they are taken from the plan (status planned, or no-changes
	// when the plan changes nothing).
	Marker Marker
	// Plans holds one plan per environment planned. It may be empty for
	// lifecycle-only updates, where Marker carries the statuses.
	Plans []*plan.Plan
	// Invalid holds the rendered validation problems when the
	// configuration is invalid; they are shown, as plain text, instead of
	// plans.
	Invalid string
	// RunURL links to the workflow run (http or https only).
	RunURL string
	// ArtifactName names the uploaded plan JSON artifact.
	ArtifactName string
	// Applying maps an environment to lifecycle text shown in its status
	// cell, e.g. "applying to 2 targets…" (plain text, escaped here).
	Applying map[string]string
	// Results maps an environment to a Markdown block saying what was
	// applied. It is trusted Markdown: its builder escapes what it takes
	// from plans and journals. Secret placeholders are still redacted.
	Results map[string]string
	// ReadOnly says the comment cannot be written (a fork's pull request
	// or a read-only token) and the body goes to the job summary instead.
	ReadOnly bool
}

// Options tune Render.
type Options struct {
	// MaxBytes is the comment budget in bytes; 0 means DefaultMaxBytes,
	// and more than GitHubMaxBytes means GitHubMaxBytes.
	MaxBytes int
}

// Rendered is the comment and the job summary.
type Rendered struct {
	// Body is the comment, at most MaxBytes bytes whatever the plan size.
	Body string
	// Summary is the job summary: the full plan details, capped at
	// MaxSummaryBytes with a note when even that is exceeded.
	Summary string
	// Truncated reports that something (plan details, results, validation
	// problems or table rows) was left out of Body; the job summary and
	// the plan artifact have it.
	Truncated bool
	// SummaryTruncated reports that Summary was cut at MaxSummaryBytes.
	SummaryTruncated bool
	// Marker is the completed marker embedded in Body.
	Marker Marker
}

// Render builds the comment body and the job summary. It fails only on a
// nil plan or when the marker and heading alone exceed the budget (a
// budget of a few hundred bytes, or hundreds of environments); a large
// plan never makes it fail.
func Render(in Input, opts Options) (Rendered, error) {
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	maxBytes = min(maxBytes, GitHubMaxBytes)
	for i, p := range in.Plans {
		if p == nil {
			return Rendered{}, fmt.Errorf("prcomment: plan %d of %d is nil", i+1, len(in.Plans))
		}
	}

	d := newDoc(in)
	if in.Invalid == "" && len(in.Plans) > 0 {
		// The summary nests the sections under its "##" heading, the
		// comment under its "###" one.
		d.sections = redactSections(render.MarkdownSections(in.Plans, 3))
		d.details = render.JoinMarkdownSections(d.sections)
	}

	body, truncated, err := d.body(maxBytes)
	if err != nil {
		return Rendered{}, err
	}
	summary, summaryCut := d.summary()
	return Rendered{Body: body, Summary: summary, Truncated: truncated, SummaryTruncated: summaryCut, Marker: d.marker}, nil
}

// doc holds the parts of one rendering, built once and assembled into the
// body and the summary.
type doc struct {
	in     Input
	marker Marker
	rows   []row
	// sections are the plans' sections of render.Markdown, with secret
	// references redacted, at heading level 3; the comment shows them a
	// level lower.
	sections []render.MarkdownSection
	// details is the uncapped plan details at heading level 3, for the
	// job summary.
	details string
	runURL  string
}

// row is one environment's line of the lifecycle table.
type row struct {
	env   string
	state EnvState
	plan  *plan.Plan
}

func newDoc(in Input) *doc {
	d := &doc{in: in, runURL: safeURL(in.RunURL)}
	d.marker, d.rows = completeMarker(in)
	return d
}

// completeMarker copies in.Marker, fills in what the plans say, bounds
// messages and orders the environments: plans' order first, then the
// marker's other environments by name.
func completeMarker(in Input) (Marker, []row) {
	m := in.Marker
	if m.Version == 0 {
		m.Version = MarkerVersion
	}
	m.HeadSHA = redactSecretRefs(m.HeadSHA)
	m.Supersedes = redactSecretRefs(m.Supersedes)
	m.Envs = make(map[string]EnvState, len(in.Marker.Envs)+len(in.Plans))
	for env, st := range in.Marker.Envs {
		m.Envs[env] = st
	}

	var order []string
	plans := map[string]*plan.Plan{}
	for _, p := range in.Plans {
		if _, dup := plans[p.Environment]; dup {
			continue
		}
		plans[p.Environment] = p
		order = append(order, p.Environment)
	}
	var others []string
	for env := range m.Envs {
		if _, ok := plans[env]; !ok {
			others = append(others, env)
		}
	}
	sort.Strings(others)
	order = append(order, others...)

	rows := make([]row, 0, len(order))
	for _, env := range order {
		st := m.Envs[env]
		p := plans[env]
		if p != nil {
			if st.Hash == "" {
				st.Hash = p.Hash
			}
			if st.StateRevision == "" {
				st.StateRevision = p.Recorded.Revision
			}
		}
		if st.Status == "" {
			switch {
			case in.Invalid != "":
				st.Status = Invalid
			case p != nil && !p.HasChanges():
				st.Status = NoChanges
			default:
				st.Status = Planned
			}
		}
		st.Hash = redactSecretRefs(st.Hash)
		st.StateRevision = redactSecretRefs(st.StateRevision)
		st.DeploymentID = redactSecretRefs(st.DeploymentID)
		st.Message = render.Truncate(redactSecretRefs(st.Message), maxMessageRunes)
		m.Envs[env] = st
		rows = append(rows, row{env: env, state: st, plan: p})
	}
	return m, rows
}

// redactSections replaces secret references in every piece of sections
// with plan.Sensitive. A reference never spans pieces (they end in a
// newline, where a reference ends too), so this is the same as redacting
// the whole text.
func redactSections(sections []render.MarkdownSection) []render.MarkdownSection {
	for i, s := range sections {
		s.Title = redactSecretRefs(s.Title)
		s.Intro = redactSecretRefs(s.Intro)
		s.Policy = redactSecretRefs(s.Policy)
		s.Tail = redactSecretRefs(s.Tail)
		blocks := make([]render.MarkdownBlock, len(s.Blocks))
		for j, blk := range s.Blocks {
			blk.Text = redactSecretRefs(blk.Text)
			blocks[j] = blk
		}
		s.Blocks = blocks
		sections[i] = s
	}
	return sections
}

// commentSections is d.sections one heading level lower, under the
// comment's own "###" heading.
func (d *doc) commentSections() []render.MarkdownSection {
	out := make([]render.MarkdownSection, len(d.sections))
	for i, s := range d.sections {
		s.Level = 4
		out[i] = s
	}
	return out
}

// heading is the title, and the line about the superseded plan.
func (d *doc) heading(level string) string {
	var b strings.Builder
	b.WriteString(level + " Honua plan")
	if d.marker.HeadSHA != "" {
		b.WriteString(" for " + render.EscapeMarkdown(render.ShortSHA(d.marker.HeadSHA)))
	}
	b.WriteString("\n\n")
	if d.marker.Supersedes != "" {
		b.WriteString("Supersedes the plan for " + render.CodeSpan(render.ShortSHA(d.marker.Supersedes)) + ".\n\n")
	}
	return b.String()
}

// readOnlyNote says where the body goes when no comment can be written.
func (d *doc) readOnlyNote() string {
	if !d.in.ReadOnly {
		return ""
	}
	return "> [!NOTE]\n> This pull request comes from a fork or the workflow token is read-only, so the plan is shown in the job summary instead of a pull request comment.\n\n"
}

const tableHead = "| Environment | Status | Changes | Highest risk | Drift | Plan hash |\n| --- | --- | --- | --- | --- | --- |\n"

// policyTableHead is tableHead with a Policy column, for comments where a
// plan has a policy verdict.
const policyTableHead = "| Environment | Status | Changes | Highest risk | Drift | Policy | Plan hash |\n| --- | --- | --- | --- | --- | --- | --- |\n"

// hasPolicy reports whether the table has a Policy column: only when a
// plan has a verdict, so comments without policies are unchanged.
func (d *doc) hasPolicy() bool { return render.HasVerdict(d.in.Plans) }

// tableHead is the lifecycle table's head.
func (d *doc) tableHead() string {
	if d.hasPolicy() {
		return policyTableHead
	}
	return tableHead
}

// tableRow is one row of the lifecycle table.
func (d *doc) tableRow(r row) string {
	changes, risk, drift := "—", "—", "—"
	if p := r.plan; p != nil {
		s := p.Summary
		changes = fmt.Sprintf("+%d \\~%d -%d", s.Create, s.Update, s.Delete)
		risk = render.RiskCell(p.MaxRisk())
		drift = render.DriftCell(p, func(n int) string { return fmt.Sprintf("%d drifted", n) })
	}
	hash := "—"
	if r.state.Hash != "" {
		hash = cellCode(render.ShortHash(r.state.Hash))
		if r.plan != nil && r.plan.Hash != "" && r.plan.Hash != r.state.Hash {
			hash += " → " + cellCode(render.ShortHash(r.plan.Hash))
		}
	} else if r.plan != nil && r.plan.Hash != "" {
		hash = cellCode(render.ShortHash(r.plan.Hash))
	}
	policy := ""
	if d.hasPolicy() {
		var v *plan.Verdict
		if r.plan != nil {
			v = r.plan.Verdict
		}
		policy = render.VerdictCell(v) + " | "
	}
	return "| " + render.EscapeMarkdown(r.env) + " | " + d.statusCell(r) + " | " + changes + " | " + risk + " | " + drift + " | " + policy + hash + " |\n"
}

// statusCell is the emoji, the word and what goes with them.
func (d *doc) statusCell(r row) string {
	st := r.state
	s := statusWord(st.Status)
	if st.DeploymentID != "" {
		s += " (deployment " + cellCode(render.Truncate(st.DeploymentID, 80)) + ")"
	}
	if st.Message != "" {
		s += ": " + render.EscapeMarkdown(st.Message)
	}
	if text := d.in.Applying[r.env]; text != "" {
		s += " — " + render.EscapeMarkdown(render.Truncate(redactSecretRefs(text), maxMessageRunes))
	}
	return s
}

func statusWord(s Status) string {
	switch s {
	case Planned:
		return "📝 planned"
	case NoChanges:
		return "✅ no changes"
	case Applying:
		return "⏳ applying"
	case Applied:
		return "🚀 applied"
	case Failed:
		return "❌ failed"
	case Refused:
		return "⛔ refused"
	case Invalid:
		return "⚠️ invalid"
	}
	return "❔ " + render.EscapeMarkdown(render.Truncate(string(s), 40))
}

// StatusEmoji is the emoji that marks s in the lifecycle table.
func StatusEmoji(s Status) string {
	w := statusWord(s)
	if i := strings.IndexByte(w, ' '); i > 0 {
		return w[:i]
	}
	return w
}

// moreRowsLine replaces the table rows that did not fit.
func moreRowsLine(n int) string {
	return fmt.Sprintf("_%d more environments are listed in the job summary._\n\n", n)
}

// fullPlanLine says where the details left out of the comment are.
func (d *doc) fullPlanLine() string {
	s := "_Full plan: see the "
	if d.runURL != "" {
		s += "[job summary](" + d.runURL + ")"
	} else {
		s += "job summary"
	}
	if d.in.ArtifactName != "" {
		s += " and the " + render.CodeSpan(d.in.ArtifactName) + " artifact"
	}
	return s + "._\n\n"
}

// invalidBlock shows validation problems as plain text in a code block.
// When maxBytes > 0 and the block would be larger, whole lines are left
// out from the end and counted; "" means not even the frame fits.
func invalidBlock(text string, maxBytes int) string {
	const intro = "**The configuration is invalid; nothing was planned.** Fix these problems and push again:\n\n"
	text = redactSecretRefs(strings.TrimRight(text, "\n"))
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = render.Sanitize(l)
	}
	build := func(n int) string {
		content := strings.Join(lines[:n], "\n") + "\n"
		fence := render.CodeFence(content)
		s := intro + fence + "text\n" + content + fence + "\n\n"
		if n < len(lines) {
			s += fmt.Sprintf("_%d more lines are in the job summary._\n\n", len(lines)-n)
		}
		return s
	}
	full := build(len(lines))
	if maxBytes <= 0 || len(full) <= maxBytes {
		return full
	}
	// Binary search the number of lines that fits.
	lo, hi := 0, len(lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(build(mid)) <= maxBytes {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if s := build(lo); len(s) <= maxBytes {
		return s
	}
	return ""
}

// resultBlock is the collapsible block of what was applied to env.
func (d *doc) resultBlock(env, md string) string {
	st := d.marker.Envs[env]
	summary := StatusEmoji(st.Status) + " What was applied to <b>" + render.EscapeHTML(env) + "</b>"
	if st.Status == "" {
		summary = "What was applied to <b>" + render.EscapeHTML(env) + "</b>"
	}
	return "<details><summary>" + summary + "</summary>\n\n" +
		strings.TrimSpace(redactSecretRefs(md)) + "\n\n</details>\n\n"
}

// resultStub replaces a result block that did not fit.
func resultStub(env string) string {
	return "_What was applied to " + render.EscapeMarkdown(env) + " is in the job summary._\n\n"
}

// resultEnvs lists the environments with results: table order, then any
// others by name.
func (d *doc) resultEnvs() []string {
	var envs []string
	seen := map[string]bool{}
	for _, r := range d.rows {
		if strings.TrimSpace(d.in.Results[r.env]) != "" {
			envs = append(envs, r.env)
		}
		seen[r.env] = true
	}
	var others []string
	for env, md := range d.in.Results {
		if !seen[env] && strings.TrimSpace(md) != "" {
			others = append(others, env)
		}
	}
	sort.Strings(others)
	return append(envs, others...)
}

// footer says when apply happens and links the run.
func (d *doc) footer(withRunLink bool) string {
	var planned []string
	for _, r := range d.rows {
		if r.state.Status == Planned {
			planned = append(planned, render.CodeSpan(r.env))
		}
	}
	var b strings.Builder
	if n := len(planned); n > 0 {
		if n > maxFooterEnvs {
			planned = append(planned[:maxFooterEnvs], fmt.Sprintf("%d more", n-maxFooterEnvs))
		}
		list := planned[0]
		if len(planned) > 1 {
			list = strings.Join(planned[:len(planned)-1], ", ") + " and " + planned[len(planned)-1]
		}
		if n == 1 {
			b.WriteString("Apply happens on merge, in the " + list + " GitHub environment, only if the plan hash is unchanged.")
		} else {
			b.WriteString("Apply happens on merge, in the " + list + " GitHub environments, each only if its plan hash is unchanged.")
		}
	}
	if withRunLink && d.runURL != "" {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("[Workflow run](" + d.runURL + ")")
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String() + "\n"
}

// safeURL returns u ready for a Markdown link destination, or "" unless it
// is an absolute http(s) URL.
func safeURL(u string) string {
	parsed, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (parsed.Scheme != "https" && parsed.Scheme != "http") || parsed.Host == "" {
		return ""
	}
	s := parsed.String()
	// Characters that would end or confuse a link destination.
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "`", "%60", "\\", "%5C").Replace(s)
}

// budget hands out the bytes of the comment.
type budget struct{ left int }

// take reserves len(s) bytes if they are left.
func (b *budget) take(s string) bool {
	if len(s) > b.left {
		return false
	}
	b.left -= len(s)
	return true
}

// ErrBudget is returned when not even the marker and heading fit in the
// comment budget.
var ErrBudget = errors.New("prcomment: comment budget too small")

// body assembles the comment within maxBytes. Space is handed out in order
// of importance — marker and heading, the "full plan" line, the read-only
// note, the lifecycle table, the footer, validation problems, results,
// plan details — and the parts are written in document order.
func (d *doc) body(maxBytes int) (string, bool, error) {
	top := d.marker.String() + "\n\n" + d.heading("###")
	sections := d.commentSections()
	// The comment's details are a byte longer per section than the
	// summary's, for the lower heading level.
	if len(d.details)+len(sections) <= maxBytes {
		if whole := d.whole(top, sections); len(whole) <= maxBytes {
			return whole, false, nil
		}
	}
	fullLine := d.fullPlanLine()
	b := budget{left: maxBytes}
	if !b.take(top) || !b.take(fullLine) {
		return "", false, fmt.Errorf("%w: the marker and heading of %d environments take %d bytes, more than the %d-byte budget",
			ErrBudget, len(d.rows), len(top)+len(fullLine), maxBytes)
	}
	truncated := false

	note := d.readOnlyNote()
	if !b.take(note) {
		note, truncated = "", true
	}

	var table strings.Builder
	if len(d.rows) > 0 {
		// Reserve the worst-case "more environments" line with the table
		// head, then keep rows while they fit.
		head := d.tableHead()
		reserve := head + "\n" + moreRowsLine(len(d.rows))
		if b.take(reserve) {
			b.left += len(reserve)
			b.take(head)
			table.WriteString(head)
			kept := 0
			for _, r := range d.rows {
				line := d.tableRow(r)
				if len(line)+len(reserve)-len(head) > b.left {
					break
				}
				b.take(line)
				table.WriteString(line)
				kept++
			}
			table.WriteString("\n")
			b.take("\n")
			if kept < len(d.rows) {
				truncated = true
				more := moreRowsLine(len(d.rows) - kept)
				b.take(more)
				table.WriteString(more)
			}
		} else {
			truncated = true
		}
	}

	footer := d.footer(true)
	if !b.take(footer) {
		footer, truncated = "", true
	}

	var invalid string
	if d.in.Invalid != "" {
		invalid = invalidBlock(d.in.Invalid, 0)
		if !b.take(invalid) {
			truncated = true
			invalid = invalidBlock(d.in.Invalid, b.left)
			b.take(invalid)
		}
	}

	// The verdicts outrank results and details: space for every section's
	// Policy block is set aside before results, and given back to the
	// details, whose section heads hold the same blocks. When not even the
	// heads fit, the verdicts are written alone.
	verdicts := d.verdictsOnly(sections, b.left)
	b.take(verdicts)

	var results strings.Builder
	for _, env := range d.resultEnvs() {
		blk := d.resultBlock(env, d.in.Results[env])
		if b.take(blk) {
			results.WriteString(blk)
			continue
		}
		truncated = true
		if stub := resultStub(env); b.take(stub) {
			results.WriteString(stub)
		}
	}

	b.left += len(verdicts)
	details := ""
	if len(d.details)+len(sections) <= b.left {
		details = render.JoinMarkdownSections(sections)
	} else if len(sections) > 0 {
		// One pass over the pieces: as many details blocks as fit, or
		// nothing when not even the sections' summaries do.
		truncated = true
		details = render.FitMarkdownSections(sections, b.left)
		if len(details) > b.left {
			details = verdicts
		}
	}
	b.take(details)

	var out strings.Builder
	out.Grow(maxBytes)
	out.WriteString(top)
	out.WriteString(note)
	out.WriteString(table.String())
	out.WriteString(invalid)
	out.WriteString(details)
	if truncated {
		out.WriteString(fullLine)
	}
	out.WriteString(results.String())
	out.WriteString(footer)
	body := strings.TrimRight(out.String(), "\n") + "\n"
	if len(body) > maxBytes {
		// Unreachable by construction; never hand GitHub a body it rejects.
		body = strings.TrimRight(top+fullLine, "\n") + "\n"
		truncated = true
	}
	return body, truncated, nil
}

// verdictsOnly is each section's heading and Policy block, without the
// rest of the section, for a comment with no room for the sections: as
// many environments' verdicts as fit in maxBytes, in order ("" without
// verdicts).
func (d *doc) verdictsOnly(sections []render.MarkdownSection, maxBytes int) string {
	var b strings.Builder
	for _, s := range sections {
		if s.Policy == "" {
			continue
		}
		blk := strings.Repeat("#", max(s.Level, 1)) + " " + s.Title + "\n\n" + s.Policy
		if b.Len()+len(blk) > maxBytes {
			break
		}
		b.WriteString(blk)
	}
	return b.String()
}

// whole is the comment with nothing left out.
func (d *doc) whole(top string, sections []render.MarkdownSection) string {
	var out strings.Builder
	out.WriteString(top)
	out.WriteString(d.readOnlyNote())
	if len(d.rows) > 0 {
		out.WriteString(d.tableHead())
		for _, r := range d.rows {
			out.WriteString(d.tableRow(r))
		}
		out.WriteString("\n")
	}
	if d.in.Invalid != "" {
		out.WriteString(invalidBlock(d.in.Invalid, 0))
	}
	out.WriteString(render.JoinMarkdownSections(sections))
	for _, env := range d.resultEnvs() {
		out.WriteString(d.resultBlock(env, d.in.Results[env]))
	}
	out.WriteString(d.footer(true))
	return strings.TrimRight(out.String(), "\n") + "\n"
}

// summary is the job summary: the heading, the whole lifecycle table,
// validation problems, results, plan details in full and the footer,
// capped at MaxSummaryBytes.
func (d *doc) summary() (string, bool) {
	var b strings.Builder
	b.WriteString(d.heading("##"))
	b.WriteString(d.readOnlyNote())
	if len(d.rows) > 0 {
		b.WriteString(d.tableHead())
		for _, r := range d.rows {
			b.WriteString(d.tableRow(r))
		}
		b.WriteString("\n")
	}
	if d.in.Invalid != "" {
		b.WriteString(invalidBlock(d.in.Invalid, 0))
	}
	// Results come before the plan details here, so that the cap at
	// MaxSummaryBytes cuts details, not what was applied.
	for _, env := range d.resultEnvs() {
		b.WriteString(d.resultBlock(env, d.in.Results[env]))
	}
	b.WriteString(d.details)
	b.WriteString(d.footer(false))
	if d.in.ArtifactName != "" && len(d.in.Plans) > 0 {
		b.WriteString("\nThe plan JSON is in the " + render.CodeSpan(d.in.ArtifactName) + " artifact of this run.\n")
	}
	s := strings.TrimRight(b.String(), "\n") + "\n"
	if len(s) <= MaxSummaryBytes {
		return s, false
	}
	note := fmt.Sprintf("_The job summary was cut at %d bytes to stay under GitHub's 1 MiB limit;", MaxSummaryBytes)
	if d.in.ArtifactName != "" {
		note += " the complete plan is in the " + render.CodeSpan(d.in.ArtifactName) + " artifact._\n"
	} else {
		note += " the complete plan is in the plan JSON artifact._\n"
	}
	return capMarkdown(s, MaxSummaryBytes, note), true
}
