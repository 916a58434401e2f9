package redact_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/honua-io/honua-gitops/internal/redact"
)

func TestRedactor(t *testing.T) {
	r := &redact.Redactor{}
	r.Add("hunter2-long", "abc", "", "hunter2-long-and-longer")
	var buf bytes.Buffer
	w := r.Writer(&buf)
	fmt.Fprint(w, "pw=hunter2-long-and-longer key=hunter2-long short=abc")
	assert.Equal(t, "pw=*** key=*** short=abc", buf.String(), "longest first; short values are not masked")
	assert.Equal(t, 1, r.Short())

	// Issue 9 item 4: a short credential is not turned into a dictionary
	// of where it appears; it is counted, so callers can warn.
	k := &redact.Redactor{}
	k.Add("staging")
	assert.Equal(t, "deploying staging", k.String("deploying staging"))
	assert.Equal(t, 1, k.Short())
	assert.Contains(t, redact.ShortWarning(1), "shorter than 12 characters")

	base := errors.New("dial: token hunter2-long rejected")
	err := r.Error(fmt.Errorf("apply: %w", base))
	assert.Equal(t, "apply: dial: token *** rejected", err.Error())
	assert.ErrorIs(t, err, base, "the chain survives")
}
