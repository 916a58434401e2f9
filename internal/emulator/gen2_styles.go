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

// normalizeMapLibre validates a MapLibre v8 style as
// MapLibreStyleNormalizer.TryNormalize does and injects the Honua source:
// sources["layer-{id}"] (always overwritten), and on every non-background
// layer a default source and, for the Honua vector source, source-layer
// "layer". Like the server it stops at the first problem, found in
// document order (layers by index, paint and layout members in the order
// written); the message is the server's, followed by the JSON pointer of
// the offending member. The checks (gen2_stylecheck.go) are the
// emulator's own reading of the C# source, independent of any client-side
// model of it.
func normalizeMapLibre(raw []byte, layerID int) (json.RawMessage, string) {
	doc, err := decodeOrdered(raw)
	if err != nil {
		return nil, "MapLibre style is not valid JSON."
	}
	root, ok := doc.(*ordObject)
	if !ok {
		return nil, "MapLibre style must be a JSON object."
	}
	if e := normalizeStyleRoot(root, layerID); e != nil {
		return nil, e.String()
	}
	out, err := json.Marshal(plainJSON(root))
	if err != nil {
		return nil, "MapLibre style is not valid JSON."
	}
	return out, ""
}

// styleError is the first problem found: the server's message and the
// JSON pointer of the member it is about.
type styleError struct {
	ptr, msg string
}

func (e *styleError) String() string {
	if e.ptr == "" {
		return e.msg
	}
	return e.msg + " (at " + e.ptr + ")"
}

func styleErrf(ptr, format string, args ...any) *styleError {
	return &styleError{ptr: ptr, msg: fmt.Sprintf(format, args...)}
}

func normalizeStyleRoot(root *ordObject, layerID int) *styleError {
	version, ok := styleVersion(root.get("version"))
	if !ok {
		return styleErrf("/version", "MapLibre style must include a version number.")
	}
	if version != 8 {
		return styleErrf("/version", "MapLibre style version must be 8.")
	}
	layers, ok := root.get("layers").([]any)
	if !ok || len(layers) == 0 {
		return styleErrf("/layers", "MapLibre style must include at least one layer.")
	}
	sources := &ordObject{m: map[string]any{}}
	if sv := root.get("sources"); sv != nil {
		m, ok := sv.(*ordObject)
		if !ok {
			return styleErrf("/sources", "MapLibre style sources must be a JSON object.")
		}
		sources = m
	}
	root.set("sources", sources)
	srcID := "layer-" + strconv.Itoa(layerID)
	sources.set(srcID, &ordObject{keys: []string{"type", "tiles", "minzoom", "maxzoom"}, m: map[string]any{
		"type": "vector", "tiles": []any{fmt.Sprintf("/tiles/%d/{z}/{x}/{y}.mvt", layerID)},
		"minzoom": json.Number("0"), "maxzoom": json.Number("22")}})
	seen := map[string]bool{}
	usesHonua := false
	for i, ln := range layers {
		path := "/layers/" + strconv.Itoa(i)
		lo, ok := ln.(*ordObject)
		if !ok {
			return styleErrf(path, "MapLibre style layer at index %d must be a JSON object.", i)
		}
		uses, e := normalizeStyleLayer(lo, i, path, sources, srcID, seen)
		if e != nil {
			return e
		}
		usesHonua = usesHonua || uses
	}
	if !usesHonua {
		return styleErrf("/layers", "MapLibre style must include a layer using the Honua tile source.")
	}
	return nil
}

