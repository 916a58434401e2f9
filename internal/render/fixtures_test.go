package render

import (
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Fixture plans are built in code, as the planner would produce them: field
// changes of creates are adds, of deletes removes; secret fields already
// hold plan.Sensitive.

const (
	hashStaging    = "9f2c4e8a1b3d5f7091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708"
	hashProduction = "0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f"
	hashDev        = "5a5b5c5d5e5f60616263646566676869707172737475767778797a7b7c7d7e7f"
	stateRevision  = "3f9c2ab8d1e04b5a9c6f7e8d9a0b1c2d3e4f5a6b"
)

func stateBranch() plan.RecordedState {
	return plan.RecordedState{Source: "git refs/heads/honua-state", Revision: stateRevision}
}

// noChangesPlan: recorded and desired agree, live read, no drift.
func noChangesPlan() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   "production",
		Summary:       plan.Summary{Unchanged: 5},
		Changes:       []plan.Change{},
		Drift:         []plan.Drift{},
		LiveRead:      true,
		Recorded:      stateBranch(),
		Hash:          hashProduction,
	}
}

// stagingPlan: creates, updates and deletes with nested paths, sensitive
// fields, risk reasons, drift of every type and notes.
func stagingPlan() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   "staging",
		Summary:       plan.Summary{Create: 2, Update: 2, Delete: 1, Unchanged: 5},
		Changes: []plan.Change{
			{
				Action: plan.Create, Kind: "Connection", Namespace: "default", Name: "parcels-db", Risk: plan.Low,
				Changes: []plan.FieldChange{
					{Path: "/spec/host", Op: plan.OpAdd, After: "db.staging.internal"},
					{Path: "/spec/password", Op: plan.OpAdd, After: plan.Sensitive, Sensitive: true},
					{Path: "/spec/port", Op: plan.OpAdd, After: int64(5432)},
				},
			},
			{
				Action: plan.Create, Kind: "Layer", Namespace: "default", Name: "parcels", Risk: plan.Low,
				Changes: []plan.FieldChange{
					{Path: "/metadata/labels/tier", Op: plan.OpAdd, After: "gold"},
					{Path: "/spec/fields", Op: plan.OpAdd, After: []any{"apn", "owner", "area_m2"}},
					{Path: "/spec/srid", Op: plan.OpAdd, After: int64(4326)},
					{Path: "/spec/title", Op: plan.OpAdd, After: "Parcels"},
				},
			},
			{
				Action: plan.Update, Kind: "Layer", Namespace: "default", Name: "roads", Risk: plan.High,
				Reasons: []string{"changes spec.srid, which clients depend on"},
				Changes: []plan.FieldChange{
					{Path: "/metadata/labels/tier", Op: plan.OpRemove, Before: "gold"},
					{Path: "/spec/extent/bbox/0", Op: plan.OpReplace, Before: -180.5, After: -179.25},
					{Path: "/spec/popup", Op: plan.OpAdd, After: map[string]any{"title": "{name}", "fields": []any{"name", "class"}}},
					{Path: "/spec/srid", Op: plan.OpReplace, Before: int64(4326), After: int64(3857)},
				},
			},
			{
				Action: plan.Update, Kind: "Service", Namespace: "default", Name: "basemap", Risk: plan.Medium,
				Changes: []plan.FieldChange{
					{Path: "/spec/cache/enabled", Op: plan.OpReplace, Before: false, After: true},
					{Path: "/spec/credentials/apiKey", Op: plan.OpReplace, Before: plan.Sensitive, After: plan.Sensitive, Sensitive: true},
				},
			},
			{
				Action: plan.Delete, Kind: "Style", Namespace: "default", Name: "legacy-roads", Risk: plan.High,
				Reasons: []string{"deletes the Style; clients using it will break"},
				Changes: []plan.FieldChange{
					{Path: "/spec/format", Op: plan.OpRemove, Before: "sld"},
					{Path: "/spec/layer", Op: plan.OpRemove, Before: "roads"},
				},
			},
		},
		Drift: []plan.Drift{
			{Type: plan.SpecDrift, Kind: "Layer", Namespace: "default", Name: "buildings", Changes: []plan.FieldChange{
				{Path: "/spec/title", Op: plan.OpReplace, Before: "Buildings", After: "Buildings (edited in admin UI)"},
				{Path: "/spec/maxFeatures", Op: plan.OpAdd, After: int64(5000)},
			}},
			{Type: plan.Missing, Kind: "Layer", Namespace: "default", Name: "hydrants"},
			{Type: plan.Unmanaged, Kind: "Layer", Namespace: "default", Name: "parcels"},
		},
		LiveRead: true,
		Recorded: stateBranch(),
		Hash:     hashStaging,
		Notes:    []string{"Layer/default/parcels exists on the server already; apply takes it over."},
	}
}

