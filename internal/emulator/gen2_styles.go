package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// OGC API Styles (/ogc/styles): styleId is the layer's resource name
// (case-sensitive). The emulator serves MapLibre only; PUT normalises the
// style as MapLibreStyleNormalizer does and stores it in the graph.

const (
	mapLibreMediaType = "application/vnd.mapbox.style+json"
	gen2StyleSourceLy = "layer"
)

var (
	gen2StyleLayerTypes = []string{"background", "circle", "fill", "line", "symbol"}
	gen2PaintAllowed    = map[string][]string{
		"circle": {"circle-color", "circle-opacity", "circle-radius", "circle-stroke-color", "circle-stroke-opacity", "circle-stroke-width"},
		"fill":   {"fill-antialias", "fill-color", "fill-opacity", "fill-outline-color"},
		"line":   {"line-color", "line-dasharray", "line-opacity", "line-width"},
		"symbol": {"icon-color", "icon-opacity", "text-color", "text-opacity", "text-halo-color", "text-halo-width", "text-halo-blur"},
	}
	gen2LayoutAllowed = map[string][]string{
		"line":   {"line-cap", "line-join"},
		"symbol": {"icon-image", "icon-offset", "icon-rotate", "icon-size", "text-field", "text-font", "text-size"},
	}
)

// writeOGCProblem answers an OGC problem (type about:blank).
func (s *Server) writeOGCProblem(w http.ResponseWriter, status int, detail string) {
	s.writeJSON(w, status, contentTypeProblem, problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
}

// styleLayer finds the layer whose resource name is styleID, exactly.
func (g *gen2Store) styleLayer(styleID string) *g2Layer {
	for _, l := range g.d.Layers {
		if l.LayerName == styleID {
			return l
		}
	}
	return nil
}

func (s *Server) handleGen2ListStyles(w http.ResponseWriter, _ *http.Request, _ params) {
	type link struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
		Type string `json:"type"`
	}
	type entry struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Links []link `json:"links"`
	}
	out := struct {
		Styles []entry `json:"styles"`
		Links  []link  `json:"links"`
	}{Styles: []entry{}, Links: []link{{Href: "/ogc/styles", Rel: "self", Type: "application/json"}}}
	g := s.gen2
	g.mu.Lock()
	for _, l := range g.d.Layers {
		if l.Style != nil {
			out.Styles = append(out.Styles, entry{ID: l.LayerName, Title: l.LayerName,
				Links: []link{{Href: "/ogc/styles/" + l.LayerName, Rel: "stylesheet", Type: mapLibreMediaType}}})
		}
	}
	g.mu.Unlock()
	s.writeBareV2(w, http.StatusOK, contentTypeJSON, out)
}

func (s *Server) handleGen2GetStyle(w http.ResponseWriter, r *http.Request, p params) {
	if acc := r.Header.Get("Accept"); acc != "" && !strings.Contains(acc, mapLibreMediaType) &&
		!strings.Contains(acc, "application/json") && !strings.Contains(acc, "*/*") {
		s.writeOGCProblem(w, http.StatusNotAcceptable, "The emulator serves MapLibre stylesheets only.")
		return
	}
	g := s.gen2
	g.mu.Lock()
	l := g.styleLayer(p["styleId"])
	var style json.RawMessage
	if l != nil {
		style = l.Style
	}
	g.mu.Unlock()
	if style == nil {
		s.writeOGCProblem(w, http.StatusNotFound, fmt.Sprintf("Style '%s' was not found.", p["styleId"]))
		return
	}
	var v any
	_ = json.Unmarshal(style, &v)
	s.writeBareV2(w, http.StatusOK, mapLibreMediaType, v)
}

