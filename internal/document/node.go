// Package document parses configuration files (YAML, multi-document, and
// strict JSON) into a tree of values that remembers where each value came
// from, so that every later check can point at file:line:col.
package document

import (
	"github.com/honua-io/honua-gitops/internal/diag"
)

// Kind is the shape of a node.
type Kind uint8

const (
	// Scalar holds a string, int64, float64, bool or nil in Value.
	Scalar Kind = iota
	// Map holds ordered Entries.
	Map
	// List holds Items.
	List
)

// Node is one value of a parsed document with its source position.
type Node struct {
	Kind    Kind
	Pos     diag.Pos
	Value   any // Scalar only: string, int64, float64, bool or nil
	Entries []Entry
	Items   []*Node
}

// Entry is a key of a map node with its value.
type Entry struct {
	Key    string
	KeyPos diag.Pos
	Value  *Node
}

// Get returns the value of key in a map node, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := range n.Entries {
		if n.Entries[i].Key == key {
			return n.Entries[i].Value
		}
	}
	return nil
}

// Entry returns the entry for key in a map node, or nil.
func (n *Node) Entry(key string) *Entry {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := range n.Entries {
		if n.Entries[i].Key == key {
			return &n.Entries[i]
		}
	}
	return nil
}

// Set replaces or appends key in a map node.
func (n *Node) Set(key string, keyPos diag.Pos, v *Node) {
	if e := n.Entry(key); e != nil {
		e.Value = v
		return
	}
	n.Entries = append(n.Entries, Entry{Key: key, KeyPos: keyPos, Value: v})
}

// Delete removes key from a map node.
func (n *Node) Delete(key string) {
	for i := range n.Entries {
		if n.Entries[i].Key == key {
			n.Entries = append(n.Entries[:i], n.Entries[i+1:]...)
			return
		}
	}
}

// IsNull reports whether the node is an explicit null.
func (n *Node) IsNull() bool { return n != nil && n.Kind == Scalar && n.Value == nil }

// String returns the scalar string value and whether the node is a string.
func (n *Node) String() (string, bool) {
	if n == nil || n.Kind != Scalar {
		return "", false
	}
	s, ok := n.Value.(string)
	return s, ok
}

// Clone deep-copies the node so that merges never alias shared trees.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	if n.Entries != nil {
		c.Entries = make([]Entry, len(n.Entries))
		for i, e := range n.Entries {
			c.Entries[i] = Entry{Key: e.Key, KeyPos: e.KeyPos, Value: e.Value.Clone()}
		}
	}
	if n.Items != nil {
		c.Items = make([]*Node, len(n.Items))
		for i, it := range n.Items {
			c.Items[i] = it.Clone()
		}
	}
	return &c
}

// Interface converts the tree to plain Go values: map[string]any, []any and
// scalars. It is the form the plan engine compares.
func (n *Node) Interface() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case Map:
		m := make(map[string]any, len(n.Entries))
		for _, e := range n.Entries {
			m[e.Key] = e.Value.Interface()
		}
		return m
	case List:
		l := make([]any, len(n.Items))
		for i, it := range n.Items {
			l[i] = it.Interface()
		}
		return l
	default:
		return n.Value
	}
}

// TypeName names the node's type for error messages.
func (n *Node) TypeName() string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case Map:
		return "a mapping"
	case List:
		return "a list"
	}
	switch n.Value.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "a value"
}
