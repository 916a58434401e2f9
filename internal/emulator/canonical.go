package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// errNotObject reports a spec that is not a JSON object.
var errNotObject = errors.New("not a JSON object")

// parseObject decodes raw JSON that must be an object, keeping every number
// as its raw text.
func parseObject(raw json.RawMessage) (map[string]any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errNotObject
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errNotObject
	}
	return obj, nil
}

// canonicalJSON encodes v with object keys sorted ordinally, array order
// kept and numbers written as their json.Number text. It is the form specs
// are hashed and stored in.
func canonicalJSON(v any) (json.RawMessage, error) {
	out, err := json.Marshal(v) // encoding/json sorts map keys
	if err != nil {
		return nil, fmt.Errorf("encode canonical JSON: %w", err)
	}
	return out, nil
}

// specHash is Honua's spec hash: lowercase hex SHA-256 over the canonical
// JSON. The canonical text is Go's, not .NET's, so values differ from a real
// server's (see README.md).
func specHash(canonical json.RawMessage) string {
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

// hashedEntry is one resource's contribution to a manifest hash.
type hashedEntry struct {
	id              Identity
	resourceVersion string
	spec            json.RawMessage
}

// manifestHash is SHA-256 over kind|ns|name|resourceVersion|canonicalSpec of
// every entry, one per line, in case-insensitive identity order.
func manifestHash(entries []hashedEntry) string {
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b hashedEntry) int { return compareIdentity(a.id, b.id) })
	h := sha256.New()
	for _, e := range sorted {
		line := strings.Join([]string{e.id.Kind, e.id.Namespace, e.id.Name, e.resourceVersion, string(e.spec)}, "|")
		_, _ = io.WriteString(h, line+"\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}
