package resource

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// FromObject builds a canonical resource from a generic JSON object (whose
// spec values it normalises in place), such as
// an entry of a snapshot or a resource returned by Honua. Server-owned
// metadata, status, and annotations stamped by the server or this tool are
// dropped; an unknown kind keeps its spelling.
func FromObject(obj map[string]any) (*Resource, error) {
	r := &Resource{}
	r.APIVersion, _ = obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if k := LookupKind(kind); k != nil {
		kind = k.Name
	}
	r.Kind = kind
	md, _ := obj["metadata"].(map[string]any)
	if md == nil {
		return nil, fmt.Errorf("resource has no metadata")
	}
	r.Metadata.Name, _ = md["name"].(string)
	r.Metadata.Namespace, _ = md["namespace"].(string)
	if r.Metadata.Namespace == "" {
		r.Metadata.Namespace = DefaultNamespace
	}
	if r.Kind == "" || r.Metadata.Name == "" {
		return nil, fmt.Errorf("resource needs kind and metadata.name")
	}
	r.Metadata.Labels = toStringMap(md["labels"], nil)
	r.Metadata.Annotations = toStringMap(md["annotations"], IsServerOwnedAnnotation)
	spec, _ := obj["spec"].(map[string]any)
	norm, err := normalizeInPlace(spec)
	if err != nil {
		return nil, fmt.Errorf("%s: spec: %w", r.ID(), err)
	}
	if m, ok := norm.(map[string]any); ok {
		r.Spec = m
	} else {
		r.Spec = map[string]any{}
	}
	return r, nil
}

func toStringMap(v any, drop func(string) bool) map[string]string {
	m, _ := v.(map[string]any)
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		if drop != nil && drop(k) {
			continue
		}
		switch x := e.(type) {
		case string:
			out[k] = x
		case nil:
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// DecodeJSON decodes JSON bytes into canonical values (numbers normalised).
func DecodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return normalizeInPlace(v)
}

// normalizeInPlace normalises a freshly decoded value, reusing its maps and
// slices: snapshots and server answers are large, and a copy would double
// their memory for nothing.
func normalizeInPlace(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			n, err := normalizeInPlace(e)
			if err != nil {
				return nil, err
			}
			x[k] = n
		}
		return x, nil
	case []any:
		for i, e := range x {
			n, err := normalizeInPlace(e)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
		return x, nil
	}
	return Normalize(v)
}
