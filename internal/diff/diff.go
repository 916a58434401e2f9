// Package diff compares two canonical JSON values and lists what changed as
// JSON-pointer paths. Maps are compared key by key; lists of the same length
// element by element; lists of different lengths are replaced whole (Honua
// replaces lists, and an index-shifted diff helps no reviewer).
package diff

import (
	"slices"
	"strconv"
	"strings"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// Op is the operation at one path.
type Op uint8

// Operations, as in JSON Patch.
const (
	Add Op = iota
	Remove
	Replace
)

// Change is one difference. Before is unset for Add, After for Remove.
type Change struct {
	Path   string
	Op     Op
	Before any
	After  any
}

// Values returns the differences that turn before into after, sorted by path.
// A nil side with present=false means the whole value is absent.
func Values(prefix string, before, after any) []Change {
	var out []Change
	walk(&out, prefix, before, after)
	return out
}

func walk(out *[]Change, path string, before, after any) {
	bm, bok := before.(map[string]any)
	am, aok := after.(map[string]any)
	if bok && aok {
		keys := make([]string, 0, len(bm)+len(am))
		for k := range bm {
			keys = append(keys, k)
		}
		for k := range am {
			if _, ok := bm[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := path + "/" + EscapePointer(k)
			bv, inB := bm[k]
			av, inA := am[k]
			switch {
			case !inB:
				*out = append(*out, Change{Path: p, Op: Add, After: av})
			case !inA:
				*out = append(*out, Change{Path: p, Op: Remove, Before: bv})
			default:
				walk(out, p, bv, av)
			}
		}
		return
	}
	bl, bok := before.([]any)
	al, aok := after.([]any)
	if bok && aok && len(bl) == len(al) {
		for i := range bl {
			walk(out, path+"/"+strconv.Itoa(i), bl[i], al[i])
		}
		return
	}
	if !resource.Equal(before, after) {
		*out = append(*out, Change{Path: path, Op: Replace, Before: before, After: after})
	}
}

// Leaves lists every leaf of v as an Add (or Remove) change, for resources
// that are created (or deleted) whole. Lists and empty maps are leaves.
func Leaves(prefix string, v any, op Op) []Change {
	var out []Change
	leaves(&out, prefix, v, op)
	return out
}

func leaves(out *[]Change, path string, v any, op Op) {
	if m, ok := v.(map[string]any); ok && len(m) > 0 {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			leaves(out, path+"/"+EscapePointer(k), m[k], op)
		}
		return
	}
	c := Change{Path: path, Op: op}
	if op == Remove {
		c.Before = v
	} else {
		c.After = v
	}
	*out = append(*out, c)
}

// EscapePointer escapes a key for a JSON pointer (RFC 6901).
func EscapePointer(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// SplitPointer splits a JSON pointer into unescaped segments.
func SplitPointer(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts
}
