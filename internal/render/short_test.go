package render

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestShortDisplay(t *testing.T) {
	t.Parallel()
	sha := "0123456789abcdef0123456789abcdef01234567"
	assert.Equal(t, "0123456", ShortSHA(sha))
	assert.Equal(t, "main", ShortSHA("main"))
	assert.Equal(t, "", ShortSHA(""))
	assert.Equal(t, strings.Repeat("ü", 39)+"…", ShortSHA(strings.Repeat("ü", 50)), "not a commit id: cut on a rune, not a byte")

	assert.Equal(t, "0123456789ab", ShortHash(sha))
	assert.Equal(t, "abc", ShortHash("abc"))
	assert.Equal(t, strings.Repeat("é", 12), ShortHash(strings.Repeat("é", 20)))

	assert.Equal(t, "first", FirstLine("first\nsecond"))
	assert.Equal(t, "only", FirstLine("only"))

	assert.Equal(t, "abc", Truncate("abc", 3))
	assert.Equal(t, "ab…", Truncate("abcd", 3))
	assert.Equal(t, "éé…", Truncate("éééé", 3))
}