// devPlan: nothing applied yet, live state not read.
func devPlan() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   "development",
		Summary:       plan.Summary{Create: 1},
		Changes: []plan.Change{
			{
				Action: plan.Create, Kind: "Service", Namespace: "default", Name: "basemap", Risk: plan.Low,
				Changes: []plan.FieldChange{
					{Path: "/spec/protocols", Op: plan.OpAdd, After: []any{"ogc-features", "wms"}},
				},
			},
		},
		Drift:    []plan.Drift{},
		LiveRead: false,
		Recorded: plan.RecordedState{Source: "local state (.git/honua-gitops)", Empty: true},
		Hash:     hashDev,
	}
}

// hostilePlan has names and values written to break out of Markdown, HTML,
// code fences and terminals.
func hostilePlan() *plan.Plan {
	long := strings.Repeat("abcdefghij", 20)
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   "qa|<b>x</b>",
		Summary:       plan.Summary{Create: 1, Update: 1, Unchanged: 1},
		Changes: []plan.Change{
			{
				Action: plan.Create, Kind: "Layer", Namespace: "default", Name: "<script>alert(1)</script>|`x`", Risk: plan.Low,
				Changes: []plan.FieldChange{
					{Path: "/spec/description", Op: plan.OpAdd, After: "before\n```\n</details>\n# injected\nafter"},
					{Path: "/spec/title", Op: plan.OpAdd, After: "````` fence `````"},
					{Path: "/spec/notes", Op: plan.OpAdd, After: long},
				},
			},
			{
				Action: plan.Update, Kind: "Style", Namespace: "default", Name: "*bold*_[link](http://x)\x1b[31mred\u202e", Risk: plan.High,
				Reasons: []string{"changes spec.<layer>, which clients depend on"},
				Changes: []plan.FieldChange{
					{Path: "/spec/a~1b\n```", Op: plan.OpReplace, Before: "<i>old</i>", After: "new & \"quoted\""},
				},
			},
		},
		Drift:    []plan.Drift{},
		LiveRead: true,
		Recorded: plan.RecordedState{Source: "file state|`x`.json", Revision: "v1"},
		Hash:     hashDev,
		Notes:    []string{"1. <img src=x> @team | `code`"},
	}
}

// secretsPlan carries ${secret:...} placeholders the planner did not mark
// sensitive, and a sensitive field whose values were not masked: the
// renderers must mask both.
func secretsPlan() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   "staging",
		Summary:       plan.Summary{Create: 1, Update: 1},
		Changes: []plan.Change{
			{
				Action: plan.Create, Kind: "Connection", Namespace: "default", Name: "pg", Risk: plan.Low,
				Changes: []plan.FieldChange{
					{Path: "/spec/dsn", Op: plan.OpAdd, After: "postgres://app:${secret:PG_PASSWORD}@db/gis"},
					{Path: "/spec/options", Op: plan.OpAdd, After: map[string]any{"auth": []any{"${secret:TOKEN}"}}},
				},
			},
			{
				Action: plan.Update, Kind: "Connection", Namespace: "default", Name: "wfs", Risk: plan.Medium,
				Changes: []plan.FieldChange{
					{Path: "/spec/password", Op: plan.OpReplace, Before: "hunter2", After: "correct-horse", Sensitive: true},
					{Path: "/spec/header", Op: plan.OpReplace, Before: "Bearer ${secret:OLD}", After: "plain"},
				},
			},
		},
		Drift: []plan.Drift{
			{Type: plan.SpecDrift, Kind: "Connection", Namespace: "default", Name: "pg", Changes: []plan.FieldChange{
				{Path: "/spec/dsn", Op: plan.OpReplace, Before: "${secret:PG}", After: "postgres://live"},
			}},
		},
		LiveRead: true,
		Recorded: stateBranch(),
		Hash:     hashStaging,
	}
}

