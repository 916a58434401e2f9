package sourceedit

import (
	"bytes"
	"regexp"

	"github.com/honua-io/honua-gitops/internal/secret"
)

// docEdit replaces lines start..end (1-based, inclusive) with text.
type docEdit struct {
	start, end int
	text       []byte
}

// documentLines returns the lines of the YAML document whose first key is
// on line first: from that line to its last line of content before the
// next "---" or the end of the file (trailing blank lines and comments stay
// with what follows).
func documentLines(src []byte, first int) (start, end int, ok bool) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if first < 1 || first > len(lines) {
		return 0, 0, false
	}
	end = first
	for i := first; i < len(lines); i++ { // lines[i] is line i+1
		t := bytes.TrimRight(lines[i], "\r\n")
		if bytes.HasPrefix(t, []byte("---")) || bytes.HasPrefix(t, []byte("...")) {
			break
		}
		trimmed := bytes.TrimSpace(t)
		if len(trimmed) > 0 && trimmed[0] != '#' {
			end = i + 1
		}
	}
	return first, end, true
}

// lineOffsets returns the byte span of lines start..end (1-based,
// inclusive), with the last line's newline.
func lineOffsets(src []byte, start, end int) (from, to int) {
	line := 1
	from, to = len(src), len(src)
	for i := 0; i <= len(src); i++ {
		if line == start && from == len(src) && (i == 0 || src[i-1] == '\n') {
			from = i
		}
		if i == len(src) {
			break
		}
		if src[i] == '\n' {
			if line == end {
				return from, i + 1
			}
			line++
		}
	}
	return from, to
}

func lineRange(src []byte, start, end int) []byte {
	from, to := lineOffsets(src, start, end)
	return src[from:to]
}

var variableRef = regexp.MustCompile(`\$\{[^}]*\}`)

// onlySecrets reports whether every ${...} in text is a secret placeholder,
// which a rewrite keeps as it is.
func onlySecrets(text []byte) bool {
	for _, m := range variableRef.FindAll(bytes.ReplaceAll(text, []byte("$${"), nil), -1) {
		if !bytes.HasPrefix(m, []byte(secret.Marker)) {
			return false
		}
	}
	return true
}
