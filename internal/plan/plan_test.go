package plan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

func res(kind, name string, spec map[string]any) *resource.Resource {
	return &resource.Resource{APIVersion: resource.APIVersion, Kind: kind,
		Metadata: resource.Metadata{Name: name, Namespace: "default"}, Spec: spec}
}

func layer(name string, srid int64) *resource.Resource {
	return res("Layer", name, map[string]any{"tableName": name, "schemaName": "public", "geometryType": "Polygon", "srid": srid})
}

func subjects(p *plan.Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, string(c.Action)+" "+c.Subject())
	}
	return out
}

func TestOneFieldEditIsOneUpdate(t *testing.T) {
	recorded := []*resource.Resource{layer("parcels", 4326), layer("roads", 4326)}
	desired := []*resource.Resource{layer("parcels", 3857), layer("roads", 4326)}
	p := plan.Compute(plan.Input{Environment: "staging", Desired: desired, Recorded: recorded})
	require.Len(t, p.Changes, 1)
	c := p.Changes[0]
	assert.Equal(t, plan.Update, c.Action)
	assert.Equal(t, "Layer/default/parcels", c.Subject())
	assert.Equal(t, []plan.FieldChange{{Path: "/spec/srid", Op: plan.OpReplace, Before: int64(4326), After: int64(3857)}}, c.Changes)
	assert.Equal(t, plan.High, c.Risk, "a CRS change breaks clients")
	assert.Equal(t, plan.Summary{Update: 1, Unchanged: 1}, p.Summary)
}

func TestDependencyOrder(t *testing.T) {
	recorded := []*resource.Resource{
		res("Style", "old-style", map[string]any{"layerId": "old", "style": map[string]any{}}),
		layer("old", 4326),
		res("Service", "old-svc", map[string]any{"description": "x", "srid": int64(4326)}),
	}
	desired := []*resource.Resource{
		res("Relationship", "rel", map[string]any{"originLayerId": "a", "relatedLayerId": "b"}),
		res("Style", "a-style", map[string]any{"layerId": "a", "style": map[string]any{}}),
		layer("b", 4326), layer("a", 4326),
		res("Service", "svc", map[string]any{"description": "x", "srid": int64(4326)}),
		res("Connection", "db", map[string]any{"name": "db", "host": "h", "databaseName": "gis"}),
	}
	p := plan.Compute(plan.Input{Environment: "dev", Desired: desired, Recorded: recorded})
	assert.Equal(t, []string{
		"create Connection/default/db",
		"create Service/default/svc",
		"create Layer/default/a",
		"create Layer/default/b",
		"create Relationship/default/rel",
		"create Style/default/a-style",
		"delete Style/default/old-style",
		"delete Layer/default/old",
		"delete Service/default/old-svc",
	}, subjects(p))
}

func TestEveryReferencePointsToALowerRank(t *testing.T) {
	for _, k := range resource.Kinds() {
		for _, ref := range k.Refs {
			assert.Less(t, resource.RankOf(ref.Kind), k.Rank, "%s.%s → %s must be applied first", k.Name, ref.Field, ref.Kind)
		}
	}
}

func TestHashStability(t *testing.T) {
	desired := []*resource.Resource{layer("a", 4326), layer("b", 3857), res("Service", "s", map[string]any{"description": "x", "srid": int64(4326), "nested": map[string]any{"k1": 1.5, "k2": []any{"x", int64(2)}}})}
	recorded := []*resource.Resource{layer("a", 3857), layer("c", 4326)}
	base := plan.Compute(plan.Input{Environment: "staging", Desired: desired, Recorded: recorded})

	reversed := []*resource.Resource{desired[2], desired[1], desired[0]}
	again := plan.Compute(plan.Input{Environment: "staging", Desired: reversed, Recorded: []*resource.Resource{recorded[1], recorded[0]}})
	assert.Equal(t, base.Hash, again.Hash, "input order must not matter")

	withLive := plan.Compute(plan.Input{Environment: "staging", Desired: desired, Recorded: recorded, LiveRead: true,
		Live: []*resource.Resource{layer("a", 2056)}})
	assert.Equal(t, base.Hash, withLive.Hash, "live state must not change the hash")
	assert.NotEmpty(t, withLive.Drift)

	other := plan.Compute(plan.Input{Environment: "production", Desired: desired, Recorded: recorded})
	assert.NotEqual(t, base.Hash, other.Hash, "a plan reviewed for one environment is not valid for another")

	edited := []*resource.Resource{layer("a", 4326), layer("b", 3857), res("Service", "s", map[string]any{"description": "y", "srid": int64(4326), "nested": map[string]any{"k1": 1.5, "k2": []any{"x", int64(2)}}})}
	changed := plan.Compute(plan.Input{Environment: "staging", Desired: edited, Recorded: recorded})
	assert.NotEqual(t, base.Hash, changed.Hash)
	assert.Regexp(t, "^[0-9a-f]{64}$", base.Hash)
}

