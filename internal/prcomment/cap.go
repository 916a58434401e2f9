package prcomment

import "strings"

// capMarkdown cuts md on a line boundary so that the kept lines, whatever
// closes the code fence and <details> blocks open at the cut, and note fit
// in limit bytes. note is written on its own paragraph after the cut. A cut
// between blocks is preferred to one inside a block when it loses at most
// maxCleanCutLoss bytes.
func capMarkdown(md string, limit int, note string) string {
	if len(md) <= limit {
		return md
	}
	var sc mdScanner
	// best is the last line boundary that fits; clean the last one outside
	// any block, preferred when it is near, so a diff is not cut in two.
	best, bestClose, clean := 0, "", 0
	for pos := 0; pos < len(md); {
		end := strings.IndexByte(md[pos:], '\n')
		if end < 0 {
			end = len(md)
		} else {
			end += pos + 1
		}
		sc.line(strings.TrimSuffix(md[pos:end], "\n"))
		closing := sc.closing()
		if end+len(closing)+len("\n\n")+len(note) > limit {
			break
		}
		best, bestClose = end, closing
		if closing == "" {
			clean = end
		}
		pos = end
	}
	if best-clean <= maxCleanCutLoss {
		best, bestClose = clean, ""
	}
	kept := strings.TrimRight(md[:best]+bestClose, "\n")
	if kept == "" {
		return note
	}
	return kept + "\n\n" + note
}

// maxCleanCutLoss is how many bytes capMarkdown gives up to cut between
// blocks rather than inside one.
const maxCleanCutLoss = 64 << 10

// mdScanner follows, line by line, whether a fenced code block is open and
// how many <details> blocks are open outside code.
type mdScanner struct {
	fence   string // the open fence, "" outside code
	details int
}

func (s *mdScanner) line(l string) {
	t := strings.TrimLeft(l, " ")
	if len(l)-len(t) > 3 {
		t = ""
	}
	if s.fence != "" {
		if strings.HasPrefix(t, s.fence) && strings.Trim(strings.TrimRight(t, " "), s.fence[:1]) == "" {
			s.fence = ""
		}
		return
	}
	for _, c := range []string{"`", "~"} {
		if strings.HasPrefix(t, c+c+c) {
			n := len(t) - len(strings.TrimLeft(t, c))
			s.fence = strings.Repeat(c, n)
			return
		}
	}
	s.details += strings.Count(l, "<details") - strings.Count(l, "</details>")
	s.details = max(s.details, 0)
}

// closing is what closes the blocks open after the lines seen so far.
func (s *mdScanner) closing() string {
	var b strings.Builder
	if s.fence != "" {
		b.WriteString(s.fence + "\n")
	}
	if s.details > 0 {
		b.WriteString("\n" + strings.Repeat("</details>\n", s.details))
	}
	return b.String()
}
