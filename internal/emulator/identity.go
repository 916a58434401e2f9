package emulator

import (
	"cmp"
	"fmt"
	"strings"
)

// Identity names a resource on a Honua server: (kind, namespace, name).
// Comparisons are exact; Honua looks resources up case-sensitively by kind
// even though it validates kinds case-insensitively (Appendix B.2).
type Identity struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// String renders the identity as Kind/namespace/name.
func (id Identity) String() string {
	return id.Kind + "/" + id.Namespace + "/" + id.Name
}

// IsZero reports whether every part of the identity is empty.
func (id Identity) IsZero() bool {
	return id == Identity{}
}

// ParseIdentity parses "Kind/namespace/name". All three parts are required.
func ParseIdentity(s string) (Identity, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return Identity{}, fmt.Errorf("identity %q: want Kind/namespace/name", s)
	}
	return Identity{Kind: parts[0], Namespace: parts[1], Name: parts[2]}, nil
}

// compareIdentity orders identities the way Honua orders manifests: by kind,
// namespace and name compared case-insensitively, with the exact spelling as
// a tie-breaker so the order is total.
func compareIdentity(a, b Identity) int {
	return cmp.Or(
		cmp.Compare(strings.ToLower(a.Kind), strings.ToLower(b.Kind)),
		cmp.Compare(strings.ToLower(a.Namespace), strings.ToLower(b.Namespace)),
		cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
		cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Namespace, b.Namespace),
		cmp.Compare(a.Name, b.Name),
	)
}
