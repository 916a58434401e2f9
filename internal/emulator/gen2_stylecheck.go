package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The value and expression checks of MapLibreStyleNormalizer.cs
// (honua-io/honua-server), read from its source: TryValidateStyleProperty
// and TryValidateExpression. This is the emulator's own implementation;
// it deliberately shares no code with any client-side model of the same
// rules, so that each can catch the other's mistakes.

// ordObject is a JSON object that remembers the order its members were
// written in, because the server (System.Text.Json.Nodes) iterates paint
// and layout members in document order and reports the first failure.
type ordObject struct {
	keys []string
	m    map[string]any
}

func (o *ordObject) get(k string) any { return o.m[k] }

func (o *ordObject) set(k string, v any) {
	if _, ok := o.m[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.m[k] = v
}

// decodeOrdered decodes one JSON value: objects as *ordObject, numbers as
// json.Number (so that 8 and 8.0 stay distinguishable, as they are to
// System.Text.Json), arrays as []any.
func decodeOrdered(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := decodeOrderedValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

func decodeOrderedValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &ordObject{m: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeOrderedValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeOrderedValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return tok, nil
}

// plainJSON turns a decodeOrdered value into one encoding/json marshals.
func plainJSON(v any) any {
	switch x := v.(type) {
	case *ordObject:
		m := make(map[string]any, len(x.m))
		for k, e := range x.m {
			m[k] = plainJSON(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = plainJSON(e)
		}
		return a
	}
	return v
}

// gen2StyleOperators is the normaliser's ExpressionOperators (ordinal).
var gen2StyleOperators = []string{
	"!", "!=", "<", "<=", "==", ">", ">=", "+", "-", "*", "/",
	"all", "any", "case", "coalesce", "concat", "get", "has", "interpolate",
	"literal", "match", "step", "to-number", "to-string", "typeof",
}

func isStyleOperator(op string) bool { return slices.Contains(gen2StyleOperators, op) }

// isStyleExpression mirrors IsExpression: a non-empty array whose first
// item is a string naming an accepted operator.
func isStyleExpression(v any) bool {
	a, ok := v.([]any)
	if !ok || len(a) == 0 {
		return false
	}
	op, ok := a[0].(string)
	return ok && isStyleOperator(op)
}

// checkStyleProperty mirrors TryValidateStyleProperty for one allowed
// paint or layout member.
func checkStyleProperty(prop string, v any, lid, ptr string) *styleError {
	bad := func(format string, args ...any) *styleError {
		return styleErrf(ptr, "MapLibre style layer '%s' property '%s' "+format, append([]any{lid, prop}, args...)...)
	}
	expr := func(ctx string, orElse string) *styleError {
		if isStyleExpression(v) {
			return checkStyleExpression(v, fmt.Sprintf("%s property '%s' for MapLibre style layer '%s'", ctx, prop, lid), ptr)
		}
		return bad("%s", orElse)
	}
	switch prop {
	case "circle-color", "circle-stroke-color", "fill-color", "fill-outline-color", "line-color",
		"icon-color", "text-color", "text-halo-color":
		if s, ok := v.(string); ok && s != "" {
			if styleColorLiteral(s) {
				return nil
			}
			return bad("must be a valid CSS color string or expression.")
		}
		return expr("paint", "must be a color string or expression.")
	case "circle-opacity", "circle-stroke-opacity", "fill-opacity", "line-opacity", "icon-opacity", "text-opacity":
		if f, ok := finiteNumber(v); ok {
			if f < 0 || f > 1 {
				return bad("must be between 0 and 1.")
			}
			return nil
		}
		return expr("paint", "must be a number or expression.")
	case "circle-radius", "circle-stroke-width", "icon-size", "line-width", "text-size", "text-halo-width",
		"text-halo-blur", "icon-rotate":
		if f, ok := finiteNumber(v); ok {
			if f < 0 && prop != "icon-rotate" {
				return bad("must be non-negative.")
			}
			return nil
		}
		return expr("paint/layout", "must be a number or expression.")
	case "fill-antialias":
		if _, ok := v.(bool); ok {
			return nil
		}
		return expr("paint/layout", "must be a boolean or expression.")
	case "icon-image", "text-field":
		if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
			return nil
		}
		return expr("layout", "must be a non-empty string or expression.")
	case "text-font":
		arr, aptr := unwrapStyleLiteral(v, ptr)
		if arr == nil {
			return expr("layout", "must be an array of strings.")
		}
		if len(arr) == 0 {
			return styleErrf(aptr, "MapLibre style layer '%s' property '%s' must contain at least one string.", lid, prop)
		}
		for i, item := range arr {
			if s, ok := item.(string); !ok || strings.TrimSpace(s) == "" {
				return styleErrf(aptr+"/"+strconv.Itoa(i), "MapLibre style layer '%s' property '%s' must contain only non-empty strings.", lid, prop)
			}
		}
		return nil
	case "line-dasharray", "icon-offset":
		arr, aptr := unwrapStyleLiteral(v, ptr)
		if arr == nil {
			return bad("must be an array of numbers.")
		}
		negative := prop == "icon-offset"
		if negative && len(arr) != 2 {
			return styleErrf(aptr, "MapLibre style layer '%s' property '%s' must contain 2 numbers.", lid, prop)
		}
		if len(arr) == 0 {
			return styleErrf(aptr, "MapLibre style layer '%s' property '%s' must contain at least one number.", lid, prop)
		}
		for i, item := range arr {
			if f, ok := finiteNumber(item); !ok || (!negative && f < 0) {
				q := "non-negative"
				if negative {
					q = "finite"
				}
				return styleErrf(aptr+"/"+strconv.Itoa(i), "MapLibre style layer '%s' property '%s' must contain only %s numbers.", lid, prop, q)
			}
		}
		return nil
	case "visibility", "line-cap", "line-join":
		allowed := map[string][]string{
			"visibility": {"none", "visible"},
			"line-cap":   {"butt", "round", "square"},
			"line-join":  {"bevel", "miter", "round"},
		}[prop]
		if s, ok := v.(string); ok && slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, s) }) {
			return nil
		}
		return bad("must be one of: %s.", strings.Join(allowed, ", "))
	}
	return nil
}

