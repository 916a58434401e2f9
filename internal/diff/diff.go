// Package diff compares two canonical JSON values and lists what changed as
// JSON-pointer paths, in the order a JSON Patch would apply them. Maps are
// compared key by key. Lists whose elements carry an identity key (ListKeys)
// are compared element by element by that key: removed, moved, added and
// changed elements each get their own change. Other lists are compared by
// position, with insertions and removals found by a longest common
// subsequence, so that inserting one element is one change rather than a
// shifted tail or a replaced list.
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
	// Move moves a list element from From to Path (JSON Patch semantics:
	// remove at From, then insert at Path). Before and After hold the
	// element's position in the old and the new list, for reviewers.
	Move
)

// Change is one difference. Before is unset for Add, After for Remove. An
// Add or Remove whose path ends in a list index inserts or removes that
// element, shifting the rest, as in JSON Patch.
type Change struct {
	Path   string
	Op     Op
	Before any
	After  any
	// From is the source pointer of a Move; empty otherwise.
	From string
	// Key identifies the innermost keyed list element on Path, such as
	// {"name": "situs_address"}; nil outside keyed lists.
	Key map[string]any
	// Display is Path with the index of each keyed list element written as
	// [key=value] (/spec/fields[name=situs_address]/alias), for people; it
	// is empty when no keyed list is on the path.
	Display string
}

// ListKeys maps a list's path pattern to the field that identifies its
// elements. A pattern is a JSON pointer from the compared root in which
// every list index is written as *, such as /spec/fields or
// /spec/style/layers.
type ListKeys map[string]string

// Values returns the differences that turn before into after, comparing
// every list by position. A nil side with present=false means the whole
// value is absent.
func Values(prefix string, before, after any) []Change {
	return Compare(prefix, before, after, nil)
}

// Compare is Values with identity keys for lists: a list at a pattern in
// keys whose elements are all maps with a unique scalar value at the key,
// on both sides, is compared element by element by key.
func Compare(prefix string, before, after any, keys ListKeys) []Change {
	if resource.Equal(before, after) {
		// Most resources of a plan are unchanged: say so without building
		// a single path.
		return nil
	}
	w := walker{keys: keys}
	w.walk(loc{path: prefix, pattern: prefix}, before, after)
	return w.out
}

// loc is where the walk is: the JSON pointer, the pattern looked up in
// ListKeys, and the display path and key of the innermost keyed element
// (display is empty while no keyed list has been entered).
type loc struct {
	path, pattern, display string
	key                    map[string]any
}

func (l loc) child(seg string) loc {
	e := "/" + EscapePointer(seg)
	n := loc{path: l.path + e, pattern: l.pattern + e, key: l.key}
	if l.display != "" {
		n.display = l.display + e
	}
	return n
}

func (l loc) index(i int) loc {
	n := loc{path: l.path + "/" + strconv.Itoa(i), pattern: l.pattern + "/*", key: l.key}
	if l.display != "" {
		n.display = l.display + "/" + strconv.Itoa(i)
	}
	return n
}

// keyed is the location of the element with the given key value at
// position i of a keyed list.
func (l loc) keyed(i int, field string, value any) loc {
	d := l.display
	if d == "" {
		d = l.path
	}
	return loc{
		path: l.path + "/" + strconv.Itoa(i), pattern: l.pattern + "/*",
		display: d + "[" + field + "=" + displayKey(value) + "]",
		key:     map[string]any{field: value},
	}
}

func displayKey(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := resource.CanonicalJSON(v)
	return string(b)
}

type walker struct {
	keys ListKeys
	out  []Change
}

func (w *walker) emit(l loc, c Change) {
	c.Path, c.Key, c.Display = l.path, l.key, l.display
	w.out = append(w.out, c)
}

func (w *walker) walk(l loc, before, after any) {
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
			c := l.child(k)
			bv, inB := bm[k]
			av, inA := am[k]
			switch {
			case !inB:
				w.emit(c, Change{Op: Add, After: av})
			case !inA:
				w.emit(c, Change{Op: Remove, Before: bv})
			default:
				w.walk(c, bv, av)
			}
		}
		return
	}
	bl, bok := before.([]any)
	al, aok := after.([]any)
	if bok && aok {
		if resource.Equal(bl, al) {
			return // the common case, without encoding any element
		}
		if field := w.keys[l.pattern]; field != "" {
			bk, ok1 := elementKeys(bl, field)
			ak, ok2 := elementKeys(al, field)
			if ok1 && ok2 {
				w.keyedList(l, field, bl, al, bk, ak)
				return
			}
		}
		w.positionalList(l, bl, al)
		return
	}
	if !resource.Equal(before, after) {
		w.emit(l, Change{Op: Replace, Before: before, After: after})
	}
}

// elementKeys returns each element's identity (the canonical JSON of its
// key value), or false when an element is not a map, lacks a scalar key or
// repeats one: such a list is compared by position.
func elementKeys(l []any, field string) ([]string, bool) {
	out := make([]string, len(l))
	seen := make(map[string]bool, len(l))
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		v, ok := m[field]
		switch v.(type) {
		case string, int64, float64, bool:
		default:
			return nil, false
		}
		b, err := resource.CanonicalJSON(v)
		if !ok || err != nil || seen[string(b)] {
			return nil, false
		}
		seen[string(b)] = true
		out[i] = string(b)
	}
	return out, true
}

