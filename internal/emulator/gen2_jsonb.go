package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// jsonbOrder re-encodes v with every object's keys in PostgreSQL JSONB
// order: shorter keys first, keys of equal length bytewise. Honua keeps
// the environment graph (and every facet read from it) in a jsonb column,
// so a real server returns stored objects in that order, not in the order
// written and not alphabetically (honua-gen2-facets.md, "Corrections" 8).
// The emulator applies it to every Generation 2 payload so that clients
// that compare by text instead of by parsed value fail against it.
func jsonbOrder(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSONB(&buf, generic); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// jsonbLess orders keys as JSONB does.
func jsonbLess(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func writeJSONB(buf *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case map[string]any:
		ks := make([]string, 0, len(t))
		for k := range t {
			ks = append(ks, k)
		}
		slices.SortFunc(ks, jsonbLess)
		buf.WriteByte('{')
		for i, k := range ks {
			if i > 0 {
				buf.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			buf.Write(kb)
			buf.WriteByte(':')
			if err := writeJSONB(buf, t[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSONB(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return nil
}

// writeDataV2 answers with the success envelope around a JSONB-ordered
// payload.
func (s *Server) writeDataV2(w http.ResponseWriter, status int, data any, message string) {
	raw, err := jsonbOrder(data)
	if err != nil {
		s.log.Error("encode response", "error", err)
		writeEmpty(w, http.StatusInternalServerError)
		return
	}
	s.writeData(w, status, raw, message)
}

// writeBareV2 answers with a bare JSONB-ordered document (inventory,
// capability manifest).
func (s *Server) writeBareV2(w http.ResponseWriter, status int, contentType string, data any) {
	raw, err := jsonbOrder(data)
	if err != nil {
		s.log.Error("encode response", "error", err)
		writeEmpty(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}
