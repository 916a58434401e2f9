package plan

import (
	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Restrict returns live cut to the shape of ref: objects keep only the
// keys ref has, and lists whose elements have an identity key (a Layer's
// fields by name) keep only the elements ref names, in ref's order. It is
// how a server that holds part of a resource (a Generation 2 server, set
// facet by facet) is compared with the repository: what the repository
// does not say is not the repository's to compare. A key ref has and live
// lacks stays absent, so it still shows as a difference. live is not
// modified.
func Restrict(live, ref *resource.Resource) *resource.Resource {
	if live == nil || ref == nil {
		return live
	}
	c := *live
	keys := resource.ListKeysOf(live.Kind)
	spec, _ := restrictValue("/spec", live.Spec, ref.Spec, keys).(map[string]any)
	if spec == nil {
		spec = map[string]any{}
	}
	c.Spec = spec
	if len(ref.Metadata.Labels) == 0 {
		c.Metadata.Labels = nil
	}
	if len(ref.Metadata.Annotations) == 0 {
		c.Metadata.Annotations = nil
	}
	return &c
}

func restrictValue(path string, live, ref any, keys map[string]string) any {
	switch r := ref.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return live
		}
		out := make(map[string]any, len(r))
		for k := range r {
			if v, ok := l[k]; ok {
				out[k] = restrictValue(path+"/"+diff.EscapePointer(k), v, r[k], keys)
			}
		}
		return out
	case []any:
		field, keyed := keys[path]
		l, ok := live.([]any)
		if !keyed || !ok {
			return live
		}
		byKey := make(map[string]any, len(l))
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				if k, ok := m[field].(string); ok {
					byKey[k] = e
				}
			}
		}
		out := make([]any, 0, len(r))
		for _, e := range r {
			m, _ := e.(map[string]any)
			k, ok := m[field].(string)
			if !ok {
				continue
			}
			if le, found := byKey[k]; found {
				out = append(out, restrictValue(path, le, e, nil))
			}
		}
		return out
	}
	return live
}
