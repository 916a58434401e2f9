package plan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

func adopting(r *resource.Resource) *resource.Resource {
	c := *r
	c.Metadata.Annotations = map[string]string{resource.AnnotationAdopt: "true"}
	return &c
}

// Observed resources get no operation whatever git says, unless git
// adopts one, which updates it from its observed value.
func TestObservedResourcesAreNeverWrittenUntilAdopted(t *testing.T) {
	observed := []*resource.Resource{layer("parcels", 4326), layer("roads", 4326)}
	for _, tc := range []struct {
		name     string
		desired  []*resource.Resource
		want     []string
		observed []string
	}{
		{"as imported", []*resource.Resource{layer("parcels", 4326), layer("roads", 4326)}, nil, []string{"Layer/default/parcels", "Layer/default/roads"}},
		{"git differs", []*resource.Resource{layer("parcels", 3857), layer("roads", 4326)}, nil, []string{"Layer/default/parcels", "Layer/default/roads"}},
		{"removed from git", []*resource.Resource{layer("roads", 4326)}, nil, []string{"Layer/default/roads"}},
		{"adopted", []*resource.Resource{adopting(layer("parcels", 3857)), layer("roads", 4326)}, []string{"update Layer/default/parcels"}, []string{"Layer/default/roads"}},
		{"a new one beside them", []*resource.Resource{layer("parcels", 4326), layer("roads", 4326), layer("trails", 4326)}, []string{"create Layer/default/trails"}, []string{"Layer/default/parcels", "Layer/default/roads"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := plan.Compute(plan.Input{Environment: "staging", Desired: tc.desired, Observed: observed})
			assert.Equal(t, tc.want, subjects(p))
			assert.Equal(t, tc.observed, p.Observed)
			if len(tc.observed) > 0 {
				assert.Contains(t, p.Notes[len(p.Notes)-1], "Observed, not owned")
			}
		})
	}
	p := plan.Compute(plan.Input{Environment: "staging", Desired: []*resource.Resource{adopting(layer("parcels", 3857))}, Observed: observed})
	assert.Contains(t, p.Changes[0].Reasons, "adopts a resource imported as observed (gitops.honua.io/adopt)")
}

func TestObservedDriftIsMarked(t *testing.T) {
	observed := []*resource.Resource{layer("parcels", 4326), layer("roads", 4326)}
	live := []*resource.Resource{layer("parcels", 3857)}
	p := plan.Compute(plan.Input{Environment: "staging", Desired: observed, Observed: observed, Live: live, LiveRead: true})
	if assert.Len(t, p.Drift, 2) {
		assert.Equal(t, plan.Drift{Type: plan.SpecDrift, Kind: "Layer", Namespace: "default", Name: "parcels", Observed: true,
			Changes: []plan.FieldChange{{Path: "/spec/srid", Op: plan.OpReplace, Before: int64(4326), After: int64(3857)}}}, p.Drift[0])
		assert.Equal(t, plan.Drift{Type: plan.Missing, Kind: "Layer", Namespace: "default", Name: "roads", Observed: true}, p.Drift[1])
	}
	assert.Empty(t, p.Changes, "observed drift is never repaired by a plan")
}
