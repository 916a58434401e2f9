package loader

import "github.com/honua-io/honua-gitops/internal/document"

// merge overlays over onto base and returns a new tree: mappings merge key by
// key, lists and scalars replace, and an explicit null removes the key.
// Positions are kept from whichever side each value came from.
func merge(base, over *document.Node) *document.Node {
	if base == nil || base.Kind != document.Map || over.Kind != document.Map {
		return over.Clone()
	}
	out := base.Clone()
	for _, e := range over.Entries {
		if e.Value.IsNull() {
			out.Delete(e.Key)
			continue
		}
		if cur := out.Get(e.Key); cur != nil && cur.Kind == document.Map && e.Value.Kind == document.Map {
			out.Set(e.Key, e.KeyPos, merge(cur, e.Value))
			continue
		}
		out.Set(e.Key, e.KeyPos, e.Value.Clone())
	}
	return out
}

// dropNulls removes null map entries left in a resource that was not merged,
// so that "null removes a key" holds whatever layer a resource comes from.
func dropNulls(n *document.Node) {
	if n == nil {
		return
	}
	switch n.Kind {
	case document.Map:
		kept := n.Entries[:0]
		for _, e := range n.Entries {
			if e.Value.IsNull() {
				continue
			}
			dropNulls(e.Value)
			kept = append(kept, e)
		}
		n.Entries = kept
	case document.List:
		for _, it := range n.Items {
			dropNulls(it)
		}
	}
}
