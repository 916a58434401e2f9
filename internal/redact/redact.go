// Package redact removes secret values from everything the tool writes:
// registered values (resolved secrets, credentials) are replaced by *** in
// any stream they pass through, whatever the schema says about the field.
package redact

import (
	"bytes"
	"io"
	"slices"
	"sync"
)

// Mask replaces a secret value.
const Mask = "***"

// minLen avoids masking short values that would shred ordinary output.
const minLen = 4

// Redactor holds the values to hide. It is safe for concurrent use.
type Redactor struct {
	mu     sync.RWMutex
	values [][]byte
}

// Add registers values; empty and very short values are ignored.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) < minLen || slices.ContainsFunc(r.values, func(b []byte) bool { return string(b) == v }) {
			continue
		}
		r.values = append(r.values, []byte(v))
	}
	// Longest first, so a value containing another is masked whole.
	slices.SortFunc(r.values, func(a, b []byte) int { return len(b) - len(a) })
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