func normalizeStyleLayer(lo *ordObject, index int, path string, sources *ordObject, srcID string, seen map[string]bool) (bool, *styleError) {
	lid, _ := lo.get("id").(string)
	if strings.TrimSpace(lid) == "" {
		return false, styleErrf(path+"/id", "MapLibre style layer at index %d must include a non-empty id.", index)
	}
	if seen[lid] {
		return false, styleErrf(path+"/id", "MapLibre style layer id '%s' is duplicated.", lid)
	}
	seen[lid] = true
	typ, _ := lo.get("type").(string)
	if strings.TrimSpace(typ) == "" {
		return false, styleErrf(path+"/type", "MapLibre style layer '%s' must include a non-empty type.", lid)
	}
	lt := strings.ToLower(typ)
	if !slices.Contains(gen2StyleLayerTypes, lt) {
		return false, styleErrf(path+"/type", "MapLibre style layer '%s' uses unsupported type '%s'.", lid, typ)
	}
	if e := checkZoom(lo, lid, path); e != nil {
		return false, e
	}
	for _, part := range []string{"paint", "layout"} {
		pv := lo.get(part)
		if pv == nil {
			continue
		}
		ppath := path + "/" + part
		pm, ok := pv.(*ordObject)
		if !ok {
			return false, styleErrf(ppath, "MapLibre style layer '%s' %s must be a JSON object.", lid, part)
		}
		for _, k := range pm.keys {
			kpath := ppath + "/" + pointerToken(k)
			allowed := (part == "paint" && slices.Contains(gen2PaintAllowed[lt], k)) ||
				(part == "layout" && (k == "visibility" || slices.Contains(gen2LayoutAllowed[lt], k)))
			if !allowed {
				return false, styleErrf(kpath, "MapLibre style layer '%s' uses unsupported %s property '%s'.", lid, part, k)
			}
			if e := checkStyleProperty(k, pm.m[k], lid, kpath); e != nil {
				return false, e
			}
		}
	}
	if f := lo.get("filter"); f != nil {
		fpath := path + "/filter"
		if _, ok := f.([]any); !ok {
			return false, styleErrf(fpath, "MapLibre style layer '%s' filter must be an expression array.", lid)
		}
		if e := checkStyleExpression(f, fmt.Sprintf("filter for MapLibre style layer '%s'", lid), fpath); e != nil {
			return false, e
		}
	}
	if lt == "background" {
		if lo.get("source") != nil {
			return false, styleErrf(path+"/source", "MapLibre background layer '%s' must not declare a source.", lid)
		}
		if lo.get("source-layer") != nil {
			return false, styleErrf(path+"/source-layer", "MapLibre background layer '%s' must not declare a source.", lid)
		}
		return false, nil
	}
	if lo.get("source") == nil {
		lo.set("source", srcID)
	}
	src, _ := lo.get("source").(string)
	if strings.TrimSpace(src) == "" {
		return false, styleErrf(path+"/source", "MapLibre style layer '%s' must include a non-empty source.", lid)
	}
	so, ok := sources.get(src).(*ordObject)
	if !ok {
		return false, styleErrf(path+"/source", "MapLibre style layer '%s' references undefined source '%s'.", lid, src)
	}
	stype, _ := so.get("type").(string)
	isHonua := strings.EqualFold(src, srcID)
	switch {
	case strings.TrimSpace(stype) == "":
		return false, styleErrf("/sources/"+pointerToken(src)+"/type", "MapLibre style source '%s' must include a non-empty type.", src)
	case strings.EqualFold(stype, "vector"):
		slpath := path + "/source-layer"
		if lo.get("source-layer") == nil {
			if !isHonua {
				return false, styleErrf(slpath, "MapLibre style layer '%s' must include source-layer for vector source '%s'.", lid, src)
			}
			lo.set("source-layer", gen2StyleSourceLy)
		}
		sl, _ := lo.get("source-layer").(string)
		if strings.TrimSpace(sl) == "" {
			return false, styleErrf(slpath, "MapLibre style layer '%s' must include a non-empty source-layer for vector source '%s'.", lid, src)
		}
		if isHonua && sl != gen2StyleSourceLy {
			return false, styleErrf(slpath, "MapLibre style layer '%s' must use source-layer '%s' for the Honua vector source.", lid, gen2StyleSourceLy)
		}
	case strings.EqualFold(stype, "geojson"):
		if lo.get("source-layer") != nil {
			return false, styleErrf(path+"/source-layer", "MapLibre style layer '%s' must not include source-layer for GeoJSON source '%s'.", lid, src)
		}
	default:
		return false, styleErrf(path+"/source", "MapLibre style layer '%s' type '%s' requires a vector or GeoJSON source, but source '%s' is '%s'.", lid, typ, src, stype)
	}
	return isHonua, nil
}

// checkZoom mirrors TryValidateZoomRange: both checked for finiteness
// first, then each range, then the order.
func checkZoom(lo *ordObject, lid, path string) *styleError {
	var zs [2]*float64
	names := []string{"minzoom", "maxzoom"}
	for i, k := range names {
		v := lo.get(k)
		if v == nil {
			continue
		}
		f, ok := finiteNumber(v)
		if !ok {
			return styleErrf(path+"/"+k, "MapLibre style layer '%s' %s must be a finite number.", lid, k)
		}
		zs[i] = &f
	}
	for i, k := range names {
		if zs[i] != nil && (*zs[i] < 0 || *zs[i] > 24) {
			return styleErrf(path+"/"+k, "MapLibre style layer '%s' %s must be between 0 and 24.", lid, k)
		}
	}
	if zs[0] != nil && zs[1] != nil && *zs[0] >= *zs[1] {
		return styleErrf(path+"/minzoom", "MapLibre style layer '%s' minzoom must be less than maxzoom.", lid)
	}
	return nil
}

// styleVersion mirrors TryGetVersion: a JSON integer that fits in 32 bits
// (8.0 does not), or a string holding one (" 8" and "+8" do).
func styleVersion(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 32)
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 32)
		return n, err == nil
	}
	return 0, false
}

// finiteNumber mirrors TryGetFiniteDouble: a JSON number with a finite
// double value (strings are not numbers).
func finiteNumber(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// pointerToken escapes an object member name for a JSON pointer.
func pointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
