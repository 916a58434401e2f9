package render

import "strings"

// ShortSHA abbreviates a commit id to seven characters, as git does;
// anything that is not a hex commit id is kept, cut to 40 runes, so a
// hostile or odd value is neither hidden nor allowed to run on.
func ShortSHA(s string) string {
	if len(s) >= 7 && strings.Trim(strings.ToLower(s), "0123456789abcdef") == "" {
		return s[:7]
	}
	return Truncate(s, 40)
}

// ShortHash is a plan hash's first 12 characters: enough to tell plans
// apart at a glance, short enough for a table cell or a log line.
func ShortHash(h string) string {
	n := 0
	for i := range h {
		if n == 12 {
			return h[:i]
		}
		n++
	}
	return h
}

// FirstLine is s up to its first newline: an error or message shown on
// one line of a status, a log or a deployment record.
func FirstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
