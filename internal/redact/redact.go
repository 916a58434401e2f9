// Package redact removes secret values from everything the tool writes:
// registered values (resolved secrets, credentials) are replaced by *** in
// any stream they pass through, whatever the schema says about the field.
package redact

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"sync"
)

// Mask replaces a secret value.
const Mask = "***"

// MinLen is the shortest value masked. Masking a short one would turn it
// into a dictionary of where it appears (with a key of "staging", every
// "staging" in the output would become ***, telling everyone the key):
// shorter values are not masked, and callers warn about them (Short).
const MinLen = 12

// Redactor holds the values to hide. It is safe for concurrent use.
type Redactor struct {
	mu     sync.RWMutex
	values [][]byte
	short  int
}

// Add registers values; empty ones are ignored, and ones shorter than
// MinLen are counted (Short) instead of masked.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		switch {
		case v == "" || slices.ContainsFunc(r.values, func(b []byte) bool { return string(b) == v }):
			continue
		case len(v) < MinLen:
			r.short++
			continue
		}
		r.values = append(r.values, []byte(v))
	}
	// Longest first, so a value containing another is masked whole.
	slices.SortFunc(r.values, func(a, b []byte) int { return len(b) - len(a) })
}

// Short counts the values Add did not mask because they are shorter than
// MinLen: credentials or secrets too short to hide.
func (r *Redactor) Short() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.short
}

// ShortWarning is what to tell people when Short is not zero.
func ShortWarning(n int) string {
	return fmt.Sprintf("%d credential or secret value(s) are shorter than %d characters and cannot be masked safely in output (masking would reveal every place the value appears); use longer values", n, MinLen)
}

// Bytes returns p with every registered value masked.
func (r *Redactor) Bytes(p []byte) []byte {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.values {
		if bytes.Contains(p, v) {
			p = bytes.ReplaceAll(p, v, []byte(Mask))
		}
	}
	return p
}

// String masks a string.
func (r *Redactor) String(s string) string { return string(r.Bytes([]byte(s))) }

// Writer wraps w so that everything written through it is masked. Writes
// are masked one call at a time; the tool writes whole lines or documents.
func (r *Redactor) Writer(w io.Writer) io.Writer { return &writer{r: r, w: w} }

type writer struct {
	r *Redactor
	w io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	if _, err := w.w.Write(w.r.Bytes(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Error masks an error's message and keeps the error chain, so callers can
// still tell what kind of error it was.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return &maskedError{msg: r.String(err.Error()), err: err}
}

type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }
