package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// maxBodyBytes bounds request bodies; a 10,000-resource manifest is far
// below it.
const maxBodyBytes = 64 << 20

// errBinding marks a body that could not be bound: absent, not JSON, or of
// the wrong shape. Honua answers it with 400 and an empty body.
var errBinding = errors.New("request body could not be bound")

// errTooLarge marks a body over maxBodyBytes.
var errTooLarge = errors.New("request body too large")

// bindJSON decodes the request body into v.
func bindJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errTooLarge
		}
		return errBinding
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return errBinding
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return errBinding
	}
	return nil
}

// writeBindError answers a binding failure with an empty body.
func writeBindError(w http.ResponseWriter, err error) {
	if errors.Is(err, errTooLarge) {
		writeEmpty(w, http.StatusRequestEntityTooLarge)
		return
	}
	writeEmpty(w, http.StatusBadRequest)
}
