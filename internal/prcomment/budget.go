package prcomment

import "sync"

// SummaryBudget is the job summary's byte budget, shared by every write of
// one step: GitHub drops a step's whole summary when it passes 1 MiB, so
// each write gets what is left, cut on a Markdown boundary with a note.
// It is safe for concurrent use.
type SummaryBudget struct {
	mu    sync.Mutex
	limit int
	used  int
	full  bool
}

// NewSummaryBudget returns a budget of limit bytes (MaxSummaryBytes when
// limit is not positive).
func NewSummaryBudget(limit int) *SummaryBudget {
	if limit <= 0 {
		limit = MaxSummaryBytes
	}
	return &SummaryBudget{limit: limit}
}

// summaryFullNote ends the last write that fit.
const summaryFullNote = "_The job summary is full (GitHub shows at most 1 MiB per step); the rest is in the plan JSON file (the `plan-json` output)._\n"

// Take returns md, cut to what is left of the budget, and counts it; ""
// once the budget is spent.
func (b *SummaryBudget) Take(md string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.full {
		return ""
	}
	left := b.limit - b.used
	if len(md) > left {
		md = capMarkdown(md, left, summaryFullNote)
		if len(md) > left {
			md = ""
		}
		b.full = true
	}
	b.used += len(md)
	return md
}