// keyedList diffs a list by element identity, in three passes whose
// changes replay in order: removed elements (from the last, so earlier
// indices stay valid), then the fewest moves that bring the kept elements
// into their new order (those outside a longest common subsequence), then,
// from the first position, added elements and changes inside kept ones, at
// their positions in the new list.
func (w *walker) keyedList(l loc, field string, bl, al []any, bk, ak []string) {
	inAfter := make(map[string]int, len(ak))
	for j, k := range ak {
		inAfter[k] = j
	}
	inBefore := make(map[string]int, len(bk))
	for i, k := range bk {
		inBefore[k] = i
	}
	keyOf := func(e any) any { return e.(map[string]any)[field] }

	for i := len(bk) - 1; i >= 0; i-- {
		if _, ok := inAfter[bk[i]]; !ok {
			w.emit(l.keyed(i, field, keyOf(bl[i])), Change{Op: Remove, Before: bl[i]})
		}
	}

	// cur is the list of kept keys as the replayed changes leave it; want
	// is the kept keys in their new order.
	var cur, want []string
	for _, k := range bk {
		if _, ok := inAfter[k]; ok {
			cur = append(cur, k)
		}
	}
	for _, k := range ak {
		if _, ok := inBefore[k]; ok {
			want = append(want, k)
		}
	}
	stable := make(map[string]bool, len(cur))
	for _, k := range lcsStrings(cur, want) {
		stable[k] = true
	}
	// Each moved element goes right after its predecessor in the new
	// order, which is stable or already moved: placed elements stay in the
	// new relative order, so after the last move cur equals want.
	for t, k := range want {
		if stable[k] {
			continue
		}
		from := slices.Index(cur, k)
		cur = slices.Delete(cur, from, from+1)
		to := 0
		if t > 0 {
			to = slices.Index(cur, want[t-1]) + 1
		}
		cur = slices.Insert(cur, to, k)
		i, j := inBefore[k], inAfter[k]
		dst := l.keyed(to, field, keyOf(al[j]))
		w.emit(dst, Change{Op: Move, From: l.path + "/" + strconv.Itoa(from), Before: int64(i), After: int64(j)})
		stable[k] = true
	}

	for j, k := range ak {
		el := l.keyed(j, field, keyOf(al[j]))
		if i, ok := inBefore[k]; ok {
			w.walk(el, bl[i], al[j])
			continue
		}
		w.emit(el, Change{Op: Add, After: al[j]})
	}
}

// maxLCSCells bounds the quadratic table of a list diff (4 MiB); beyond it
// the differing middle of a positional list is compared position by
// position, and the elements of a keyed list that changed order are all
// moved.
const maxLCSCells = 1 << 20

// positionalList diffs a list by position: elements in a longest common
// subsequence are kept, a removed element next to an added one is compared
// in place (so a changed map in a list shows its changed field), and the
// rest are removed or inserted. Changes are in list order, each at its
// index in the list as the previous changes leave it.
func (w *walker) positionalList(l loc, bl, al []any) {
	bs, as := canonicalAll(bl), canonicalAll(al)
	pre := 0
	for pre < len(bs) && pre < len(as) && bs[pre] == as[pre] {
		pre++
	}
	suf := 0
	for suf < len(bs)-pre && suf < len(as)-pre && bs[len(bs)-1-suf] == as[len(as)-1-suf] {
		suf++
	}
	mb, ma := bs[pre:len(bs)-suf], as[pre:len(as)-suf]
	var script []edit
	if len(mb)*len(ma) <= maxLCSCells {
		script = lcsScript(mb, ma)
	} else {
		script = make([]edit, 0, len(mb)+len(ma))
		for range mb {
			script = append(script, del)
		}
		for range ma {
			script = append(script, ins)
		}
	}
	cur := pre // index in the list as replayed so far
	i, j := pre, pre
	for s := 0; s < len(script); {
		if script[s] == keep {
			i, j, cur, s = i+1, j+1, cur+1, s+1
			continue
		}
		dels, inss := 0, 0
		for ; s < len(script) && script[s] != keep; s++ {
			if script[s] == del {
				dels++
			} else {
				inss++
			}
		}
		for range min(dels, inss) {
			w.walk(l.index(cur), bl[i], al[j])
			i, j, cur = i+1, j+1, cur+1
		}
		for range dels - min(dels, inss) {
			w.emit(l.index(cur), Change{Op: Remove, Before: bl[i]})
			i++
		}
		for range inss - min(dels, inss) {
			w.emit(l.index(cur), Change{Op: Add, After: al[j]})
			j, cur = j+1, cur+1
		}
	}
}

func canonicalAll(l []any) []string {
	out := make([]string, len(l))
	for i, e := range l {
		b, err := resource.CanonicalJSON(e)
		if err != nil {
			// Not a canonical value: never equal to anything, so it is
			// compared in place.
			b = []byte("\x00" + strconv.Itoa(i))
		}
		out[i] = string(b)
	}
	return out
}

type edit uint8

const (
	keep edit = iota
	del
	ins
)

// lcsTable is the longest-common-subsequence lengths of every pair of
// suffixes of a and b.
func lcsTable(a, b []string) [][]int32 {
	t := make([][]int32, len(a)+1)
	for i := range t {
		t[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	return t
}

// lcsScript is an edit script from a to b through a longest common
// subsequence, deletions before insertions where both are possible.
func lcsScript(a, b []string) []edit {
	t := lcsTable(a, b)
	out := make([]edit, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, keep)
			i, j = i+1, j+1
		case j == len(b) || i < len(a) && t[i+1][j] >= t[i][j+1]:
			out = append(out, del)
			i++
		default:
			out = append(out, ins)
			j++
		}
	}
	return out
}

// lcsStrings is a longest common subsequence of two lists of distinct keys.
func lcsStrings(a, b []string) []string {
	if len(a)*len(b) > maxLCSCells {
		return nil // every kept element is then moved: correct, if long
	}
	var out []string
	t := lcsTable(a, b)
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, a[i])
			i, j = i+1, j+1
		case t[i+1][j] >= t[i][j+1]:
			i++
		default:
			j++
		}
	}
	return out
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
