package render

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"string", "Parcels", `"Parcels"`},
		{"integer", int64(4326), "4326"},
		{"float", -180.5, "-180.5"},
		{"bool", true, "true"},
		{"null", nil, "null"},
		{"list", []any{"a", int64(1)}, `["a",1]`},
		{"map keys sorted", map[string]any{"b": int64(1), "a": "<&>"}, `{"a":"<&>","b":1}`},
		{"newline escaped", "a\nb", `"a\nb"`},
		{"ESC escaped", "a\x1bb", `"a\u001bb"`},
		{"bidi override escaped", "a\u202eb", `"a\u202eb"`},
		{"C1 control escaped", "a\u0085b", `"a\u0085b"`},
		{"exactly the limit", strings.Repeat("x", maxValueRunes-2), `"` + strings.Repeat("x", maxValueRunes-2) + `"`},
		{"cut", strings.Repeat("é", 200), `"` + strings.Repeat("é", maxValueRunes-2) + "…"},
		{"not JSON", func() {}, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := formatValue(tt.in)
			if tt.name == "not JSON" {
				assert.NotEmpty(t, got)
				return
			}
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, len([]rune(got)), maxValueRunes)
		})
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain/ünïcode ✏️", "plain/ünïcode ✏️"},
		{"a\nb\tc", `a\u000ab\u0009c`},
		{"\x1b[31mred", `\u001b[31mred`},
		{"a\u2028b\u2066c\u200fd", `a\u2028b\u2066c\u200fd`},
		{"bad\xffutf8", `bad\xffutf8`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, sanitize(tt.in))
		})
	}
}

func TestEscapeMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"staging", "staging"},
		{"eu-west.1", "eu-west.1"},
		{"a|b", `a\|b`},
		{"<b>x</b>", `\<b\>x\</b\>`},
		{"`code`", "\\`code\\`"},
		{"*x*_y_~z~", `\*x\*\_y\_\~z\~`},
		{"[l](u)", `\[l\]\(u\)`},
		{"a&amp;", `a\&amp;`},
		{"$x$", `\$x\$`},
		{"#1", `\#1`},
		{"- item", `\- item`},
		{"+ item", `\+ item`},
		{"12. item", `12\. item`},
		{"3) item", `3\) item`},
		{"v1.2", "v1.2"},
		{"a\nb", `a\\u000ab`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, escapeMarkdown(tt.in))
		})
	}
}

func TestCodeFenceAndSpan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		wantFence string
		wantSpan  string
	}{
		{"plain", "```", "`plain`"},
		{"a`b", "```", "``a`b``"},
		{"``x``", "```", "``` ``x`` ```"},
		{"```", "````", "```` ``` ````"},
		{"x ````` y", "``````", "``````x ````` y``````"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.wantFence, codeFence(tt.in))
			assert.Equal(t, tt.wantSpan, codeSpan(tt.in))
		})
	}
}

func TestShortRevision(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"3f9c2ab8d1e04b5a9c6f7e8d9a0b1c2d3e4f5a6b", "3f9c2ab"},
		{"3F9C2AB8D1E04B5A", "3F9C2AB"},
		{"abc1234", "abc1234"},
		{"v1.2.3-release-candidate", "v1.2.3-release-candidate"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, shortRevision(tt.in))
		})
	}
}

func TestFormatPair(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		name                  string
		before, after         any
		wantBefore, wantAfter string
	}{
		{"short values are whole", "x", "y", `"x"`, `"y"`},
		{"long strings are whole", long + "b", long + "c", `"` + long + `b"`, `"` + long + `c"`},
		{"long lists are cut around the first difference",
			[]any{long, "old"}, []any{long, "new"},
			"…" + strings.Repeat("a", 37) + `","old"]`, "…" + strings.Repeat("a", 37) + `","new"]`},
		{"a difference near the start keeps the start", []any{"b", long}, []any{"c", long},
			`["b","` + strings.Repeat("a", 113) + "…", `["c","` + strings.Repeat("a", 113) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, a := formatPair(tt.before, tt.after)
			assert.Equal(t, tt.wantBefore, b)
			assert.Equal(t, tt.wantAfter, a)
			assert.NotEqual(t, b, a, "the two sides must differ visibly")
		})
	}
}

func TestWrapRunes(t *testing.T) {
	assert.Equal(t, []string{"abc"}, wrapRunes("abc", 10))
	assert.Equal(t, []string{"aaaa bbb", " cc"}, wrapRunes("aaaa bbb cc", 9))
	assert.Equal(t, []string{"aaaaa", "aaaaa", "a"}, wrapRunes("aaaaaaaaaaa", 5))
}

func TestSanitizeLinesKeepsLines(t *testing.T) {
	assert.Equal(t, "a: 1\nb: \\u001b[31mred\n", SanitizeLines("a: 1\r\nb: \x1b[31mred\n"))
}
