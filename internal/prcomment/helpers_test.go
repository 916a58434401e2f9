package prcomment

import (
	"strings"
	"testing"
)

// has reports want missing from out, quoting only want so failures on
// large documents stay readable.
func has(t *testing.T, out, want string, msg ...any) {
	t.Helper()
	if !strings.Contains(out, want) {
		t.Errorf("output (%d bytes) does not contain %q %v", len(out), want, msg)
	}
}

// hasNot reports notWant found in out, with a little context.
func hasNot(t *testing.T, out, notWant string, msg ...any) {
	t.Helper()
	if i := strings.Index(out, notWant); i >= 0 {
		t.Errorf("output contains %q at byte %d: %q %v", notWant, i, out[max(0, i-60):min(len(out), i+len(notWant)+60)], msg)
	}
}