// handleGen2PutStyle answers 204 after normalising and storing a MapLibre
// style; 400 invalid, 404 unknown styleId, 413 over 1 MiB, 415 any other
// media type (Esri drawingInfo is not emulated yet).
func (s *Server) handleGen2PutStyle(w http.ResponseWriter, r *http.Request, p params) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != mapLibreMediaType && mt != "application/json" {
		s.writeOGCProblem(w, http.StatusUnsupportedMediaType, "Send the style as "+mapLibreMediaType+".")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
	if err != nil {
		writeEmpty(w, http.StatusBadRequest)
		return
	}
	if len(raw) > 1<<20 {
		s.writeOGCProblem(w, http.StatusRequestEntityTooLarge, "The style exceeds 1 MiB.")
		return
	}
	id := p["styleId"]
	g := s.gen2
	g.mu.Lock()
	l := g.styleLayer(id)
	layerID := 0
	if l != nil {
		layerID = l.LayerID
	}
	g.mu.Unlock()
	if l == nil {
		s.writeOGCProblem(w, http.StatusNotFound, fmt.Sprintf("Style '%s' was not found.", id))
		return
	}
	norm, msg := normalizeMapLibre(raw, layerID)
	if msg != "" {
		s.writeOGCProblem(w, http.StatusBadRequest, msg)
		return
	}
	ok := s.gen2GraphWrite(w, r, Identity{Kind: "Style", Namespace: s.gen2Env(), Name: id}, "style", id, func(g *gen2Store) error {
		l := g.styleLayer(id)
		if l == nil {
			return errGen2Gone
		}
		l.Style = norm
		l.StyleDrawingInfo = drawingInfoFor(l)
		l.stampStyle(s.now(), "", "")
		return nil
	})
	if ok {
		writeEmpty(w, http.StatusNoContent)
	}
}

