package maplibre

import (
	"fmt"
	"strconv"
	"strings"
)

// SourceLayer is the vector-tile layer name of the Honua tile source
// (StyleDefaults.SourceLayerName).
const SourceLayer = "layer"

// SourceID is the id of the Honua tile source for a layer
// (StyleDefaults.GetSourceId): "layer-{layerID}".
func SourceID(layerID int) string { return "layer-" + strconv.Itoa(layerID) }

// TileURL is the Honua vector tile URL template for a layer
// (StyleDefaults.GetTileUrl).
func TileURL(layerID int) string { return fmt.Sprintf("/tiles/%d/{z}/{x}/{y}.mvt", layerID) }

// honuaSource is the source object the server writes to
// sources["layer-{id}"] (BuildSourceNode), in canonical form.
func honuaSource(layerID int) map[string]any {
	return map[string]any{
		"type":    "vector",
		"tiles":   []any{TileURL(layerID)},
		"minzoom": float64(0),
		"maxzoom": float64(22),
	}
}

// Normalise returns a deep copy of style in the form a Honua Gen2 server
// stores it for the layer with integer id layerID, or a Problems error
// when CheckLayer reports any problem. It changes exactly what
// MapLibreStyleNormalizer.TryNormalize changes:
//
//   - sources["layer-{layerID}"] is set to the Honua vector source
//     {type: vector, tiles: ["/tiles/{layerID}/{z}/{x}/{y}.mvt"],
//     minzoom: 0, maxzoom: 22}; a missing or null sources member becomes
//     an object holding just it (a different source already under that
//     name would be silently replaced, so CheckLayer reports it and
//     Normalise refuses the style);
//   - each non-background layer whose source is missing or null gets
//     source "layer-{layerID}";
//   - each layer on the Honua vector source (case-insensitive name) whose
//     source-layer is missing or null gets source-layer "layer".
//
// Everything else (version as written, name, metadata, sprite, glyphs,
// unknown top-level and layer members, null members, layer ids and
// order, other sources) is kept unchanged. No StyleDefaults paint
// defaults are applied: those only build styles for unstyled layers.
// Numbers are returned as float64. Normalise is idempotent.
func Normalise(style map[string]any, layerID int) (map[string]any, error) {
	if ps := CheckLayer(style, layerID); len(ps) > 0 {
		return nil, Problems(ps)
	}
	c := &collector{}
	root := canonical(style, "", c).(map[string]any)
	srcID := SourceID(layerID)
	sources, _ := root["sources"].(map[string]any)
	if sources == nil {
		sources = map[string]any{}
	}
	sources[srcID] = honuaSource(layerID)
	root["sources"] = sources
	for _, l := range root["layers"].([]any) {
		lo := l.(map[string]any)
		if t, _ := str(lo["type"]); strings.EqualFold(t, "background") {
			continue
		}
		if lo["source"] == nil {
			lo["source"] = srcID
		}
		src := lo["source"].(string)
		so, _ := sources[src].(map[string]any)
		if st, _ := str(so["type"]); strings.EqualFold(st, "vector") &&
			lo["source-layer"] == nil && strings.EqualFold(src, srcID) {
			lo["source-layer"] = SourceLayer
		}
	}
	return root, nil
}
