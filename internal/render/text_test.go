package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
)

func renderText(t *testing.T, plans []*plan.Plan, color bool) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Text(&buf, plans, TextOptions{Color: color}))
	return buf.String()
}

func TestTextColor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		plans []*plan.Plan
		color bool
		want  []string
	}{
		{name: "off, staging", plans: []*plan.Plan{stagingPlan()}},
		{name: "off, hostile name with ESC", plans: []*plan.Plan{hostilePlan()}},
		{name: "off, several", plans: []*plan.Plan{devPlan(), stagingPlan(), noChangesPlan()}},
		{
			name: "on", plans: []*plan.Plan{stagingPlan()}, color: true,
			want: []string{
				ansiBold + "Environment staging" + ansiReset,
				"  " + ansiGreen + "+" + ansiReset + " Connection/default/parcels-db",
				"  " + ansiYellow + "~" + ansiReset + " Layer/default/roads",
				"  " + ansiRed + "-" + ansiReset + " Style/default/legacy-roads",
				ansiDim + "/spec/srid:" + ansiReset + " 4326 → 3857",
				ansiBold + "Plan: 2 to create, 2 to update, 1 to delete, 5 unchanged." + ansiReset,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := renderText(t, tt.plans, tt.color)
			if !tt.color {
				assert.NotContains(t, out, "\x1b", "no escape codes without colour")
				return
			}
			containsAll(t, out, tt.want...)
			// The hostile plan's ESC stays escaped even with colour on.
			assert.NotContains(t, renderText(t, []*plan.Plan{hostilePlan()}, true), "\x1b[31mred")
		})
	}
}

func TestTextLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		plans   []*plan.Plan
		want    []string
		notWant []string
	}{
		{
			name:  "no changes",
			plans: []*plan.Plan{noChangesPlan()},
			want: []string{
				"Environment production — recorded state: git refs/heads/honua-state (3f9c2ab)\n",
				"\nNo changes. production matches recorded state (5 resources).\nPlan hash: " + hashProduction + "\n",
			},
			notWant: []string{"Plan: ", "Drift:", "not read"},
		},
		{
			name:  "nested fields, replace, sensitive",
			plans: []*plan.Plan{stagingPlan()},
			want: []string{
				"  + Layer/default/parcels (create, risk low)\n      + /metadata/labels/tier: \"gold\"\n",
				"      ~ /spec/srid: 4326 → 3857\n",
				"      - /metadata/labels/tier: \"gold\"\n",
				"      + /spec/password: (sensitive)\n",
				"      ~ /spec/credentials/apiKey: (sensitive)\n",
				"  ~ Layer/default/roads (update, risk high: changes spec.srid, which clients depend on)\n",
				"\nDrift: live state differs from recorded state\n",
				"  - Layer/default/hydrants (missing from the server)\n",
				"Plan: 2 to create, 2 to update, 1 to delete, 5 unchanged.\nPlan hash: " + hashStaging + "\nNotes:\n  - ",
			},
			notWant: []string{"not read"},
		},
		{
			name:  "live state not read, nothing applied yet",
			plans: []*plan.Plan{devPlan()},
			want: []string{
				"recorded state: local state (.git/honua-gitops) (nothing applied yet)\n",
				"\nLive state was not read; use --target to include drift.\n",
			},
			notWant: []string{"Drift:"},
		},
		{
			name:  "plans separated by a blank line",
			plans: []*plan.Plan{devPlan(), noChangesPlan()},
			want:  []string{"Plan hash: " + hashDev + "\n\nEnvironment production"},
		},
		{
			name:  "long values are cut",
			plans: []*plan.Plan{hostilePlan()},
			want:  []string{"…\n"},
			notWant: []string{
				strings.Repeat("abcdefghij", 20),
				"\u202e", "\n```", "\n# injected",
			},
		},
		{
			name:  "no plans",
			plans: nil,
			want:  []string{"No environments to plan.\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := renderText(t, tt.plans, false)
			containsAll(t, out, tt.want...)
			containsNone(t, out, tt.notWant...)
		})
	}
}

func TestTextCompactKeepsOnlyUpdateFields(t *testing.T) {
	p := &plan.Plan{FormatVersion: 1, Environment: "dev", Changes: []plan.Change{
		{Action: plan.Create, Kind: "Layer", Namespace: "default", Name: "a", Risk: plan.Low, Changes: []plan.FieldChange{{Path: "/spec/srid", Op: plan.OpAdd, After: int64(4326)}}},
		{Action: plan.Update, Kind: "Layer", Namespace: "default", Name: "b", Risk: plan.High, Changes: []plan.FieldChange{{Path: "/spec/srid", Op: plan.OpReplace, Before: int64(4326), After: int64(3857)}}},
	}, Summary: plan.Summary{Create: 1, Update: 1}, Drift: []plan.Drift{}}
	var buf bytes.Buffer
	require.NoError(t, Text(&buf, []*plan.Plan{p}, TextOptions{Compact: true}))
	out := buf.String()
	assert.Contains(t, out, "+ Layer/default/a (create, risk low)\n  ~ Layer/default/b")
	assert.Contains(t, out, "~ /spec/srid: 4326 → 3857")
	assert.Equal(t, 1, strings.Count(out, "/spec/srid"))
}
