package render

import (
	"strings"
	"testing"
)

// containsAll reports each wanted snippet missing from out, quoting only
// the snippet so failures stay readable on long documents.
func containsAll(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(out, s) {
			t.Errorf("output does not contain %q", s)
		}
	}
}

// containsNone reports each unwanted snippet found in out.
func containsNone(t *testing.T, out string, notWant ...string) {
	t.Helper()
	for _, s := range notWant {
		if i := strings.Index(out, s); i >= 0 {
			t.Errorf("output contains %q at byte %d: %q", s, i, out[max(0, i-40):min(len(out), i+len(s)+40)])
		}
	}
}
