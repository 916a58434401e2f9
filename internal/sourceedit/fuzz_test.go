package sourceedit

import (
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/honua-io/honua-gitops/internal/resourceyaml"
)

// FuzzScalarText: whatever string the server holds, the token written in
// its place reads back as that string (with the loader's "$${" escape), in
// every quoting style and inside a flow collection as in block context,
// and the token scalarToken finds there is exactly the one written.
func FuzzScalarText(f *testing.F) {
	for _, s := range []string{"Parcels", "Owner, legal", "a: b", "# not a comment", "'quoted'", `"dq"`, "${var}", "x\ny", "-", "true", "12", "", " lead", "tab\t", "é ünïcode", "[x]", "{a}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || len(s) > 512 {
			t.Skip() // server values are JSON strings (valid UTF-8); titles and aliases are short
		}
		want := resourceyaml.Escape(s)
		for _, style := range []int{plain, doubleQuoted, singleQuoted} {
			for _, flow := range []bool{false, true} {
				text, ok := scalarText(s, style, flow, false)
				if !ok {
					t.Fatalf("no token for %q", s)
				}
				src := "k: " + text + "\n"
				if flow {
					src = "k: [{a: " + text + "}, b]\n"
				}
				var doc map[string]any
				if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
					t.Fatalf("style %d flow %v: %q does not parse: %v", style, flow, src, err)
				}
				got := doc["k"]
				if flow {
					l, _ := got.([]any)
					if len(l) != 2 {
						t.Fatalf("style %d flow: %q parsed as %#v", style, src, got)
					}
					got = l[0].(map[string]any)["a"]
				}
				if got != want {
					t.Fatalf("style %d flow %v: %q reads back as %#v, want %q", style, flow, src, got, want)
				}
				col := len("k: ") + 1
				if flow {
					col = len("k: [{a: ") + 1
				}
				from, to, _, _, ok := scalarToken([]byte(src), 1, col)
				if !ok || src[from:to] != text {
					t.Fatalf("style %d flow %v: token %q found in %q, wrote %q", style, flow, src[from:to], src, text)
				}
			}
		}
	})
}
