package resource

import (
	"cmp"
	"fmt"
	"strings"
	"unicode"
)

// Identity is what makes a resource unique on a Honua server.
type Identity struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// String renders the identity as Kind/namespace/name, the subject used in
// every message.
func (id Identity) String() string {
	return id.Kind + "/" + id.Namespace + "/" + id.Name
}

// Key is a comparable form of the identity with the kind folded to lower case.
func (id Identity) Key() Identity {
	id.Kind = strings.ToLower(id.Kind)
	return id
}

// Compare orders identities by dependency rank, kind, namespace, then name.
func (id Identity) Compare(o Identity) int {
	return cmp.Or(
		cmp.Compare(RankOf(id.Kind), RankOf(o.Kind)),
		cmp.Compare(id.Kind, o.Kind),
		cmp.Compare(id.Namespace, o.Namespace),
		cmp.Compare(id.Name, o.Name),
	)
}

// Metadata is the user-authored part of a resource's metadata. Server-owned
// fields (id, resourceVersion, generation, timestamps) are never kept.
type Metadata struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Resource is a Honua metadata resource in canonical form: canonical kind
// spelling, explicit namespace, no server-owned fields, numbers normalised.
type Resource struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   Metadata       `json:"metadata"`
	Spec       map[string]any `json:"spec"`
}

// ID returns the resource's identity.
func (r *Resource) ID() Identity {
	return Identity{Kind: r.Kind, Namespace: r.Metadata.Namespace, Name: r.Metadata.Name}
}

// Object returns the resource as a generic JSON object: the form diffs and
// hashes work on, where paths are JSON pointers from the resource root.
func (r *Resource) Object() map[string]any {
	md := map[string]any{"name": r.Metadata.Name, "namespace": r.Metadata.Namespace}
	if len(r.Metadata.Labels) > 0 {
		md["labels"] = stringMap(r.Metadata.Labels)
	}
	if len(r.Metadata.Annotations) > 0 {
		md["annotations"] = stringMap(r.Metadata.Annotations)
	}
	spec := r.Spec
	if spec == nil {
		spec = map[string]any{}
	}
	return map[string]any{"apiVersion": r.APIVersion, "kind": r.Kind, "metadata": md, "spec": spec}
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ParseRef splits a reference written in the repository: "name" refers to
// the same namespace, "namespace/name" to another.
func ParseRef(ref, defaultNamespace string) (namespace, name string) {
	if ns, n, ok := strings.Cut(ref, "/"); ok {
		return ns, n
	}
	return defaultNamespace, ref
}

// ValidateName checks a metadata.name or namespace: non-blank, no
// whitespace, no slash (it is a URL path segment on the server), and no
// control or formatting characters (they would move a terminal's cursor
// or reorder text for reviewers).
func ValidateName(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("must not be blank")
	case strings.ContainsAny(s, "/"):
		return fmt.Errorf("must not contain '/'")
	case strings.IndexFunc(s, isSpace) >= 0:
		return fmt.Errorf("must not contain whitespace")
	case strings.IndexFunc(s, isControl) >= 0:
		return fmt.Errorf("must not contain control or formatting characters")
	}
	return nil
}

func isControl(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0xA0 || r == 0x2028 || r == 0x2029 || r == 0x3000
}
