package plan_test

import (
	"encoding/json"
	"testing"

	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// apply replays a plan's operations on recorded state, using only what the
// plan says (field paths and values), and returns the resulting state.
func apply(t *testing.T, recorded []*resource.Resource, p *plan.Plan) map[resource.Identity]any {
	t.Helper()
	state := map[resource.Identity]any{}
	for _, r := range recorded {
		state[r.ID()] = r.Object()
	}
	for _, c := range p.Changes {
		id := resource.Identity{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}
		changes := make([]diff.Change, len(c.Changes))
		for i, f := range c.Changes {
			op := diff.Replace
			switch f.Op {
			case plan.OpAdd:
				op = diff.Add
			case plan.OpRemove:
				op = diff.Remove
			case plan.OpMove:
				op = diff.Move
			}
			changes[i] = diff.Change{Path: f.Path, Op: op, Before: f.Before, After: f.After, From: f.From}
		}
		switch c.Action {
		case plan.Delete:
			delete(state, id)
		case plan.Create:
			identity := map[string]any{"apiVersion": resource.APIVersion, "kind": c.Kind, "metadata": map[string]any{"name": c.Name, "namespace": c.Namespace}}
			obj, err := diff.Apply(identity, changes)
			if err != nil {
				t.Fatalf("create %s: %v", id, err)
			}
			state[id] = obj
		case plan.Update:
			obj, err := diff.Apply(state[id], changes)
			if err != nil {
				t.Fatalf("update %s: %v", id, err)
			}
			state[id] = obj
		}
	}
	return state
}

// resourcesFrom turns a JSON object {name: spec} into Layer resources. Secret
// key names are skipped: their values are redacted in plans by design.
func resourcesFrom(data []byte) ([]*resource.Resource, bool) {
	var raw map[string]any
	if json.Unmarshal(data, &raw) != nil {
		return nil, false
	}
	var out []*resource.Resource
	for name, spec := range raw {
		if resource.ValidateName(name) != nil {
			continue
		}
		obj := map[string]any{"apiVersion": resource.APIVersion, "kind": "Layer", "metadata": map[string]any{"name": name}, "spec": spec}
		r, err := resource.FromObject(obj)
		if err != nil {
			return nil, false
		}
		if hasSecret(r.Spec) {
			continue
		}
		out = append(out, r)
	}
	return out, true
}

func hasSecret(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if resource.IsSecretKey("Layer", k) || hasSecret(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasSecret(e) {
				return true
			}
		}
	case string:
		return plan.IsSensitive("Layer", "", x)
	}
	return false
}

// FuzzPlanInvariant checks the core promise of a plan: replaying its
// operations on the recorded state yields exactly the desired state.
func FuzzPlanInvariant(f *testing.F) {
	f.Add([]byte(`{"a":{"srid":4326,"fields":["x","y"],"q":{"m":1}}}`), []byte(`{"a":{"srid":3857,"fields":["x"],"q":{"m":1,"n":null}},"b":{}}`))
	f.Add([]byte(`{"a":{"l":[{"k":1},{"k":2}]}}`), []byte(`{"a":{"l":[{"k":1},{"k":3,"z":true}]}}`))
	f.Add([]byte(`{"x/y":{}, "~a":{"~k/":1}}`), []byte(`{"~a":{"~k/":2}}`))
	f.Add([]byte(`{}`), []byte(`{"a":{"v":1.5e300}}`))
	// Layer fields are keyed by name: inserts, removals, moves and edits.
	f.Add([]byte(`{"a":{"fields":[{"name":"c"},{"name":"x","t":1},{"name":"a","t":2},{"name":"b"}]}}`), []byte(`{"a":{"fields":[{"name":"a","t":1},{"name":"b"},{"name":"c"},{"name":"d"}]}}`))
	f.Add([]byte(`{"a":{"fields":[{"name":"a"},{"name":"a"}],"l":[1,2,3,4]}}`), []byte(`{"a":{"fields":[{"name":"a"}],"l":[0,2,4,5]}}`))
	f.Fuzz(func(t *testing.T, desiredJSON, recordedJSON []byte) {
		desired, ok1 := resourcesFrom(desiredJSON)
		recorded, ok2 := resourcesFrom(recordedJSON)
		if !ok1 || !ok2 {
			return
		}
		p := plan.Compute(plan.Input{Environment: "fuzz", Desired: desired, Recorded: recorded})
		got := apply(t, recorded, p)
		if len(got) != len(desired) {
			t.Fatalf("after apply %d resources, want %d", len(got), len(desired))
		}
		for _, d := range desired {
			if !resource.Equal(got[d.ID()], d.Object()) {
				t.Fatalf("%s after apply:\n%v\nwant:\n%v", d.ID(), resource.ShortValue(got[d.ID()]), resource.ShortValue(d.Object()))
			}
		}
		again := plan.Compute(plan.Input{Environment: "fuzz", Desired: desired, Recorded: recorded})
		if again.Hash != p.Hash {
			t.Fatalf("hash is not deterministic")
		}
	})
}
