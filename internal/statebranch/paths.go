package statebranch

import (
	"fmt"
	"strings"
)

// splitPath splits a slash-separated path inside the branch and rejects the
// names git fsck refuses (".", "..", ".git" and its NTFS/HFS aliases) and
// malformed ones (empty components, NUL).
func splitPath(p string) ([]string, error) {
	if p == "" {
		return nil, fmt.Errorf("empty path")
	}
	parts := strings.Split(p, "/")
	for _, name := range parts {
		switch {
		case name == "":
			return nil, fmt.Errorf("path %q: empty component (leading, trailing or doubled slash)", p)
		case name == "." || name == "..":
			return nil, fmt.Errorf("path %q: %q is not allowed", p, name)
		case strings.IndexByte(name, 0) >= 0:
			return nil, fmt.Errorf("path %q: contains NUL", p)
		case isDotGit(name):
			return nil, fmt.Errorf("path %q: %q is reserved by git", p, name)
		}
	}
	return parts, nil
}

// isDotGit reports names that git treats as ".git": case-insensitively, with
// trailing dots or spaces (NTFS), its 8.3 short name, or with the code points
// HFS+ ignores.
func isDotGit(name string) bool {
	n := strings.Map(func(r rune) rune {
		switch {
		case r >= 0x200c && r <= 0x200f, r >= 0x202a && r <= 0x202e,
			r >= 0x206a && r <= 0x206f, r == 0xfeff:
			return -1
		}
		return r
	}, name)
	n = strings.ToLower(strings.TrimRight(n, ". "))
	return n == ".git" || n == "git~1"
}