func TestNoChangesPlan(t *testing.T) {
	rs := []*resource.Resource{layer("a", 4326)}
	p := plan.Compute(plan.Input{Environment: "dev", Desired: rs, Recorded: []*resource.Resource{layer("a", 4326)}})
	assert.False(t, p.HasChanges())
	assert.Equal(t, plan.Summary{Unchanged: 1}, p.Summary)
	b, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"changes":[]`)
	assert.Contains(t, string(b), `"drift":[]`)
}

func TestSecretsAreRedacted(t *testing.T) {
	conn := func(pw, secretish string) *resource.Resource {
		return res("Connection", "db", map[string]any{"name": "db", "host": "h", "databaseName": "gis", "password": pw,
			"options": map[string]any{"apiKey": secretish}, "note": "uses ${secret:NOTE_TOKEN}"})
	}
	recorded := []*resource.Resource{conn("${secret:OLD}", "literal-old-key")}
	desired := []*resource.Resource{conn("${secret:NEW}", "literal-new-key")}
	p := plan.Compute(plan.Input{Environment: "dev", Desired: desired, Recorded: recorded})
	b, err := json.Marshal(p)
	require.NoError(t, err)
	s := string(b)
	for _, leak := range []string{"literal-old-key", "literal-new-key", "${secret:"} {
		assert.NotContains(t, s, leak)
	}
	require.Len(t, p.Changes, 1)
	for _, f := range p.Changes[0].Changes {
		assert.True(t, f.Sensitive, f.Path)
		assert.Equal(t, plan.Sensitive, f.After)
	}
	// Reviewers see which secret a field uses, and when it changes.
	assert.True(t, strings.Contains(s, `"path":"/spec/password","op":"replace","before":"(sensitive)","after":"(sensitive)","sensitive":true,"secretsBefore":["OLD"],"secretsAfter":["NEW"]`), s)
	created := plan.Compute(plan.Input{Environment: "dev", Desired: desired})
	b, _ = json.Marshal(created)
	assert.True(t, strings.Contains(string(b), `"path":"/spec/password","op":"add","before":null,"after":"(sensitive)","sensitive":true,"secretsAfter":["NEW"]`))
}

func TestRiskLevels(t *testing.T) {
	withLabel := layer("a", 4326)
	withLabel.Metadata.Labels = map[string]string{"tier": "gold"}
	withTitle := layer("a", 4326)
	withTitle.Spec["title"] = "A"
	tests := []struct {
		name              string
		desired, recorded []*resource.Resource
		want              plan.Risk
	}{
		{"create is low", []*resource.Resource{layer("a", 4326)}, nil, plan.Low},
		{"delete is high", nil, []*resource.Resource{layer("a", 4326)}, plan.High},
		{"metadata only is low", []*resource.Resource{withLabel}, []*resource.Resource{layer("a", 4326)}, plan.Low},
		{"spec change is medium", []*resource.Resource{withTitle}, []*resource.Resource{layer("a", 4326)}, plan.Medium},
		{"breaking field is high", []*resource.Resource{layer("a", 3857)}, []*resource.Resource{layer("a", 4326)}, plan.High},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := plan.Compute(plan.Input{Environment: "dev", Desired: tt.desired, Recorded: tt.recorded})
			require.Len(t, p.Changes, 1)
			assert.Equal(t, tt.want, p.Changes[0].Risk)
		})
	}
}

func TestDrift(t *testing.T) {
	recorded := []*resource.Resource{layer("a", 4326), layer("gone", 4326)}
	live := []*resource.Resource{layer("a", 3857), layer("hand-made", 4326), layer("new", 4326)}
	desired := []*resource.Resource{layer("a", 4326), layer("gone", 4326), layer("new", 4326)}
	p := plan.Compute(plan.Input{Environment: "dev", Desired: desired, Recorded: recorded, Live: live, LiveRead: true})
	var got []string
	for _, d := range p.Drift {
		got = append(got, string(d.Type)+" "+d.Subject())
	}
	assert.Equal(t, []string{"spec-drift Layer/default/a", "missing Layer/default/gone", "unmanaged Layer/default/new"}, got,
		"a resource made by hand that the repository does not declare is not ours to report or touch")
	assert.Equal(t, "/spec/srid", p.Drift[0].Changes[0].Path)
}
