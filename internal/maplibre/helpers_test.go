package maplibre

import (
	"encoding/json"
	"strings"
	"testing"
)

func paths(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Path)
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// parse decodes a JSON style as encoding/json does.
func parse(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

// oneLayer builds a version-8 style with one layer given as JSON.
func oneLayer(t testing.TB, layer string) map[string]any {
	return parse(t, `{"version":8,"layers":[`+layer+`]}`)
}
