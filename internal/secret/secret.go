// Package secret resolves ${secret:NAME} placeholders from the process
// environment at apply time, and only then. Resolved values never leave the
// write to Honua: they are registered with a redactor so that no output can
// show them.
package secret

import (
	"fmt"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// Lookup finds a secret's value by name.
type Lookup func(name string) (string, bool)

// MissingError lists secrets that are not set.
type MissingError struct{ Names []string }

func (e *MissingError) Error() string {
	return fmt.Sprintf("secrets not set in the environment: %s (export them before apply; in GitHub Actions map repository secrets to env)", strings.Join(e.Names, ", "))
}

// Names returns the secret names a resource refers to, sorted.
func Names(r *resource.Resource) []string {
	return NamesIn(r.Spec)
}

// Resolve returns a copy of r with every placeholder replaced by its value,
// and the values used (for redaction). Missing secrets are an error.
func Resolve(r *resource.Resource, lookup Lookup) (*resource.Resource, []string, error) {
	var missing, values []string
	spec := walk(resource.Clone(r.Spec), func(s string) string {
		return expand(s, func(name, ref string) string {
			v, ok := lookup(name)
			if !ok || v == "" {
				if !slices.Contains(missing, name) {
					missing = append(missing, name)
				}
				return ref
			}
			values = append(values, v)
			return v
		})
	})
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, nil, &MissingError{Names: missing}
	}
	out := *r
	out.Spec = spec.(map[string]any)
	return &out, values, nil
}

func walk(v any, f func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = walk(e, f)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = walk(e, f)
		}
		return x
	case string:
		return f(x)
	}
	return v
}
