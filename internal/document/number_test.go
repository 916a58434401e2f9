package document_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/document"
)

// A number literal the canonical model cannot hold exactly (a float64 that
// overflows, or an integer outside int64) is an error at its position, never
// silently a string or a rounded float.
func TestOutOfRangeNumbersAreRejected(t *testing.T) {
	tests := []struct {
		name    string
		format  document.Format
		input   string
		pos     string
		message string
	}{
		{"json float overflow", document.JSON, "{\n  \"srid\": 1e400\n}", "f:2:11", "number 1e400 is out of range"},
		{"json negative float overflow", document.JSON, `{"srid": -1.5E+309}`, "f:1:10", "number -1.5E+309 is out of range"},
		{"json integer too large", document.JSON, `[1, 99999999999999999999999]`, "f:1:5", "integer 99999999999999999999999 is out of range"},
		{"yaml float overflow", document.YAML, "a: 1\nsrid: 1e400\n", "f:2:7", "number 1e400 is out of range"},
		{"yaml integer too large", document.YAML, "srid: 9999999999999999999999\n", "f:1:7", "integer 9999999999999999999999 is out of range"},
		{"yaml uint64", document.YAML, "n: 18446744073709551615\n", "f:1:4", "integer 18446744073709551615 is out of range"},
		{"yaml negative integer too large", document.YAML, "n: -9223372036854775809\n", "f:1:4", "integer -9223372036854775809 is out of range"},
		{"yaml hex too large", document.YAML, "n: 0x1FFFFFFFFFFFFFFFF\n", "f:1:4", "integer 0x1FFFFFFFFFFFFFFFF is out of range"},
		{"yaml underscores", document.YAML, "n: 1_000e400\n", "f:1:4", "number 1_000e400 is out of range"},
		{"yaml in a list", document.YAML, "n: [1, 2e999]\n", "f:1:8", "number 2e999 is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, d := document.Parse("f", []byte(tt.input), tt.format)
			require.True(t, d.HasErrors(), "want an error, got %v", d)
			require.Len(t, d, 1)
			assert.Equal(t, tt.pos, d[0].Pos.String())
			assert.Contains(t, d[0].Message, tt.message)
			assert.Contains(t, d[0].Hint, "quote it if it is meant as text")
		})
	}
}

// Numbers in range, quoted text that looks like a number, and explicit tags
// are kept as they are.
func TestNumbersInRangeAndQuotedTextAreKept(t *testing.T) {
	tests := []struct {
		name   string
		format document.Format
		input  string
		want   any
	}{
		{"json big float", document.JSON, `{"v": 1e308}`, 1e308},
		{"json max int64", document.JSON, `{"v": 9223372036854775807}`, int64(9223372036854775807)},
		{"json min int64", document.JSON, `{"v": -9223372036854775808}`, int64(-9223372036854775808)},
		{"json quoted", document.JSON, `{"v": "1e400"}`, "1e400"},
		{"yaml quoted", document.YAML, `v: "9999999999999999999999"`, "9999999999999999999999"},
		{"yaml single quoted", document.YAML, `v: '1e400'`, "1e400"},
		{"yaml explicit str tag", document.YAML, `v: !!str 1e400`, "1e400"},
		{"yaml explicit float tag", document.YAML, `v: !!float 9999999999999999999999`, 1e22},
		{"yaml version text", document.YAML, `v: 1.2.3`, "1.2.3"},
		{"yaml tiny float", document.YAML, `v: 1.5e-300`, 1.5e-300},
		{"yaml hex", document.YAML, `v: 0x1F`, int64(31)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, d := document.Parse("f", []byte(tt.input), tt.format)
			require.False(t, d.HasErrors(), "%v", d)
			require.Len(t, docs, 1)
			assert.Equal(t, tt.want, docs[0].Get("v").Value)
		})
	}
}
