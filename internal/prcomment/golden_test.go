package prcomment

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/prcomment")

// goldenDir is the repository's testdata/prcomment.
var goldenDir = filepath.Join("..", "..", "testdata", "prcomment")

// assertGolden compares got with the named golden file, or rewrites the
// file under -update.
func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		require.NoError(t, os.MkdirAll(goldenDir, 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./internal/prcomment/ -update")
	require.Equal(t, string(want), got, "output differs from %s; run go test ./internal/prcomment/ -update if the change is intended", path)
}

const resultsStaging = "Deployment `d-20260301-0007` to 2 targets:\n\n| Resource | Action | Result |\n| --- | --- | --- |\n| Layer/default/parcels | create | ✅ |\n| Service/default/basemap | update | ✅ |"

const resultsProductionPartial = "Applied before the failure (recorded as deployment `d-20260301-0008`, partial):\n\n| Resource | Action | Result |\n| --- | --- | --- |\n| Layer/default/roads | update | ❌ 412 Precondition Failed |"

const invalidText = `environments/staging/layers/roads.yaml:12: spec.srid: 99999 is not a known EPSG code; use e.g. 4326
environments/staging/services/basemap.yaml:3: metadata.name: "Base Map" is not a valid name; use lowercase letters, digits and '-'`

func TestGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		input func() Input
	}{
		{"planned", baseInput},
		{"applying", func() Input {
			in := baseInput()
			in.Marker.Envs = map[string]EnvState{
				"staging":    {Hash: hashStaging, StateRevision: stateRevision, Status: Applying},
				"production": {Hash: hashProduction, StateRevision: stateRevision, Status: Planned},
			}
			in.Applying = map[string]string{"staging": "applying to 2 targets…"}
			return in
		}},
		{"applied", func() Input {
			// Lifecycle only: no plans, the marker carries everything.
			in := baseInput()
			in.Plans = nil
			in.Marker.Envs = map[string]EnvState{
				"staging":    {Hash: hashStaging, StateRevision: stateRevision, Status: Applied, DeploymentID: "d-20260301-0007"},
				"production": {Hash: hashProduction, StateRevision: stateRevision, Status: Applying},
			}
			in.Applying = map[string]string{"production": "waiting for approval in the production environment"}
			in.Results = map[string]string{"staging": resultsStaging}
			return in
		}},
		{"failed", func() Input {
			in := baseInput()
			in.Marker.Envs = map[string]EnvState{
				"staging":    {Hash: hashStaging, StateRevision: stateRevision, Status: Applied, DeploymentID: "d-20260301-0007"},
				"production": {Hash: hashProduction, StateRevision: stateRevision, Status: Failed, DeploymentID: "d-20260301-0008", Message: "target prod-2: Layer/default/roads: 412 Precondition Failed (ETag changed)"},
			}
			in.Results = map[string]string{"staging": resultsStaging, "production": resultsProductionPartial}
			return in
		}},
		{"refused", func() Input {
			in := baseInput()
			prod := productionPlan()
			prod.Hash = hashChanged
			in.Plans = []*plan.Plan{stagingPlan(), prod}
			in.Marker.Envs = map[string]EnvState{
				"staging":    {Hash: hashStaging, StateRevision: stateRevision, Status: Applied, DeploymentID: "d-20260301-0007"},
				"production": {Hash: hashProduction, StateRevision: stateRevision, Status: Refused, Message: "plan changed since review: the state branch moved to 9e8d7c6"},
			}
			return in
		}},
		{"invalid", func() Input {
			in := baseInput()
			in.Plans = nil
			in.Invalid = invalidText
			in.Marker.Envs = map[string]EnvState{"staging": {}}
			return in
		}},
		{"readonly", func() Input {
			in := baseInput()
			in.ReadOnly = true
			return in
		}},
		{"superseded", func() Input {
			in := baseInput()
			in.Marker.Supersedes = oldHeadSHA
			in.Plans = append(in.Plans, noChangesPlan())
			return in
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := Render(tc.input(), Options{})
			require.NoError(t, err)
			assert.False(t, out.Truncated)
			assert.LessOrEqual(t, len(out.Body), DefaultMaxBytes)
			assert.True(t, strings.HasPrefix(out.Body, MarkerPrefix))
			m, ok := ParseMarker(out.Body)
			require.True(t, ok)
			assert.Equal(t, out.Marker.String(), m.String())
			assertGolden(t, tc.name+".md", out.Body)
			assertGolden(t, tc.name+".summary.md", out.Summary)
		})
	}
}
