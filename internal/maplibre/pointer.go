package maplibre

import (
	"strconv"
	"strings"
)

// pointerEscaper escapes a JSON pointer reference token (RFC 6901 §3).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// child appends an object member name to a JSON pointer.
func child(path, key string) string { return path + "/" + pointerEscaper.Replace(key) }

// index appends an array index to a JSON pointer.
func index(path string, i int) string { return path + "/" + strconv.Itoa(i) }
