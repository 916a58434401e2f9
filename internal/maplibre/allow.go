package maplibre

import (
	"slices"
	"strings"
)

// The allow-lists below are copied from MapLibreStyleNormalizer.cs
// (honua-io/honua-server, stored version id 58550020053). They are
// exported for messages and documentation; callers must not modify them.

// LayerTypes are the layer types the server accepts (compared
// case-insensitively, as SupportedLayerTypes does).
var LayerTypes = []string{"background", "circle", "fill", "line", "symbol"}

// PaintProperties maps a lower-case layer type to the paint properties the
// server accepts for it (IsSupportedPaintProperty). Background layers
// accept no paint property at all.
var PaintProperties = map[string][]string{
	"background": {},
	"circle":     {"circle-color", "circle-opacity", "circle-radius", "circle-stroke-color", "circle-stroke-opacity", "circle-stroke-width"},
	"fill":       {"fill-antialias", "fill-color", "fill-opacity", "fill-outline-color"},
	"line":       {"line-color", "line-dasharray", "line-opacity", "line-width"},
	"symbol":     {"icon-color", "icon-opacity", "text-color", "text-opacity", "text-halo-color", "text-halo-width", "text-halo-blur"},
}

// LayoutProperties maps a lower-case layer type to the layout properties
// the server accepts for it (IsSupportedLayoutProperty): visibility for
// every type, plus line-cap/line-join for line and the icon/text keys for
// symbol.
var LayoutProperties = map[string][]string{
	"background": {"visibility"},
	"circle":     {"visibility"},
	"fill":       {"visibility"},
	"line":       {"visibility", "line-cap", "line-join"},
	"symbol":     {"visibility", "icon-image", "icon-offset", "icon-rotate", "icon-size", "text-field", "text-font", "text-size"},
}

// ExpressionOperators are the only expression operators the server
// accepts (ExpressionOperators, compared case-sensitively). Any other
// operator, including "zoom", "slice" and "geometry-type", is rejected
// wherever the server validates an expression.
var ExpressionOperators = []string{
	"!", "!=", "<", "<=", "==", ">", ">=", "+", "-", "*", "/",
	"all", "any", "case", "coalesce", "concat", "get", "has", "interpolate",
	"literal", "match", "step", "to-number", "to-string", "typeof",
}

// enumValues are the values TryValidateEnumValue accepts, compared
// case-insensitively; expressions are not accepted for these properties.
var enumValues = map[string][]string{
	"visibility": {"none", "visible"},
	"line-cap":   {"butt", "round", "square"},
	"line-join":  {"bevel", "miter", "round"},
}

// valueKind is how TryValidateStyleProperty checks a property's value.
type valueKind int

const (
	kindColor       valueKind = iota + 1 // colour literal or expression
	kindOpacity                          // number in [0,1] or expression
	kindNonNegative                      // number >= 0 or expression
	kindNumber                           // any finite number or expression
	kindBoolean                          // boolean or expression
	kindString                           // non-blank string or expression
	kindStringArray                      // array of non-blank strings
	kindDashArray                        // array of non-negative numbers
	kindOffset                           // array of exactly two numbers
	kindEnum                             // one of enumValues
)

// propertyKinds maps every allow-listed property to its value check.
var propertyKinds = map[string]valueKind{
	"circle-color": kindColor, "circle-stroke-color": kindColor, "fill-color": kindColor,
	"fill-outline-color": kindColor, "line-color": kindColor, "icon-color": kindColor,
	"text-color": kindColor, "text-halo-color": kindColor,

	"circle-opacity": kindOpacity, "circle-stroke-opacity": kindOpacity, "fill-opacity": kindOpacity,
	"line-opacity": kindOpacity, "icon-opacity": kindOpacity, "text-opacity": kindOpacity,

	"circle-radius": kindNonNegative, "circle-stroke-width": kindNonNegative, "icon-size": kindNonNegative,
	"line-width": kindNonNegative, "text-size": kindNonNegative, "text-halo-width": kindNonNegative,
	"text-halo-blur": kindNonNegative,

	"icon-rotate":    kindNumber,
	"fill-antialias": kindBoolean,
	"icon-image":     kindString, "text-field": kindString,
	"text-font":      kindStringArray,
	"line-dasharray": kindDashArray,
	"icon-offset":    kindOffset,
	"visibility":     kindEnum, "line-cap": kindEnum, "line-join": kindEnum,
}

// isOperator reports whether op is an accepted expression operator.
func isOperator(op string) bool { return slices.Contains(ExpressionOperators, op) }

// supportedType returns the lower-case form of a supported layer type.
func supportedType(t string) (string, bool) {
	lt := strings.ToLower(t)
	return lt, slices.Contains(LayerTypes, lt)
}

// allowedList renders an allow-list for a message.
func allowedList(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}
