package diff

import (
	"fmt"
	"strconv"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// Apply applies changes, in order, to a copy of v and returns the result.
// It is the inverse of Compare: Apply(before, Compare("", before, after,
// keys)) equals after. As in JSON Patch, an Add at a list index inserts,
// a Remove there removes the element, and a Move removes at From and then
// inserts at Path.
func Apply(v any, changes []Change) (any, error) {
	root := resource.Clone(v)
	for _, c := range changes {
		var err error
		if c.Op == Move {
			root, err = move(root, c)
		} else {
			root, err = set(root, SplitPointer(c.Path), c)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Path, err)
		}
	}
	return root, nil
}

func move(root any, c Change) (any, error) {
	v, err := get(root, SplitPointer(c.From))
	if err != nil {
		return nil, fmt.Errorf("move from %s: %w", c.From, err)
	}
	root, err = set(root, SplitPointer(c.From), Change{Op: Remove})
	if err != nil {
		return nil, err
	}
	return set(root, SplitPointer(c.Path), Change{Op: Add, After: v})
}

func get(cur any, path []string) (any, error) {
	for _, key := range path {
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[key]
			if !ok {
				return nil, fmt.Errorf("no key %q", key)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return nil, fmt.Errorf("index %q out of range", key)
			}
			cur = x[i]
		default:
			return nil, fmt.Errorf("cannot descend into %T", cur)
		}
	}
	return cur, nil
}

func set(cur any, path []string, c Change) (any, error) {
	if len(path) == 0 {
		if c.Op == Remove {
			return nil, nil
		}
		return resource.Clone(c.After), nil
	}
	key := path[0]
	switch x := cur.(type) {
	case map[string]any:
		if len(path) == 1 && c.Op == Remove {
			delete(x, key)
			return x, nil
		}
		child, err := set(x[key], path[1:], c)
		if err != nil {
			return nil, err
		}
		x[key] = child
		return x, nil
	case []any:
		i, err := strconv.Atoi(key)
		last := len(path) == 1
		size := len(x)
		if last && c.Op == Add {
			size++ // an insert may append
		}
		if err != nil || i < 0 || i >= size {
			return nil, fmt.Errorf("index %q out of range", key)
		}
		switch {
		case last && c.Op == Add:
			return insertAt(x, i, resource.Clone(c.After)), nil
		case last && c.Op == Remove:
			return append(x[:i:i], x[i+1:]...), nil
		}
		child, err := set(x[i], path[1:], c)
		if err != nil {
			return nil, err
		}
		x[i] = child
		return x, nil
	case nil:
		if c.Op == Remove {
			return nil, nil
		}
		m := map[string]any{}
		child, err := set(nil, path[1:], c)
		if err != nil {
			return nil, err
		}
		m[key] = child
		return m, nil
	}
	return nil, fmt.Errorf("cannot descend into %T", cur)
}

// insertAt inserts v at i into a fresh list, leaving l unchanged.
func insertAt(l []any, i int, v any) []any {
	out := make([]any, 0, len(l)+1)
	out = append(out, l[:i]...)
	out = append(out, v)
	return append(out, l[i:]...)
}
