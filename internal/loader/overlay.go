package loader

import "github.com/honua-io/honua-gitops/internal/document"

// The functions here never modify their inputs: parsed files are shared by
// every environment, so a transformation copies only the nodes on the path
// it changes and shares the rest.

// merge overlays over onto base and returns the result: mappings merge key
// by key, lists and scalars replace, and an explicit null removes the key.
// Positions are kept from whichever side each value came from.
func merge(base, over *document.Node) *document.Node {
	if base == nil || base.Kind != document.Map || over.Kind != document.Map {
		return over
	}
	out := *base
	out.Entries = append([]document.Entry(nil), base.Entries...)
	for _, e := range over.Entries {
		if e.Value.IsNull() {
			out.Delete(e.Key)
			continue
		}
		if cur := out.Get(e.Key); cur != nil && cur.Kind == document.Map && e.Value.Kind == document.Map {
			out.Set(e.Key, e.KeyPos, merge(cur, e.Value))
			continue
		}
		out.Set(e.Key, e.KeyPos, e.Value)
	}
	return &out
}

// dropNulls returns n without null map entries, so that "null removes a
// key" holds whatever layer a resource comes from. It returns n itself when
// there is nothing to drop.
func dropNulls(n *document.Node) *document.Node {
	switch n.Kind {
	case document.Map:
		var out []document.Entry
		changed := false
		for i, e := range n.Entries {
			v := e.Value
			if !v.IsNull() {
				v = dropNulls(v)
			}
			if v.IsNull() || v != e.Value {
				if !changed {
					changed = true
					out = append(make([]document.Entry, 0, len(n.Entries)), n.Entries[:i]...)
				}
				if v.IsNull() {
					continue
				}
				e.Value = v
			}
			if changed {
				out = append(out, e)
			}
		}
		if !changed {
			return n
		}
		c := *n
		c.Entries = out
		return &c
	case document.List:
		var items []*document.Node
		for i, it := range n.Items {
			v := dropNulls(it)
			if v != it && items == nil {
				items = append([]*document.Node(nil), n.Items...)
			}
			if items != nil {
				items[i] = v
			}
		}
		if items == nil {
			return n
		}
		c := *n
		c.Items = items
		return &c
	}
	return n
}
