package statebranch

import (
	"fmt"
	"strings"
	"unicode"
)

// Trailer is one "Key: Value" line of a commit message's trailer block.
type Trailer struct{ Key, Value string }

// ParseTrailers parses the trailer block of a commit message: its last
// paragraph, when that is not the subject's and every line is a
// "Key: Value" trailer (lines starting with whitespace continue the previous
// value). A key that repeats keeps its last value. No block gives an empty
// map.
func ParseTrailers(message string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(message, "\r\n", "\n"), "\n \t"), "\n")
	start := len(lines)
	for start > 0 && strings.TrimSpace(lines[start-1]) != "" {
		start--
	}
	if start == 0 {
		return out // one paragraph: the subject is never a trailer block
	}
	last := ""
	for _, line := range lines[start:] {
		if line[0] == ' ' || line[0] == '\t' {
			if last == "" {
				return map[string]string{}
			}
			out[last] = strings.TrimSpace(out[last] + " " + strings.TrimSpace(line))
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		k = strings.TrimRight(k, " \t")
		if !ok || !validTrailerKey(k) {
			return map[string]string{}
		}
		out[k] = strings.TrimSpace(v)
		last = k
	}
	return out
}

// validTrailerKey accepts the keys git does: letters, digits and '-'.
func validTrailerKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
			return false
		}
	}
	return true
}

func (t Trailer) validate() error {
	if !validTrailerKey(t.Key) {
		return fmt.Errorf("trailer key %q: use letters, digits and '-' only", t.Key)
	}
	if strings.ContainsAny(t.Value, "\r\n") {
		return fmt.Errorf("trailer %s: value must be a single line", t.Key)
	}
	if strings.IndexFunc(t.Value, unicode.IsControl) >= 0 {
		return fmt.Errorf("trailer %s: value contains a control character", t.Key)
	}
	if strings.TrimSpace(t.Value) != t.Value {
		return fmt.Errorf("trailer %s: value %q has leading or trailing space, which git drops", t.Key, t.Value)
	}
	return nil
}

// message renders "Subject\n\nBody\n\nKey: Value\n...": the trailers form
// the last paragraph, so git (interpret-trailers, %(trailers)) finds them.
func (c Commit) message() (string, error) {
	subject := strings.TrimSpace(c.Subject)
	if subject == "" {
		return "", fmt.Errorf("commit subject is empty")
	}
	if strings.ContainsAny(subject, "\r\n") {
		return "", fmt.Errorf("commit subject %q must be a single line", subject)
	}
	var b strings.Builder
	b.WriteString(subject)
	b.WriteString("\n")
	if body := strings.Trim(strings.ReplaceAll(c.Body, "\r\n", "\n"), "\n"); strings.TrimSpace(body) != "" {
		b.WriteString("\n")
		b.WriteString(body)
		b.WriteString("\n")
	}
	if len(c.Trailers) > 0 {
		b.WriteString("\n")
		for _, t := range c.Trailers {
			if err := t.validate(); err != nil {
				return "", err
			}
			b.WriteString(t.Key)
			b.WriteString(":")
			if t.Value != "" {
				b.WriteString(" ")
				b.WriteString(t.Value)
			}
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}
