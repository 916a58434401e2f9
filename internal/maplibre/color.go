package maplibre

import (
	"strconv"
	"strings"
)

// cssNamedColors is the named-colour set of CssNamedColors.cs
// (honua-io/honua-server id 59033433537), matched case-insensitively.
var cssNamedColors = func() map[string]bool {
	names := strings.Fields(`transparent aliceblue antiquewhite aqua aquamarine azure beige bisque black
	blanchedalmond blue blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue
	cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki
	darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen darkslateblue
	darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue
	firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green greenyellow
	grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon
	lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey lightpink
	lightsalmon lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime
	limegreen linen magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen
	mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose
	moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen
	paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red
	rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue
	slategray slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white
	whitesmoke yellow yellowgreen`)
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}()

// validColor mirrors IsValidColorLiteral: a CSS named colour, #rgb,
// #rgba, #rrggbb, #rrggbbaa, or rgb()/rgba()/hsl()/hsla() with in-range
// components (comma- or space/slash-separated).
func validColor(s string) bool {
	t := strings.TrimSpace(s)
	if t == "" {
		return false
	}
	if cssNamedColors[strings.ToLower(t)] {
		return true
	}
	if t[0] == '#' {
		return validHex(t[1:])
	}
	return validColorFunction(t)
}

func validHex(h string) bool {
	switch len(h) {
	case 3, 4, 6, 8:
	default:
		return false
	}
	for _, c := range []byte(h) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func validColorFunction(t string) bool {
	open := strings.IndexByte(t, '(')
	if open <= 0 || t[len(t)-1] != ')' {
		return false
	}
	name := strings.ToLower(strings.TrimSpace(t[:open]))
	body := strings.TrimSpace(t[open+1 : len(t)-1])
	if body == "" {
		return false
	}
	args := splitCSSArgs(body)
	if len(args) != 3 && len(args) != 4 {
		return false
	}
	alphaOK := len(args) == 3 || validAlpha(args[3])
	switch name {
	case "rgb", "rgba":
		return validRGB(args[0]) && validRGB(args[1]) && validRGB(args[2]) && alphaOK
	case "hsl", "hsla":
		_, ok := cssNumber(stripHueUnit(args[0]))
		return ok && validPercent(args[1]) && validPercent(args[2]) && alphaOK
	}
	return false
}

// splitCSSArgs mirrors SplitCssFunctionArguments.
func splitCSSArgs(body string) []string {
	var parts []string
	if strings.Contains(body, ",") {
		parts = strings.Split(body, ",")
	} else {
		parts = strings.Split(strings.ReplaceAll(body, "/", " "), " ")
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func stripHueUnit(c string) string {
	t := strings.TrimSpace(c)
	for _, unit := range []string{"deg", "grad", "rad", "turn"} {
		if len(t) >= len(unit) && strings.EqualFold(t[len(t)-len(unit):], unit) {
			return t[:len(t)-len(unit)]
		}
	}
	return t
}

func validRGB(c string) bool {
	if strings.HasSuffix(c, "%") {
		return validPercent(c)
	}
	v, ok := cssNumber(c)
	return ok && v >= 0 && v <= 255
}

func validPercent(c string) bool {
	if !strings.HasSuffix(c, "%") {
		return false
	}
	v, ok := cssNumber(c[:len(c)-1])
	return ok && v >= 0 && v <= 100
}

func validAlpha(c string) bool {
	if strings.HasSuffix(c, "%") {
		return validPercent(c)
	}
	v, ok := cssNumber(c)
	return ok && v >= 0 && v <= 1
}

// cssNumber approximates double.TryParse(NumberStyles.Float,
// InvariantCulture) followed by double.IsFinite.
func cssNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "_xXpP") {
		return 0, false
	}
	switch l := strings.ToLower(strings.TrimLeft(s, "+-")); l {
	case "inf", "infinity", "nan":
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}
