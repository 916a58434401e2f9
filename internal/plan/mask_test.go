package plan

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// Issue 9 item 3: a secret inside a value that is added or removed as a
// whole (a live spec.auth map) is masked by key at any depth, in drift as
// in plans.
func TestSecretsAreMaskedByKeyAtAnyDepth(t *testing.T) {
	const leaked = "hunter2-live-password"
	svc := func(spec map[string]any) *resource.Resource {
		return &resource.Resource{APIVersion: resource.APIVersion, Kind: "Service", Metadata: resource.Metadata{Name: "permits", Namespace: "planning"}, Spec: spec}
	}
	recorded := svc(map[string]any{"title": "Permits"})
	live := svc(map[string]any{"title": "Permits", "auth": map[string]any{"type": "basic", "user": "gis",
		"password": leaked, "upstreams": []any{map[string]any{"url": "https://a", "token": leaked}}}})
	desired := svc(map[string]any{"title": "Permits", "auth": map[string]any{"type": "basic", "user": "gis", "password": leaked}})

	p := Compute(Input{Environment: "staging", Desired: []*resource.Resource{desired}, Recorded: []*resource.Resource{recorded},
		Live: []*resource.Resource{live}, LiveRead: true})
	data, err := json.Marshal(p)
	require.NoError(t, err)
	assert.NotContains(t, string(data), leaked)
	require.Len(t, p.Drift, 1)
	require.NotEmpty(t, p.Drift[0].Changes)
	auth := p.Drift[0].Changes[0].After.(map[string]any)
	assert.Equal(t, "basic", auth["type"], "what is not secret stays readable")
	assert.Equal(t, Sensitive, auth["password"])
	assert.Equal(t, Sensitive, auth["upstreams"].([]any)[0].(map[string]any)["token"])
}
