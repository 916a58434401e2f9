package source

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		dir, glob string
		matches   []string
		misses    []string
	}{
		{glob: "*.yaml", matches: []string{"b.yaml", "a/b.yaml"}, misses: []string{"b.yml", "a.yaml/b"}},
		{glob: "/a.yaml", matches: []string{"a.yaml"}, misses: []string{"x/a.yaml"}},
		{glob: "x/a.yaml", matches: []string{"x/a.yaml"}, misses: []string{"y/x/a.yaml"}},
		{glob: "a/**", matches: []string{"a/b", "a/b/c"}, misses: []string{"a", "b/a/c"}},
		{glob: "**/b", matches: []string{"b", "x/y/b"}, misses: []string{"b/x"}},
		{glob: "a/**/b", matches: []string{"a/b", "a/x/y/b"}, misses: []string{"a/x/c", "x/a/b"}},
		{glob: "[!a]*.yaml", matches: []string{"b.yaml"}, misses: []string{"a.yaml"}},
		{dir: "env", glob: "x.yaml", matches: []string{"env/x.yaml", "env/d/x.yaml"}, misses: []string{"x.yaml", "envx/x.yaml"}},
		{dir: "env", glob: "/x.yaml", matches: []string{"env/x.yaml"}, misses: []string{"env/d/x.yaml"}},
		{glob: "[", misses: []string{"["}}, // a malformed class matches nothing
	}
	for _, tt := range tests {
		p := parsePattern(tt.dir, tt.glob)
		for _, m := range tt.matches {
			assert.True(t, p.match(m), "%s in %q should match %s", tt.glob, tt.dir, m)
		}
		for _, m := range tt.misses {
			assert.False(t, p.match(m), "%s in %q should not match %s", tt.glob, tt.dir, m)
		}
	}
}

func TestParseIgnore(t *testing.T) {
	rules := parseIgnore("", []byte("\xef\xbb\xbf# comment\n\nspaces.yaml   \nkept\\ \n!keep.yaml\r\nbuild/\n/\n"))
	var got []string
	for _, r := range rules {
		got = append(got, r.segs[0])
	}
	assert.Equal(t, []string{"spaces.yaml", `kept\ `, "keep.yaml", "build"}, got)
	assert.True(t, rules[2].negate)
	assert.True(t, rules[3].dirOnly)
	assert.True(t, ignored(rules, "kept ", false), "an escaped trailing space is part of the name")
	assert.False(t, ignored(rules, "build", false), "build/ matches directories only")
	assert.True(t, ignored(rules, "build", true))
}

func TestLooksBinary(t *testing.T) {
	tests := []struct {
		content string
		want    bool
	}{
		{"layers:\r\n  - roads\r\n", false},
		{"tab\tand form feed\f\n", false},
		{"nul\x00", true},
		{"lone\rcr", true},
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, looksBinary([]byte(tt.content)), "%q", tt.content)
	}
}
