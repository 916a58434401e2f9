package source

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"strings"
)

// pattern is a gitignore-style path pattern, as used by .gitignore and
// .gitattributes files. go-git's gitignore matcher is not used: it matches a
// pattern against every component of a path, so a negated directory
// pattern such as "!*/" re-includes every file below, and "dir/**" excludes
// dir itself; git does neither.
type pattern struct {
	// dir is the directory of the file the pattern came from, relative to
	// the work tree root, slash-terminated; "" for the root.
	dir string
	// segs is the slash-separated glob; for an unanchored pattern a single
	// glob matched against the base name.
	segs     []string
	anchored bool
}

// parsePattern parses glob (already stripped of "!" and a trailing "/")
// found in a file in directory dir.
func parsePattern(dir, glob string) pattern {
	// path.Match spells negated classes [^...]; git also accepts [!...].
	glob = strings.ReplaceAll(glob, "[!", "[^")
	p := pattern{dir: dir}
	if dir != "" {
		p.dir = dir + "/"
	}
	if strings.Contains(glob, "/") {
		p.anchored = true
		p.segs = strings.Split(strings.TrimPrefix(glob, "/"), "/")
	} else {
		p.segs = []string{glob}
	}
	return p
}

// match reports whether rel, a path relative to the work tree root, matches.
func (p pattern) match(rel string) bool {
	if !strings.HasPrefix(rel, p.dir) {
		return false
	}
	rel = rel[len(p.dir):]
	if !p.anchored {
		ok, err := path.Match(p.segs[0], path.Base(rel))
		return err == nil && ok
	}
	return matchSegs(p.segs, strings.Split(rel, "/"))
}

// matchSegs matches path segments against glob segments, "**" standing for
// any number of directories, at least one when it ends the pattern
// ("dir/**" matches what is inside dir, not dir).
func matchSegs(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			if len(pat) == 1 {
				return len(segs) > 0
			}
			for i := range len(segs) + 1 {
				if matchSegs(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], segs[0]); err != nil || !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// ignoreRule is one line of a .gitignore-style file.
type ignoreRule struct {
	pattern
	negate  bool
	dirOnly bool
}

// parseIgnore parses the lines of a .gitignore-style file in directory dir.
func parseIgnore(dir string, data []byte) []ignoreRule {
	var rules []ignoreRule
	for _, line := range lines(data) {
		if line == "" || line[0] == '#' {
			continue
		}
		line = trimTrailingSpaces(line)
		var r ignoreRule
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimRight(line, "/")
		}
		if line == "" {
			continue
		}
		r.pattern = parsePattern(dir, line)
		rules = append(rules, r)
	}
	return rules
}

// ignored reports whether rel is ignored by rules, lowest priority first:
// the last rule that matches decides.
func ignored(rules []ignoreRule, rel string, isDir bool) bool {
	for i := len(rules) - 1; i >= 0; i-- {
		r := rules[i]
		if r.dirOnly && !isDir {
			continue
		}
		if r.match(rel) {
			return !r.negate
		}
	}
	return false
}

// lines splits a file into lines without their line ends; CRLF files, a
// UTF-8 byte order mark and a last line without a newline are fine.
func lines(data []byte) []string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		out = append(out, strings.TrimSuffix(sc.Text(), "\r"))
	}
	return out
}

// trimTrailingSpaces drops trailing spaces unless escaped with a backslash.
func trimTrailingSpaces(s string) string {
	for strings.HasSuffix(s, " ") && !strings.HasSuffix(s, `\ `) {
		s = s[:len(s)-1]
	}
	return s
}

// readOptional reads a file that may well not exist.
func readOptional(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err != nil && (os.IsNotExist(err) || isNotDir(err)) {
		return nil, nil
	}
	return data, err
}
