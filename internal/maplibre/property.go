package maplibre

import (
	"slices"
	"strings"
)

// checkProperty mirrors TryValidateStyleProperty for one allow-listed
// paint or layout property value at path.
func checkProperty(key string, v any, path string, c *collector) {
	switch propertyKinds[key] {
	case kindColor:
		if s, ok := v.(string); ok && s != "" {
			if !validColor(s) {
				c.add(path, "%s must be a CSS colour (named, #hex, rgb[a](), hsl[a]()) or an expression, not %q", key, s)
			}
			return
		}
		scalarOrExpression(key, "a colour string", v, path, c)
	case kindOpacity:
		if f, ok := finite(v); ok {
			if f < 0 || f > 1 {
				c.add(path, "%s must be between 0 and 1, not %s", key, describe(v))
			}
			return
		}
		scalarOrExpression(key, "a number", v, path, c)
	case kindNonNegative, kindNumber:
		if f, ok := finite(v); ok {
			if f < 0 && propertyKinds[key] == kindNonNegative {
				c.add(path, "%s must be non-negative, not %s", key, describe(v))
			}
			return
		}
		scalarOrExpression(key, "a number", v, path, c)
	case kindBoolean:
		if _, ok := v.(bool); ok {
			return
		}
		scalarOrExpression(key, "a boolean", v, path, c)
	case kindString:
		if s, ok := v.(string); ok && !blank(s) {
			return
		}
		scalarOrExpression(key, "a non-empty string", v, path, c)
	case kindStringArray:
		checkStringArray(key, v, path, c)
	case kindDashArray:
		checkNumberArray(key, v, path, 0, false, c)
	case kindOffset:
		checkNumberArray(key, v, path, 2, true, c)
	case kindEnum:
		allowed := enumValues[key]
		if s, ok := v.(string); ok && slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, s) }) {
			return
		}
		c.add(path, "%s must be one of %s (expressions are not accepted), not %s", key, allowedList(allowed), describe(v))
	}
}

// scalarOrExpression handles a value that failed the scalar check: an
// accepted expression is validated, anything else is rejected.
func scalarOrExpression(key, want string, v any, path string, c *collector) {
	if isExpression(v) {
		checkExpression(v, path, c)
		return
	}
	if unsupportedOperator(v, path, c) {
		return
	}
	c.add(path, "%s must be %s or an expression, not %s", key, want, describe(v))
}

// unwrapLiteral mirrors the ["literal", [...]] unwrapping of
// TryValidateStringArray/TryValidateNumberArray: it returns the array to
// check, its pointer, and whether there is one.
func unwrapLiteral(v any, path string) ([]any, string, bool) {
	a, ok := v.([]any)
	if !ok {
		return nil, path, false
	}
	if len(a) > 0 && a[0] == "literal" {
		if len(a) > 1 {
			inner, ok := a[1].([]any)
			return inner, index(path, 1), ok
		}
		return nil, path, false
	}
	return a, path, true
}

// checkStringArray mirrors TryValidateStringArray (text-font). A plain
// array is taken as a list of font names, never as an expression.
func checkStringArray(key string, v any, path string, c *collector) {
	a, apath, ok := unwrapLiteral(v, path)
	if !ok {
		if isExpression(v) {
			checkExpression(v, path, c)
			return
		}
		c.add(path, "%s must be an array of font-name strings, not %s", key, describe(v))
		return
	}
	if len(a) == 0 {
		c.add(apath, "%s must contain at least one string", key)
		return
	}
	for i, e := range a {
		if s, ok := e.(string); !ok || blank(s) {
			c.add(index(apath, i), "%s must contain only non-empty strings, not %s", key, describe(e))
		}
	}
}

// checkNumberArray mirrors TryValidateNumberArray (line-dasharray,
// icon-offset); expressions are not accepted. length 0 means any length.
func checkNumberArray(key string, v any, path string, length int, negative bool, c *collector) {
	a, apath, ok := unwrapLiteral(v, path)
	if !ok || isExpression(v) && v.([]any)[0] != "literal" {
		c.add(path, "%s must be an array of numbers (expressions are not accepted), not %s", key, describe(v))
		return
	}
	if length > 0 && len(a) != length {
		c.add(apath, "%s must contain exactly %d numbers, has %d", key, length, len(a))
		return
	}
	if len(a) == 0 {
		c.add(apath, "%s must contain at least one number", key)
		return
	}
	for i, e := range a {
		f, ok := finite(e)
		if !ok || (!negative && f < 0) {
			want := "a non-negative number"
			if negative {
				want = "a finite number"
			}
			c.add(index(apath, i), "%s items must each be %s, not %s", key, want, describe(e))
		}
	}
}