// unwrapStyleLiteral returns the array a value holds, looking inside
// ["literal", [...]] as TryValidateStringArray/TryValidateNumberArray do;
// nil when there is no array. The pointer names the inner array.
func unwrapStyleLiteral(v any, ptr string) ([]any, string) {
	a, ok := v.([]any)
	if !ok {
		return nil, ptr
	}
	if len(a) > 0 && a[0] == "literal" {
		if len(a) > 1 {
			if inner, ok := a[1].([]any); ok {
				return inner, ptr + "/1"
			}
		}
		return nil, ptr
	}
	return a, ptr
}

// checkStyleExpression mirrors TryValidateExpression: scalars and null
// are accepted, arrays are validated as expressions, objects rejected.
// The pointer of an error names the (sub-)expression at fault.
func checkStyleExpression(v any, ctx, ptr string) *styleError {
	switch x := v.(type) {
	case []any:
		return checkStyleExpressionArray(x, ctx, ptr)
	case *ordObject:
		return styleErrf(ptr, "MapLibre expression in %s must be a literal or expression array.", ctx)
	}
	return nil
}

func checkStyleExpressionArray(items []any, ctx, ptr string) *styleError {
	n := len(items)
	if n == 0 {
		return styleErrf(ptr, "MapLibre expression in %s must not be an empty array.", ctx)
	}
	op, ok := items[0].(string)
	if !ok {
		return styleErrf(ptr, "MapLibre expression in %s must start with an operator string.", ctx)
	}
	if strings.TrimSpace(op) == "" || !isStyleOperator(op) {
		return styleErrf(ptr, "MapLibre expression in %s uses unsupported operator '%s'.", ctx, op)
	}
	args := func(from int) *styleError {
		for i := from; i < n; i++ {
			if e := checkStyleExpression(items[i], ctx, ptr+"/"+strconv.Itoa(i)); e != nil {
				return e
			}
		}
		return nil
	}
	switch op {
	case "get", "has":
		if s, ok := items[min(1, n-1)].(string); n != 2 || !ok || strings.TrimSpace(s) == "" {
			return styleErrf(ptr, "MapLibre expression '%s' in %s must have a single string field argument.", op, ctx)
		}
		return nil
	case "!", "to-number", "to-string", "typeof", "literal":
		if n != 2 {
			return styleErrf(ptr, "MapLibre expression '%s' in %s must have 1 argument(s).", op, ctx)
		}
		if op == "literal" {
			return nil // data, never an expression
		}
		return args(1)
	case "==", "!=", "<", "<=", ">", ">=":
		if n != 3 {
			return styleErrf(ptr, "MapLibre expression '%s' in %s must have 2 argument(s).", op, ctx)
		}
		return args(1)
	case "all", "any", "coalesce", "concat":
		if n < 2 {
			return styleErrf(ptr, "MapLibre expression '%s' in %s must have at least 1 argument(s).", op, ctx)
		}
		return args(1)
	case "+", "-", "*", "/":
		if n < 3 {
			return styleErrf(ptr, "MapLibre expression '%s' in %s must have at least 2 argument(s).", op, ctx)
		}
		return args(1)
	case "case":
		if n < 4 || n%2 != 0 {
			return styleErrf(ptr, "MapLibre expression 'case' in %s must include condition/result pairs and a fallback.", ctx)
		}
		return args(1)
	case "match":
		if n < 5 || n%2 == 0 {
			return styleErrf(ptr, "MapLibre expression 'match' in %s must include labels, outputs, and a fallback.", ctx)
		}
		// The input, each output and the fallback; labels are not checked.
		for _, i := range matchChecked(n) {
			if e := checkStyleExpression(items[i], ctx, ptr+"/"+strconv.Itoa(i)); e != nil {
				return e
			}
		}
		return nil
	case "step":
		if n < 5 || (n-3)%2 != 0 {
			return styleErrf(ptr, "MapLibre expression 'step' in %s must include input, default output, and stop/output pairs.", ctx)
		}
		return args(1)
	case "interpolate":
		if n < 5 || (n-3)%2 != 0 {
			return styleErrf(ptr, "MapLibre expression 'interpolate' in %s must include interpolation, input, and stop/output pairs.", ctx)
		}
		if e := checkInterpolationSpec(items[1], ctx, ptr+"/1"); e != nil {
			return e
		}
		return args(2)
	}
	return nil
}

