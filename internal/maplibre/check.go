package maplibre

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Check reports every property or expression of style that a Honua Gen2
// server would reject on PUT /ogc/styles/{styleId}. It does not know the
// target layer's integer id, so it takes any source named "layer-{n}" to
// be the Honua tile source and reports only what does not depend on the
// id; use CheckLayer once the id is known. Problems come in document order
// (layers by index, object members by sorted name); nil means the server
// accepts the style. Check does not modify style.
func Check(style map[string]any) []Problem {
	return check(style, honuaAny, 0)
}

// CheckLayer is Check for the layer with integer id layerID: only the
// source "layer-{layerID}" is the Honua tile source, as on the server.
// It also reports a sources["layer-{layerID}"] member that differs from
// the source the server writes there (see Normalise), because the server
// would silently replace it and the difference could never be applied.
func CheckLayer(style map[string]any, layerID int) []Problem {
	return check(style, SourceID(layerID), layerID)
}

// honuaAny stands for "the Honua source id is not known".
const honuaAny = ""

func check(style map[string]any, honua string, layerID int) []Problem {
	c := &collector{}
	if style == nil {
		c.add("", "a MapLibre style must be a JSON object")
		return c.problems
	}
	root, _ := canonical(style, "", c).(map[string]any)
	validate(root, honua, layerID, c)
	return c.problems
}

// validate checks a canonical style. It does not modify root.
func validate(root map[string]any, honua string, layerID int, c *collector) {
	checkVersion(root, c)
	var sources map[string]any
	if sv := root["sources"]; sv != nil {
		m, ok := sv.(map[string]any)
		if !ok {
			c.add("/sources", "sources must be a JSON object, not %s", describe(sv))
		}
		sources = m
	}
	if own, present := sources[honua]; honua != honuaAny && present {
		if want := honuaSource(layerID); !reflect.DeepEqual(own, want) {
			c.add(child("/sources", honua), "the server silently replaces source %q with its own tile source "+
				"{type: vector, tiles: [%q], minzoom: 0, maxzoom: 22}; remove it from the style or write exactly that",
				honua, TileURL(layerID))
		}
	}
	layers, ok := root["layers"].([]any)
	if !ok || len(layers) == 0 {
		c.add("/layers", "a MapLibre style must include at least one layer")
		return
	}
	v := &layerValidator{sources: sources, honua: honua, seen: map[string]bool{}, c: c}
	for i, l := range layers {
		v.layer(l, index("/layers", i))
	}
	if !v.usesHonua {
		want := `"` + honua + `"`
		if honua == honuaAny {
			want = `"layer-{id}"`
		}
		c.add("/layers", "at least one layer must use the Honua tile source %s (omit source to get it)", want)
	}
}

// checkVersion mirrors TryGetVersion: an integer 8, or a string holding
// the integer 8.
func checkVersion(root map[string]any, c *collector) {
	v, present := root["version"]
	if !present || v == nil {
		c.add("/version", "a MapLibre style must include version 8")
		return
	}
	var n int
	switch x := v.(type) {
	case float64:
		if x != float64(int32(x)) {
			c.add("/version", "version must be the integer 8, not %s", describe(v))
			return
		}
		n = int(x)
	case string:
		p, err := strconv.ParseInt(strings.TrimSpace(x), 10, 32)
		if err != nil {
			c.add("/version", "version must be the integer 8, not %s", describe(v))
			return
		}
		n = int(p)
	default:
		c.add("/version", "version must be the integer 8, not %s", describe(v))
		return
	}
	if n != 8 {
		c.add("/version", "MapLibre style version must be 8, not %d", n)
	}
}

// layerValidator carries the state TryValidateLayer shares across layers.
type layerValidator struct {
	sources   map[string]any // the style's own sources (may be nil)
	honua     string         // Honua source id, or honuaAny
	seen      map[string]bool
	usesHonua bool
	c         *collector
}

// isHonua reports whether a layer's source names the Honua tile source
// (case-insensitively, as the server compares).
func (v *layerValidator) isHonua(src string) bool {
	if v.honua != honuaAny {
		return strings.EqualFold(src, v.honua)
	}
	return looksLikeSourceID(src)
}

// looksLikeSourceID reports whether s has the form layer-{int}.
func looksLikeSourceID(s string) bool {
	if len(s) <= len("layer-") || !strings.EqualFold(s[:len("layer-")], "layer-") {
		return false
	}
	n, err := strconv.Atoi(s[len("layer-"):])
	return err == nil && strconv.Itoa(n) == s[len("layer-"):]
}

// source returns the source object a layer's source names after the
// server has written the Honua source (always a vector source).
func (v *layerValidator) source(src string) (map[string]any, bool) {
	if src == v.honua || (v.honua == honuaAny && strings.HasPrefix(src, "layer-") && looksLikeSourceID(src)) {
		return honuaSource(0), true
	}
	m, ok := v.sources[src].(map[string]any)
	return m, ok
}

