package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Skip records the findings withheld in an environment because some of its
// files do not parse: checks that depend on other files would only repeat
// the parse error (a resource in the broken file looks undefined, an
// override of it looks like a new, incomplete resource).
type Skip struct {
	// Count is how many checks had a finding withheld.
	Count int
	// Environments are the environments that skipped them, in run order.
	Environments []string
	// Files are the files that do not parse, sorted.
	Files []string
}

// String renders the closing line, for example "12 checks that depend on
// other files were skipped in staging, production because
// environments/common/layers.yaml does not parse".
func (s *Skip) String() string {
	verb := "does"
	if len(s.Files) > 1 {
		verb = "do"
	}
	what := "checks that depend on other files were"
	if s.Count == 1 {
		what = "check that depends on other files was"
	}
	return fmt.Sprintf("%d %s skipped in %s because %s %s not parse",
		s.Count, what, strings.Join(s.Environments, ", "), strings.Join(s.Files, ", "), verb)
}

// Skipped returns the note for count checks skipped in env because files do
// not parse, or false when nothing was skipped.
func Skipped(env string, files []string, count int) (Diagnostic, bool) {
	if count == 0 || len(files) == 0 {
		return Diagnostic{}, false
	}
	files = slices.Sorted(slices.Values(files))
	s := &Skip{Count: count, Environments: []string{env}, Files: files}
	return Diagnostic{Pos: Pos{File: files[0]}, Severity: Note, Message: s.String(), Skip: s}, true
}

// class is the print group of a diagnostic: parse errors, then the other
// errors, then warnings, then notes. A parse error comes first because it
// is the one to fix first: the file it is in was not checked at all.
func class(d Diagnostic) int {
	switch {
	case d.Severity == Error && d.Parse:
		return 0
	case d.Severity == Error:
		return 1
	case d.Severity == Warning:
		return 2
	}
	return 3
}

// Sort orders diagnostics for printing: parse errors, other errors,
// warnings, then notes; within a group by file, line, column and message.
// It drops exact duplicates (the same resource can be reached through
// several environments) and merges skip notes about the same files into one
// line naming every environment.
func (l List) Sort() List {
	out := make(List, 0, len(l))
	var skips []*Skip
	for _, d := range l {
		if d.Skip == nil {
			out = append(out, d)
			continue
		}
		key := strings.Join(d.Skip.Files, "\x00")
		i := slices.IndexFunc(skips, func(s *Skip) bool { return strings.Join(s.Files, "\x00") == key })
		if i < 0 {
			skips = append(skips, &Skip{Files: d.Skip.Files})
			i = len(skips) - 1
		}
		skips[i].Count += d.Skip.Count
		for _, e := range d.Skip.Environments {
			if !slices.Contains(skips[i].Environments, e) {
				skips[i].Environments = append(skips[i].Environments, e)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(class(a), class(b)),
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Message, b.Message),
		)
	})
	out = slices.Compact(out)
	for _, s := range skips {
		out = append(out, Diagnostic{Pos: Pos{File: s.Files[0]}, Severity: Note, Message: s.String(), Skip: s})
	}
	return out
}