// matchChecked lists the items of a match expression the server
// validates: 1 (input), 3, 5, … (outputs) and the fallback.
func matchChecked(n int) []int {
	out := []int{1}
	for i := 3; i < n-1; i += 2 {
		out = append(out, i)
	}
	return append(out, n-1)
}

// checkInterpolationSpec mirrors TryValidateInterpolationSpec.
func checkInterpolationSpec(v any, ctx, ptr string) *styleError {
	a, _ := v.([]any)
	if len(a) == 0 {
		return styleErrf(ptr, "MapLibre expression 'interpolate' in %s must include an interpolation spec.", ctx)
	}
	kind, ok := a[0].(string)
	if !ok {
		return styleErrf(ptr, "MapLibre expression 'interpolate' in %s must include an interpolation spec.", ctx)
	}
	if kind == "linear" && len(a) == 1 {
		return nil
	}
	if kind == "exponential" && len(a) == 2 {
		if f, ok := finiteNumber(a[1]); ok && f > 0 {
			return nil
		}
	}
	return styleErrf(ptr, "MapLibre expression 'interpolate' in %s has an invalid interpolation spec.", ctx)
}

// styleColorLiteral mirrors IsValidColorLiteral: a CSS named colour, #hex
// of 3, 4, 6 or 8 digits, or rgb()/rgba()/hsl()/hsla() with comma- or
// space-separated components (an optional alpha after "/" or a fourth
// comma).
func styleColorLiteral(s string) bool {
	t := strings.TrimSpace(s)
	if t == "" {
		return false
	}
	if gen2CSSColorNames[strings.ToLower(t)] {
		return true
	}
	if t[0] == '#' {
		h := t[1:]
		if len(h) != 3 && len(h) != 4 && len(h) != 6 && len(h) != 8 {
			return false
		}
		_, err := strconv.ParseUint(h, 16, 64)
		return err == nil
	}
	open := strings.IndexByte(t, '(')
	if open <= 0 || t[len(t)-1] != ')' {
		return false
	}
	fn := strings.ToLower(strings.TrimSpace(t[:open]))
	body := strings.TrimSpace(t[open+1 : len(t)-1])
	if body == "" {
		return false
	}
	var parts []string
	if strings.Contains(body, ",") {
		parts = strings.Split(body, ",")
	} else {
		parts = strings.Split(strings.ReplaceAll(body, "/", " "), " ")
	}
	comps := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			comps = append(comps, p)
		}
	}
	if len(comps) != 3 && len(comps) != 4 {
		return false
	}
	alpha := len(comps) == 3 || cssAlpha(comps[3])
	switch fn {
	case "rgb", "rgba":
		return cssRGB(comps[0]) && cssRGB(comps[1]) && cssRGB(comps[2]) && alpha
	case "hsl", "hsla":
		_, ok := cssNum(stripCSSHueUnit(comps[0]))
		return ok && cssPercent(comps[1]) && cssPercent(comps[2]) && alpha
	}
	return false
}

func stripCSSHueUnit(c string) string {
	lc := strings.ToLower(c)
	for _, u := range []string{"deg", "grad", "rad", "turn"} {
		if strings.HasSuffix(lc, u) {
			return c[:len(c)-len(u)]
		}
	}
	return c
}

func cssRGB(c string) bool {
	if strings.HasSuffix(c, "%") {
		return cssPercent(c)
	}
	f, ok := cssNum(c)
	return ok && f >= 0 && f <= 255
}

func cssPercent(c string) bool {
	if !strings.HasSuffix(c, "%") {
		return false
	}
	f, ok := cssNum(c[:len(c)-1])
	return ok && f >= 0 && f <= 100
}

func cssAlpha(c string) bool {
	if strings.HasSuffix(c, "%") {
		return cssPercent(c)
	}
	f, ok := cssNum(c)
	return ok && f >= 0 && f <= 1
}

// cssNumberText is what double.TryParse(NumberStyles.Float) accepts and
// leaves finite: an optional sign, digits with an optional point, an
// optional exponent, surrounding white space.
var cssNumberText = regexp.MustCompile(`^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$`)

func cssNum(s string) (float64, bool) {
	if !cssNumberText.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// gen2CSSColorNames are the CSS Color Module level 4 named colours and
// "transparent", compared case-insensitively.
var gen2CSSColorNames = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`transparent
	aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown
	burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan
	darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid
	darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet
	deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro
	ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki
	lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow
	lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray
	lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine
	mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen
	mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace
	olive olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred
	papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue
	saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray slategrey
	snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow
	yellowgreen`) {
		m[n] = true
	}
	return m
}()
