package maplibre

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// canonical deep-copies v into the encoding/json model (map[string]any,
// []any, float64, string, bool, nil), converting every Go number type
// (yaml.v3 decodes integers as int) and json.Number to float64. A value
// that has no JSON form (NaN, ±Inf, a map with a non-string key, a
// function, …) is reported and replaced by nil.
func canonical(v any, path string, c *collector) any {
	switch x := v.(type) {
	case nil, string, bool:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			c.add(path, "number %v cannot be sent as JSON", x)
			return nil
		}
		return x
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = canonical(e, child(path, k), c)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = canonical(e, index(path, i), c)
		}
		return a
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			c.add(path, "number %q is not a finite JSON number", string(x))
			return nil
		}
		return f
	}
	if f, ok := toFloat(v); ok {
		return canonical(f, path, c)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		a := make([]any, rv.Len())
		for i := range a {
			a[i] = canonical(rv.Index(i).Interface(), index(path, i), c)
		}
		return a
	case reflect.Map:
		m := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			k, ok := iter.Key().Interface().(string)
			if !ok {
				c.add(path, "object key %v is not a string", iter.Key().Interface())
				continue
			}
			m[k] = canonical(iter.Value().Interface(), child(path, k), c)
		}
		return m
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	}
	c.add(path, "value of Go type %T has no JSON form", v)
	return nil
}

// toFloat converts any Go number to float64.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// finite mirrors TryGetFiniteDouble on a canonical value.
func finite(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// str mirrors TryGetString: the value if it is a JSON string.
func str(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// blank reports whether s is empty or white space only
// (string.IsNullOrWhiteSpace).
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// describe names a canonical value's JSON type for messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", x)
	case float64:
		return "number " + strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// sortedKeys returns m's keys in byte order, for a deterministic walk.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
