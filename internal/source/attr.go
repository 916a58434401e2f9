package source

import (
	"strings"
)

// attrRule is one line of a .gitattributes file. Only what decides line-end
// conversion is used (text, eol, crlf and the binary macro), so that a work
// tree checked out with CRLF line ends is not taken for modified.
type attrRule struct {
	pattern
	attrs []attr
}

// attr is one attribute of a line: set ("text"), unset ("-text"), reset to
// unspecified ("!text") or given a value ("eol=crlf").
type attr struct {
	name  string
	state attrState
	value string
}

type attrState int

const (
	attrUnspecified attrState = iota
	attrSet
	attrUnset
	attrValue
)

// parseAttributes parses the lines of a .gitattributes-style file in
// directory dir. Macro definitions and quoted patterns are skipped; the
// built-in binary macro is understood when looking attributes up.
func parseAttributes(dir string, data []byte) []attrRule {
	var rules []attrRule
	for _, line := range lines(data) {
		fields := strings.Fields(line)
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") || strings.HasPrefix(fields[0], "[attr]") ||
			strings.HasPrefix(fields[0], `"`) || strings.HasPrefix(fields[0], "!") {
			continue
		}
		glob := fields[0]
		if strings.HasSuffix(glob, "/") {
			continue // directories have no attributes
		}
		r := attrRule{pattern: parsePattern(dir, glob)}
		for _, f := range fields[1:] {
			a := attr{name: f, state: attrSet}
			switch {
			case strings.HasPrefix(f, "-"):
				a.name, a.state = f[1:], attrUnset
			case strings.HasPrefix(f, "!"):
				a.name, a.state = f[1:], attrUnspecified
			case strings.Contains(f, "="):
				a.name, a.value, _ = strings.Cut(f, "=")
				a.state = attrValue
			}
			r.attrs = append(r.attrs, a)
		}
		rules = append(rules, r)
	}
	return rules
}

// lookupAttr returns the state of attribute name for rel in rule sets given
// highest priority first, each lowest priority first within. A set binary
// macro counts as -text.
func lookupAttr(name, rel string, sets ...[]attrRule) attr {
	for _, rules := range sets {
		for i := len(rules) - 1; i >= 0; i-- {
			r := rules[i]
			if !r.match(rel) {
				continue
			}
			for j := len(r.attrs) - 1; j >= 0; j-- {
				a := r.attrs[j]
				if a.name == name {
					return a
				}
				if name == "text" && a.name == "binary" && a.state == attrSet {
					return attr{name: "text", state: attrUnset}
				}
			}
		}
	}
	return attr{name: name}
}

// convertsEOL reports whether git would turn CRLF into LF when adding rel
// with content, so the blob to compare with is the converted content. It
// follows gitattributes(5): text, text=auto, eol, the legacy crlf, then
// core.autocrlf for files whose text attribute is unspecified.
func convertsEOL(rel string, content []byte, autoCRLF string, sets ...[]attrRule) bool {
	text := lookupAttr("text", rel, sets...)
	if text.state == attrUnspecified {
		switch crlf := lookupAttr("crlf", rel, sets...); crlf.state {
		case attrSet:
			text.state = attrSet
		case attrUnset:
			text.state = attrUnset
		case attrValue:
			if crlf.value == "input" {
				text.state = attrSet
			}
		}
	}
	switch text.state {
	case attrSet:
		return true
	case attrUnset:
		return false
	case attrValue:
		return text.value == "auto" && !looksBinary(content)
	}
	if eol := lookupAttr("eol", rel, sets...); eol.state == attrValue {
		return true // eol implies text when text is unspecified
	}
	return (autoCRLF == "true" || autoCRLF == "input") && !looksBinary(content)
}

// looksBinary is git's text=auto heuristic (convert.c): a NUL, a lone CR,
// or more than one non-printable byte in 128 makes content binary.
func looksBinary(content []byte) bool {
	var printable, nonPrintable int
	for i, c := range content {
		switch {
		case c == '\r':
			if i+1 >= len(content) || content[i+1] != '\n' {
				return true
			}
		case c == '\n':
		case c == 0:
			return true
		case c == 127:
			nonPrintable++
		case c < 32:
			switch c {
			case '\b', '\t', '\033', '\014':
				printable++
			default:
				nonPrintable++
			}
		default:
			printable++
		}
	}
	return printable>>7 < nonPrintable
}
