package render

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// decodePlan reads a plan back the way a consumer would, with numbers in
// the canonical value form (int64 when integral).
func decodePlan(t *testing.T, data []byte, into any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(into))
}

func normalizeFields(t *testing.T, fields []plan.FieldChange) {
	t.Helper()
	for i := range fields {
		var err error
		fields[i].Before, err = resource.Normalize(fields[i].Before)
		require.NoError(t, err)
		fields[i].After, err = resource.Normalize(fields[i].After)
		require.NoError(t, err)
	}
}

func normalizePlan(t *testing.T, p *plan.Plan) {
	t.Helper()
	for i := range p.Changes {
		normalizeFields(t, p.Changes[i].Changes)
	}
	for i := range p.Drift {
		normalizeFields(t, p.Drift[i].Changes)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		plan func() *plan.Plan
	}{
		{"no changes", noChangesPlan},
		{"staging", stagingPlan},
		{"live not read", devPlan},
		{"hostile", hostilePlan},
		{"large", func() *plan.Plan { return bigPlan("staging", 20) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, JSON(&buf, []*plan.Plan{tt.plan()}))
			var got plan.Plan
			decodePlan(t, buf.Bytes(), &got)
			normalizePlan(t, &got)
			assert.Equal(t, tt.plan(), &got)
		})
	}
}

func TestJSONSetRoundTrip(t *testing.T) {
	t.Parallel()
	plans := []*plan.Plan{devPlan(), stagingPlan(), noChangesPlan()}
	var buf bytes.Buffer
	require.NoError(t, JSON(&buf, plans))
	var got plan.Set
	decodePlan(t, buf.Bytes(), &got)
	for _, p := range got.Plans {
		normalizePlan(t, p)
	}
	assert.Equal(t, plan.Set{FormatVersion: 1, Plans: plans}, got)
}

func TestJSONShape(t *testing.T) {
	t.Parallel()
	bare := &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Environment:   "staging",
		Changes:       []plan.Change{{Action: plan.Delete, Kind: "Layer", Namespace: "default", Name: "a&b<c>", Risk: plan.High}},
	}
	tests := []struct {
		name    string
		plans   []*plan.Plan
		want    []string
		notWant []string
	}{
		{
			name:    "nil slices become arrays",
			plans:   []*plan.Plan{{Environment: "staging"}},
			want:    []string{`"changes": []`, `"drift": []`},
			notWant: []string{"null"},
		},
		{
			name:    "nil field changes become an array, no HTML escaping",
			plans:   []*plan.Plan{bare},
			want:    []string{`"changes": []`, `"name": "a&b<c>"`},
			notWant: []string{`\u0026`, `\u003c`},
		},
		{
			name:  "no plans is an empty set",
			plans: nil,
			want:  []string{`"plans": []`, `"formatVersion": 1`},
		},
		{
			name:  "several plans are a set",
			plans: []*plan.Plan{devPlan(), noChangesPlan()},
			want:  []string{"{\n  \"formatVersion\": 1,\n  \"plans\": [\n    {\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, JSON(&buf, tt.plans))
			out := buf.String()
			assert.True(t, json.Valid(buf.Bytes()))
			assert.True(t, len(out) > 0 && out[len(out)-1] == '\n', "ends in a newline")
			for _, s := range tt.want {
				assert.Contains(t, out, s)
			}
			for _, s := range tt.notWant {
				assert.NotContains(t, out, s)
			}
		})
	}
}

func TestJSONDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	in := secretsPlan()
	in.Changes[0].Changes = nil
	var buf bytes.Buffer
	require.NoError(t, JSON(&buf, []*plan.Plan{in}))
	want := secretsPlan()
	want.Changes[0].Changes = nil
	assert.Equal(t, want, in)
}

func TestJSONUnencodableValue(t *testing.T) {
	t.Parallel()
	p := devPlan()
	p.Changes[0].Changes[0].After = func() {}
	err := JSON(&bytes.Buffer{}, []*plan.Plan{p})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "encode plan as json")
}