func (v *layerValidator) layer(l any, path string) {
	c := v.c
	lo, ok := l.(map[string]any)
	if !ok {
		c.add(path, "a layer must be a JSON object, not %s", describe(l))
		return
	}
	if t, _ := str(lo["type"]); !strings.EqualFold(t, "background") {
		// A layer meant for the Honua source counts even when it has
		// other problems, so that they are not followed by a misleading
		// "no layer uses the Honua source".
		if s, isStr := str(lo["source"]); lo["source"] == nil || isStr && v.isHonua(s) {
			v.usesHonua = true
		}
	}
	id, _ := str(lo["id"])
	if blank(id) {
		c.add(child(path, "id"), "a layer must have a non-empty string id")
	} else if v.seen[id] {
		c.add(child(path, "id"), "layer id %q is duplicated", id)
	}
	v.seen[id] = true

	typ, _ := str(lo["type"])
	if blank(typ) {
		c.add(child(path, "type"), "a layer must have a non-empty type (allowed: %s)", allowedList(LayerTypes))
		return
	}
	lt, ok := supportedType(typ)
	if !ok {
		c.add(child(path, "type"), "layer type %q is not accepted by Honua's MapLibre normaliser (allowed: %s)", typ, allowedList(LayerTypes))
		return
	}
	checkZoom(lo, path, c)
	v.members(lo, "paint", PaintProperties[lt], lt, path)
	v.members(lo, "layout", LayoutProperties[lt], lt, path)
	if f := lo["filter"]; f != nil {
		if _, ok := f.([]any); !ok {
			c.add(child(path, "filter"), "filter must be an expression array, not %s", describe(f))
		} else {
			checkExpression(f, child(path, "filter"), c)
		}
	}
	v.layerSource(lo, lt, path)
}

// members checks a paint or layout object against its allow-list.
func (v *layerValidator) members(lo map[string]any, part string, allowed []string, lt, path string) {
	pv := lo[part]
	if pv == nil {
		return
	}
	ppath := child(path, part)
	pm, ok := pv.(map[string]any)
	if !ok {
		v.c.add(ppath, "%s must be a JSON object, not %s", part, describe(pv))
		return
	}
	for _, k := range sortedKeys(pm) {
		kpath := child(ppath, k)
		if !slices.Contains(allowed, k) {
			v.c.add(kpath, "%s property %q is not accepted for %s layers by Honua's MapLibre normaliser (allowed: %s)",
				part, k, lt, allowedList(allowed))
			continue
		}
		checkProperty(k, pm[k], kpath, v.c)
	}
}

// checkZoom mirrors TryValidateZoomRange.
func checkZoom(lo map[string]any, path string, c *collector) {
	var z [2]*float64
	for i, k := range []string{"minzoom", "maxzoom"} {
		raw := lo[k]
		if raw == nil {
			continue
		}
		f, ok := finite(raw)
		switch {
		case !ok:
			c.add(child(path, k), "%s must be a finite number, not %s", k, describe(raw))
		case f < 0 || f > 24:
			c.add(child(path, k), "%s must be between 0 and 24, not %s", k, describe(raw))
		default:
			z[i] = &f
		}
	}
	if z[0] != nil && z[1] != nil && *z[0] >= *z[1] {
		c.add(child(path, "minzoom"), "minzoom must be less than maxzoom")
	}
}

// layerSource mirrors the source / source-layer part of TryValidateLayer.
func (v *layerValidator) layerSource(lo map[string]any, lt, path string) {
	c := v.c
	spath, slpath := child(path, "source"), child(path, "source-layer")
	if lt == "background" {
		if lo["source"] != nil {
			c.add(spath, "a background layer must not declare a source")
		}
		if lo["source-layer"] != nil {
			c.add(slpath, "a background layer must not declare a source-layer")
		}
		return
	}
	sv := lo["source"]
	if sv == nil {
		// The server fills in the Honua source.
		if sl := lo["source-layer"]; sl != nil && sl != SourceLayer {
			c.add(slpath, "source-layer must be %q for the Honua vector source, not %s", SourceLayer, describe(sl))
		}
		return
	}
	src, _ := str(sv)
	if blank(src) {
		c.add(spath, "source must be a non-empty string, not %s", describe(sv))
		return
	}
	so, ok := v.source(src)
	if !ok {
		c.add(spath, "source %q is not defined in sources", src)
		return
	}
	stype, _ := str(so["type"])
	honua := v.isHonua(src)
	v.usesHonua = v.usesHonua || honua
	switch {
	case blank(stype):
		c.add(child(child("/sources", src), "type"), "source %q must have a non-empty type", src)
		return
	case strings.EqualFold(stype, "vector"):
		sl, present := lo["source-layer"]
		if !present || sl == nil {
			if !honua {
				c.add(slpath, "source-layer is required for vector source %q", src)
				return
			}
			sl = SourceLayer
		}
		sls, _ := str(sl)
		if blank(sls) {
			c.add(slpath, "source-layer must be a non-empty string for vector source %q, not %s", src, describe(sl))
			return
		}
		if honua && sls != SourceLayer {
			c.add(slpath, "source-layer must be %q for the Honua vector source, not %q", SourceLayer, sls)
			return
		}
	case strings.EqualFold(stype, "geojson"):
		if lo["source-layer"] != nil {
			c.add(slpath, "source-layer must not be set for GeoJSON source %q", src)
			return
		}
	default:
		c.add(spath, "%s layers need a vector or GeoJSON source, but source %q is %q", lt, src, stype)
		return
	}
}