// leakedSecrets are strings that must not appear in any rendering of
// secretsPlan. Placeholder names may: reviewers see which secret is used.
var leakedSecrets = []string{"${secret:", "hunter2", "correct-horse", "postgres://live", "app:", "Bearer"}

// bigPlan has n changed resources, each with a few field changes.
func bigPlan(env string, n int) *plan.Plan {
	p := &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   env,
		Summary:       plan.Summary{Create: n},
		Drift:         []plan.Drift{},
		LiveRead:      true,
		Recorded:      stateBranch(),
		Hash:          hashStaging,
	}
	for i := range n {
		p.Changes = append(p.Changes, plan.Change{
			Action: plan.Create, Kind: "Layer", Namespace: "default", Name: fmt.Sprintf("layer-%03d", i), Risk: plan.Low,
			Changes: []plan.FieldChange{
				{Path: "/spec/title", Op: plan.OpAdd, After: fmt.Sprintf("Layer %d", i)},
				{Path: "/spec/table", Op: plan.OpAdd, After: fmt.Sprintf("public.layer_%03d", i)},
				{Path: "/spec/srid", Op: plan.OpAdd, After: int64(4326)},
			},
		})
	}
	return p
}

// listsPlan is computed by the planner from recorded and desired state
// (issue 10 item 1): in a Layer's fields one is added in the middle, one
// renamed (alias changed) and one removed, and its long description is
// edited in the middle; in a Style one layer is moved from first to last.
func listsPlan() *plan.Plan {
	field := func(name, alias string) any {
		return map[string]any{"name": name, "type": "string", "alias": alias}
	}
	const desc = "Tax parcels of Riverton County as maintained by the Assessor's office, refreshed nightly from the cadastral fabric; %s geometry is in the state plane and attributes follow the 2024 schema."
	layer := func(description string, fields ...any) *resource.Resource {
		return &resource.Resource{APIVersion: resource.APIVersion, Kind: "Layer", Metadata: resource.Metadata{Name: "parcels", Namespace: "planning"},
			Spec: map[string]any{"tableName": "parcels", "description": description, "fields": fields}}
	}
	style := func(ids ...string) *resource.Resource {
		layers := make([]any, len(ids))
		for i, id := range ids {
			layers[i] = map[string]any{"id": id, "type": "line"}
		}
		return &resource.Resource{APIVersion: resource.APIVersion, Kind: "Style", Metadata: resource.Metadata{Name: "parcels-default", Namespace: "planning"},
			Spec: map[string]any{"layerId": "parcels", "style": map[string]any{"version": int64(8), "layers": layers}}}
	}
	recorded := []*resource.Resource{
		layer(fmt.Sprintf(desc, "the"), field("parcel_id", "Parcel ID"), field("owner_name", "Owner"), field("land_use_code", "Land use"), field("zone_code", "Zone")),
		style("parcels-fill", "parcels-casing", "parcels-outline"),
	}
	desired := []*resource.Resource{
		layer(fmt.Sprintf(desc, "parcel"), field("parcel_id", "Parcel ID (APN)"), field("situs_address", "Site address"), field("owner_name", "Owner"), field("zone_code", "Zone")),
		style("parcels-casing", "parcels-outline", "parcels-fill"),
	}
	p := plan.Compute(plan.Input{Environment: "staging", Desired: desired, Recorded: recorded, RecordedState: stateBranch()})
	return p
}
