package diff

import (
	"fmt"
	"strconv"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// Apply applies changes to a copy of v and returns the result. It is the
// inverse of Values: Apply(before, Values("", before, after)) equals after.
func Apply(v any, changes []Change) (any, error) {
	root := resource.Clone(v)
	for _, c := range changes {
		var err error
		root, err = set(root, SplitPointer(c.Path), c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Path, err)
		}
	}
	return root, nil
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
		if err != nil || i < 0 || i >= len(x) {
			return nil, fmt.Errorf("index %q out of range", key)
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