// normalizeMapLibre validates a MapLibre v8 style and injects the Honua
// source: sources["layer-{id}"] (always overwritten), and on every
// non-background layer a default source and, for the Honua vector
// source, source-layer "layer". Unsupported layer types and paint/layout
// properties are rejected, as the newest normaliser does. Value checks
// (colours, expressions) are not emulated.
func normalizeMapLibre(raw []byte, layerID int) (json.RawMessage, string) {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil || root == nil {
		return nil, "MapLibre style must be a JSON object."
	}
	if v, ok := root["version"].(float64); !ok {
		return nil, "MapLibre style must include a version number."
	} else if v != 8 {
		return nil, "MapLibre style version must be 8."
	}
	layers, ok := root["layers"].([]any)
	if !ok || len(layers) == 0 {
		return nil, "MapLibre style must include at least one layer."
	}
	sources := map[string]any{}
	if sv, present := root["sources"]; present && sv != nil {
		m, ok := sv.(map[string]any)
		if !ok {
			return nil, "MapLibre style sources must be a JSON object."
		}
		sources = m
	}
	srcID := "layer-" + strconv.Itoa(layerID)
	sources[srcID] = map[string]any{"type": "vector", "tiles": []any{fmt.Sprintf("/tiles/%d/{z}/{x}/{y}.mvt", layerID)}, "minzoom": 0, "maxzoom": 22}
	root["sources"] = sources
	seen := map[string]bool{}
	usesHonua := false
	for i, ln := range layers {
		lo, ok := ln.(map[string]any)
		if !ok {
			return nil, fmt.Sprintf("MapLibre style layer at index %d must be a JSON object.", i)
		}
		lid, _ := lo["id"].(string)
		if strings.TrimSpace(lid) == "" {
			return nil, fmt.Sprintf("MapLibre style layer at index %d must include a non-empty id.", i)
		}
		if seen[lid] {
			return nil, fmt.Sprintf("MapLibre style layer id '%s' is duplicated.", lid)
		}
		seen[lid] = true
		typ, _ := lo["type"].(string)
		if strings.TrimSpace(typ) == "" {
			return nil, fmt.Sprintf("MapLibre style layer '%s' must include a non-empty type.", lid)
		}
		lt := strings.ToLower(typ)
		if !slices.Contains(gen2StyleLayerTypes, lt) {
			return nil, fmt.Sprintf("MapLibre style layer '%s' uses unsupported type '%s'.", lid, typ)
		}
		if msg := checkZoom(lo, lid); msg != "" {
			return nil, msg
		}
		for _, part := range []string{"paint", "layout"} {
			pv, present := lo[part]
			if !present || pv == nil {
				continue
			}
			pm, ok := pv.(map[string]any)
			if !ok {
				return nil, fmt.Sprintf("MapLibre style layer '%s' %s must be a JSON object.", lid, part)
			}
			for k := range pm {
				allowed := (part == "paint" && slices.Contains(gen2PaintAllowed[lt], k)) ||
					(part == "layout" && (k == "visibility" || slices.Contains(gen2LayoutAllowed[lt], k)))
				if !allowed {
					return nil, fmt.Sprintf("MapLibre style layer '%s' uses unsupported %s property '%s'.", lid, part, k)
				}
			}
		}
		if f, present := lo["filter"]; present && f != nil {
			if _, ok := f.([]any); !ok {
				return nil, fmt.Sprintf("MapLibre style layer '%s' filter must be an expression array.", lid)
			}
		}
		if lt == "background" {
			if lo["source"] != nil || lo["source-layer"] != nil {
				return nil, fmt.Sprintf("MapLibre background layer '%s' must not declare a source.", lid)
			}
			continue
		}
		if lo["source"] == nil {
			lo["source"] = srcID
		}
		src, _ := lo["source"].(string)
		if strings.TrimSpace(src) == "" {
			return nil, fmt.Sprintf("MapLibre style layer '%s' must include a non-empty source.", lid)
		}
		so, ok := sources[src].(map[string]any)
		if !ok {
			return nil, fmt.Sprintf("MapLibre style layer '%s' references undefined source '%s'.", lid, src)
		}
		stype, _ := so["type"].(string)
		isHonua := strings.EqualFold(src, srcID)
		switch strings.ToLower(stype) {
		case "":
			return nil, fmt.Sprintf("MapLibre style source '%s' must include a non-empty type.", src)
		case "vector":
			if lo["source-layer"] == nil {
				if !isHonua {
					return nil, fmt.Sprintf("MapLibre style layer '%s' must include source-layer for vector source '%s'.", lid, src)
				}
				lo["source-layer"] = gen2StyleSourceLy
			}
			sl, _ := lo["source-layer"].(string)
			if strings.TrimSpace(sl) == "" {
				return nil, fmt.Sprintf("MapLibre style layer '%s' must include a non-empty source-layer for vector source '%s'.", lid, src)
			}
			if isHonua && sl != gen2StyleSourceLy {
				return nil, fmt.Sprintf("MapLibre style layer '%s' must use source-layer '%s' for the Honua vector source.", lid, gen2StyleSourceLy)
			}
		case "geojson":
			if lo["source-layer"] != nil {
				return nil, fmt.Sprintf("MapLibre style layer '%s' must not include source-layer for GeoJSON source '%s'.", lid, src)
			}
		default:
			return nil, fmt.Sprintf("MapLibre style layer '%s' type '%s' requires a vector or GeoJSON source, but source '%s' is '%s'.", lid, typ, src, stype)
		}
		usesHonua = usesHonua || isHonua
	}
	if !usesHonua {
		return nil, "MapLibre style must include a layer using the Honua tile source."
	}
	out, err := json.Marshal(root)
	if err != nil {
		return nil, "MapLibre style is not valid JSON."
	}
	return out, ""
}

func checkZoom(lo map[string]any, lid string) string {
	var zs [2]*float64
	for i, k := range []string{"minzoom", "maxzoom"} {
		v, present := lo[k]
		if !present || v == nil {
			continue
		}
		f, ok := v.(float64)
		if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Sprintf("MapLibre style layer '%s' %s must be a finite number.", lid, k)
		}
		if f < 0 || f > 24 {
			return fmt.Sprintf("MapLibre style layer '%s' %s must be between 0 and 24.", lid, k)
		}
		zs[i] = &f
	}
	if zs[0] != nil && zs[1] != nil && *zs[0] >= *zs[1] {
		return fmt.Sprintf("MapLibre style layer '%s' minzoom must be less than maxzoom.", lid)
	}
	return ""
}
