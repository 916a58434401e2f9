package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// GeoServices REST serving endpoints (/rest/services…), answered from the
// serving catalog. They require the API key; on Generation 2 a service
// whose protocols do not include FeatureServer is not listed and its
// FeatureServer routes answer 404. Metadata answers carry an ETag that is
// a hash of the body, so it compares across replicas.

type gsServiceEntry struct {
	Name string `json:"name"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

type gsLayerEntry struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

type gsFeatureServer struct {
	ServiceDescription string         `json:"serviceDescription"`
	Layers             []gsLayerEntry `json:"layers"`
}

type gsLayer struct {
	ID          int              `json:"id"`
	Name        string           `json:"name"`
	Type        string           `json:"type"`
	Description string           `json:"description"`
	Fields      []map[string]any `json:"fields"`
}

func featureServerURL(r *http.Request, svc string) string {
	return baseURL(r) + "/rest/services/" + url.PathEscape(svc) + "/FeatureServer"
}

func (s *Server) handleGSCatalog(w http.ResponseWriter, r *http.Request, _ params) {
	out := struct {
		Services []gsServiceEntry `json:"services"`
	}{Services: []gsServiceEntry{}}
	for _, sv := range s.servingCatalog().Services {
		if sv.FeatureServer {
			out.Services = append(out.Services, gsServiceEntry{Name: sv.Name, Type: "FeatureServer", URL: featureServerURL(r, sv.Name)})
		}
	}
	s.writeJSON(w, http.StatusOK, contentTypeJSON, out)
}

// featureService finds the {svc} of the route, answering 404 when it is
// unknown or does not offer FeatureServer.
func (s *Server) featureService(w http.ResponseWriter, p params) (servingService, bool) {
	sv, ok := s.servingCatalog().service(p["svc"])
	if !ok || !sv.FeatureServer {
		writeEmpty(w, http.StatusNotFound)
		return servingService{}, false
	}
	return sv, true
}

func (s *Server) handleGSFeatureServer(w http.ResponseWriter, _ *http.Request, p params) {
	sv, ok := s.featureService(w, p)
	if !ok {
		return
	}
	out := gsFeatureServer{ServiceDescription: sv.Name, Layers: []gsLayerEntry{}}
	for _, l := range sv.Layers {
		out.Layers = append(out.Layers, gsLayerEntry{ID: l.LayerIndex, Name: l.Name})
	}
	s.writeTaggedJSON(w, out)
}

func (s *Server) handleGSLayer(w http.ResponseWriter, _ *http.Request, p params) {
	sv, ok := s.featureService(w, p)
	if !ok {
		return
	}
	id, err := strconv.Atoi(p["layerId"])
	if err != nil {
		writeEmpty(w, http.StatusNotFound)
		return
	}
	for _, l := range sv.Layers {
		if l.LayerIndex == id {
			s.writeTaggedJSON(w, gsLayer{ID: id, Name: l.Name, Type: "Feature Layer", Description: l.Description, Fields: []map[string]any{}})
			return
		}
	}
	writeEmpty(w, http.StatusNotFound)
}

// writeTaggedJSON answers 200 with v and an ETag that is the quoted
// SHA-256 of the body.
func (s *Server) writeTaggedJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode response", "error", err)
		writeEmpty(w, http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(body)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
