package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// The popup-info and drawing-info facets store a raw JSON object (or
// nothing) in resource.extensions (AdminLayerAuthoringEndpoints).
const (
	gen2PopupInfoKey   = "geoservices:popupInfo"
	gen2DrawingInfoKey = "geoservices:drawingInfo"
)

type g2DocumentView struct {
	LayerID  int             `json:"layerId"`
	Document json.RawMessage `json:"document,omitempty"`
}

// handleGen2GetDocument answers {layerId, document}; document is omitted
// when nothing is stored. 404 problem for an unknown layer.
func (s *Server) handleGen2GetDocument(key string) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request, p params) {
		id, ok := gen2LayerID(w, p)
		if !ok {
			return
		}
		g := s.gen2
		g.mu.Lock()
		l := g.layer(id)
		var out g2DocumentView
		if l != nil {
			out = g2DocumentView{LayerID: id, Document: l.Extensions[key]}
		}
		g.mu.Unlock()
		if l == nil {
			s.layerNotFound(w, id)
			return
		}
		s.writeDataV2(w, http.StatusOK, out, "")
	}
}

// handleGen2PutDocument stores the body verbatim; null or an empty body
// clears it; anything but an object is a 400 problem. Every PUT is a new
// revision.
func (s *Server) handleGen2PutDocument(facet, key, kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p params) {
		id, ok := gen2LayerID(w, p)
		if !ok {
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			writeEmpty(w, http.StatusBadRequest)
			return
		}
		raw = bytes.TrimSpace(raw)
		clearing := len(raw) == 0 || string(raw) == "null"
		if !clearing && !json.Valid(raw) {
			writeEmpty(w, http.StatusBadRequest)
			return
		}
		s.gen2.mu.Lock()
		found := s.gen2.layer(id) != nil
		s.gen2.mu.Unlock()
		if !found {
			s.layerNotFound(w, id)
			return
		}
		if !clearing && raw[0] != '{' {
			s.writeProblem(w, http.StatusBadRequest, "Bad Request", "The document must be a JSON object (or null to clear).")
			return
		}
		var stored json.RawMessage
		if !clearing {
			stored = append(json.RawMessage{}, raw...)
		}
		var out g2DocumentView
		ok = s.gen2GraphWrite(w, r, Identity{Kind: kind, Namespace: s.gen2Env(), Name: strconv.Itoa(id)}, "layer."+facet, strconv.Itoa(id), func(g *gen2Store) error {
			l := g.layer(id)
			if l == nil {
				return errGen2Gone
			}
			if stored == nil {
				delete(l.Extensions, key)
			} else {
				if l.Extensions == nil {
					l.Extensions = map[string]json.RawMessage{}
				}
				l.Extensions[key] = stored
			}
			out = g2DocumentView{LayerID: id, Document: stored}
			return nil
		})
		if ok {
			s.writeDataV2(w, http.StatusOK, out, "")
		}
	}
}
