package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestETag(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256([]byte("42"))
	want := `"` + base64.RawStdEncoding.EncodeToString(sum[:]) + `"`
	assert.Equal(t, want, ETag("42"))
	assert.False(t, strings.HasSuffix(strings.Trim(ETag("42"), `"`), "="), "unpadded")
	assert.NotEqual(t, ETag("42"), ETag("43"))
}

func TestIfMatchSatisfied(t *testing.T) {
	t.Parallel()
	cur := ETag("7")
	tests := []struct {
		name, header string
		want         bool
	}{
		{"exact", cur, true},
		{"star", "*", true},
		{"weak never matches", "W/" + cur, false},
		{"other", ETag("8"), false},
		{"list containing it", ETag("8") + ", " + cur, true},
		{"unquoted", strings.Trim(cur, `"`), false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ifMatchSatisfied(tt.header, cur))
		})
	}
}
