package document_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/honua-io/honua-gitops/internal/document"
)

// An alias bomb fails fast with a message instead of exhausting memory.
func TestAliasBombIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		b.WriteString("a" + string(rune('0'+i%10)) + string(rune('a'+i)) + ": &a" + string(rune('a'+i)) + " [")
		prev := "a0"
		if i > 1 {
			prev = "a" + string(rune('a'+i-1))
		}
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
	}
	start := time.Now()
	_, d := document.Parse("bomb.yaml", []byte(b.String()), document.YAML)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Contains(t, d.Error(), "document expands to more than")
}
