package prcomment

import (
	"fmt"
	"time"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// Fixture plans are built in code, as the planner produces them: secret
// fields already hold plan.Sensitive.

const (
	hashStaging    = "9f2c4e8a1b3d5f7091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708"
	hashProduction = "0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f"
	hashChanged    = "77aa88bb99cc00dd11ee22ff33aa44bb55cc66dd77ee88ff99aa00bb11cc22dd"
	stateRevision  = "3f9c2ab8d1e04b5a9c6f7e8d9a0b1c2d3e4f5a6b"
	headSHA        = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	oldHeadSHA     = "ffee0011223344556677889900aabbccddeeff00"
	runURL         = "https://github.com/acme/gis-config/actions/runs/123456789"
	artifactName   = "honua-gitops-plan"
)

var fixedTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func stateBranch() plan.RecordedState {
	return plan.RecordedState{Source: "git refs/heads/honua-state", Revision: stateRevision}
}

// stagingPlan creates a layer and updates a service (with a secret field).
func stagingPlan() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   "staging",
		Summary:       plan.Summary{Create: 1, Update: 1, Unchanged: 4},
		Changes: []plan.Change{
			{
				Action: plan.Create, Kind: "Layer", Namespace: "default", Name: "parcels", Risk: plan.Low,
				Changes: []plan.FieldChange{
					{Path: "/spec/srid", Op: plan.OpAdd, After: int64(4326)},
					{Path: "/spec/title", Op: plan.OpAdd, After: "Parcels"},
				},
			},
			{
				Action: plan.Update, Kind: "Service", Namespace: "default", Name: "basemap", Risk: plan.Medium,
				Changes: []plan.FieldChange{
					{Path: "/spec/cache/enabled", Op: plan.OpReplace, Before: false, After: true},
					{Path: "/spec/credentials/apiKey", Op: plan.OpReplace, Before: plan.Sensitive, After: plan.Sensitive, Sensitive: true},
				},
			},
		},
		Drift:    []plan.Drift{},
		LiveRead: true,
		Recorded: stateBranch(),
		Hash:     hashStaging,
	}
}

// productionPlan changes a layer's SRID (high risk) and has drift.
func productionPlan() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   "production",
		Summary:       plan.Summary{Update: 1, Unchanged: 5},
		Changes: []plan.Change{
			{
				Action: plan.Update, Kind: "Layer", Namespace: "default", Name: "roads", Risk: plan.High,
				Reasons: []string{"changes spec.srid, which clients depend on"},
				Changes: []plan.FieldChange{
					{Path: "/spec/srid", Op: plan.OpReplace, Before: int64(4326), After: int64(3857)},
				},
			},
		},
		Drift: []plan.Drift{
			{Type: plan.SpecDrift, Kind: "Layer", Namespace: "default", Name: "buildings",
				Changes: []plan.FieldChange{{Path: "/spec/title", Op: plan.OpReplace, Before: "Buildings", After: "Buildings (edited)"}}},
		},
		LiveRead: true,
		Recorded: stateBranch(),
		Hash:     hashProduction,
	}
}

// noChangesPlan is a development environment that matches recorded state.
func noChangesPlan() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   "development",
		Summary:       plan.Summary{Unchanged: 3},
		Changes:       []plan.Change{},
		Drift:         []plan.Drift{},
		Recorded:      stateBranch(),
		Hash:          "5a5b5c5d5e5f60616263646566676869707172737475767778797a7b7c7d7e7f",
	}
}

// bigPlan has n changes (creates, updates and deletes) of a few fields
// each, as a large import would.
func bigPlan(env string, n int) *plan.Plan {
	p := &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   env,
		Drift:         []plan.Drift{},
		LiveRead:      true,
		Recorded:      stateBranch(),
		Hash:          fmt.Sprintf("%064x", n),
	}
	for i := range n {
		c := plan.Change{Kind: "Layer", Namespace: "default", Name: fmt.Sprintf("layer-%05d", i), Risk: plan.Low}
		switch i % 3 {
		case 0:
			c.Action = plan.Create
			p.Summary.Create++
			c.Changes = []plan.FieldChange{
				{Path: "/spec/srid", Op: plan.OpAdd, After: int64(4326)},
				{Path: "/spec/title", Op: plan.OpAdd, After: fmt.Sprintf("Layer %d", i)},
				{Path: "/spec/connection", Op: plan.OpAdd, After: plan.Sensitive, Sensitive: true},
			}
		case 1:
			c.Action = plan.Update
			c.Risk = plan.Medium
			p.Summary.Update++
			c.Changes = []plan.FieldChange{
				{Path: "/spec/title", Op: plan.OpReplace, Before: fmt.Sprintf("Layer %d", i), After: fmt.Sprintf("Layer %d (v2)", i)},
				{Path: "/spec/maxFeatures", Op: plan.OpReplace, Before: int64(1000), After: int64(5000)},
				{Path: "/spec/password", Op: plan.OpReplace, Before: "${secret:old}", After: "${secret:new}"},
			}
		default:
			c.Action = plan.Delete
			c.Risk = plan.High
			c.Reasons = []string{"deletes the Layer; clients using it will break"}
			p.Summary.Delete++
			c.Changes = []plan.FieldChange{
				{Path: "/spec/srid", Op: plan.OpRemove, Before: int64(3857)},
				{Path: "/spec/title", Op: plan.OpRemove, Before: fmt.Sprintf("Layer %d", i)},
			}
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}

// baseMarker is the marker of PR 42 at headSHA.
func baseMarker() Marker {
	return Marker{Version: 1, PR: 42, HeadSHA: headSHA, UpdatedAt: fixedTime}
}

// baseInput is a planned two-environment comment.
func baseInput() Input {
	return Input{
		Marker:       baseMarker(),
		Plans:        []*plan.Plan{stagingPlan(), productionPlan()},
		RunURL:       runURL,
		ArtifactName: artifactName,
	}
}
