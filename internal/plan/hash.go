package plan

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// Hash is the plan hash: SHA-256, lowercase hex, over the canonical JSON of
// the environment name and the ordered operations (action, identity, and
// each field's path, op and values, and a move's source). Element keys and
// display paths are derived from the values and left out. Secrets only ever appear as
// ${secret:NAME} placeholders; schema-secret literals are hashed as Sensitive.
// Drift, risk wording and timestamps are left out, so the hash is stable
// across runs and independent of live state.
func Hash(environment string, ops []op) string {
	items := make([]any, len(ops))
	for i, o := range ops {
		id := o.res.ID()
		fields := make([]any, len(o.fields))
		for j, f := range o.fields {
			before, after := f.Before, f.After
			if IsSensitive(id.Kind, f.Path, nil) {
				before, after = maskLiteral(before), maskLiteral(after)
			}
			field := map[string]any{"path": f.Path, "op": int64(f.Op), "before": before, "after": after}
			if f.From != "" {
				// Only moves have a source; other fields hash as they
				// always did, so plans without list moves keep their hash.
				field["from"] = f.From
			}
			fields[j] = field
		}
		items[i] = map[string]any{
			"action": string(o.action), "kind": id.Kind, "namespace": id.Namespace, "name": id.Name, "fields": fields,
		}
	}
	doc := map[string]any{"formatVersion": int64(FormatVersion), "environment": environment, "operations": items}
	b, err := resource.CanonicalJSON(doc)
	if err != nil {
		// Canonical values always encode; a failure here is a programming error.
		panic("plan: hash: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// maskLiteral keeps placeholders (they name a secret, they are not one) and
// masks anything else in a secret field.
func maskLiteral(v any) any {
	if v == nil || containsPlaceholder(v) {
		return v
	}
	return Sensitive
}
