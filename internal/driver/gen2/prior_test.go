package gen2_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

type settings struct {
	Data struct {
		EnabledProtocols []string       `json:"enabledProtocols"`
		AccessPolicy     map[string]any `json:"accessPolicy"`
	} `json:"data"`
}

func serviceSettings(t testing.TB, tg *target, name string) settings {
	t.Helper()
	var s settings
	require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/api/v1/admin/services/"+name+"/settings", ""), &s))
	return s
}

type layerList struct {
	Data []struct {
		LayerName string `json:"layerName"`
		Enabled   bool   `json:"enabled"`
	} `json:"data"`
}

// TestPriorsAreSavedAndRestoreUndoesAnAdoption: the first apply saves what
// it found before each facet it wrote (and what it adopted); a rollback to
// the empty state before it puts the adopted services and connection back
// as they were, disables the layers it published, and removes its
// relationships.
func TestPriorsAreSavedAndRestoreUndoesAnAdoption(t *testing.T) {
	ctx := context.Background()
	desired := baseDesired(t)
	tg := start(t, seedFor(t, desired))
	before := serviceSettings(t, tg, "land-records")
	require.Equal(t, []string{"FeatureServer"}, before.Data.EnabledProtocols)

	first, err := apply.Run(ctx, tg.driver(t), request("staging", desired, nil))
	require.NoError(t, err)
	require.False(t, first.Failed())
	assert.NotEqual(t, before.Data.EnabledProtocols, serviceSettings(t, tg, "land-records").Data.EnabledProtocols)

	priors := apply.PriorsOf(first.Results)
	svc := priors[id("Service", "planning", "land-records").Key()]
	require.NotEmpty(t, svc)
	facets := map[string]any{}
	for _, p := range svc {
		facets[p.Facet] = p.Value
	}
	assert.Equal(t, []any{"FeatureServer"}, facets["protocols"])
	assert.Contains(t, facets, "access-policy")
	parcels := map[string]any{}
	for _, p := range priors[id("Layer", "planning", "parcels").Key()] {
		parcels[p.Facet] = p.Value
	}
	assert.Contains(t, parcels, "popup-info")
	assert.Nil(t, parcels["popup-info"], "nothing was there before")
	conn := priors[id("Connection", "city", "gis-postgis").Key()]
	require.NotEmpty(t, conn)
	raw, err := json.Marshal(first.Results)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "old/reference", "a secret reference is never saved")
	assert.NotContains(t, string(raw), "secretReference")
	assert.NotContains(t, string(raw), "password")

	// Without the priors, Generation 2 cannot undo the services.
	_, err = apply.Preflight(ctx, tg.driver(t), request("staging", nil, first.Recorded))
	var be *apply.BlockedError
	require.ErrorAs(t, err, &be)
	assert.Contains(t, be.Error(), "cannot delete a service")

	// With them, the rollback restores.
	req := request("staging", nil, first.Recorded)
	req.Restore = priors
	back, err := apply.Run(ctx, tg.driver(t), req)
	require.NoError(t, err)
	for _, r := range back.Results {
		assert.Equal(t, apply.Applied, r.Status, "%s/%s: %s", r.Kind, r.Name, r.Message)
	}
	assert.Empty(t, back.Problems)
	assert.Empty(t, back.Recorded)

	after := serviceSettings(t, tg, "land-records")
	assert.Equal(t, before.Data.EnabledProtocols, after.Data.EnabledProtocols)
	assert.Equal(t, before.Data.AccessPolicy, after.Data.AccessPolicy)
	for _, svc := range []string{"land-records", "permits", "streets"} {
		var layers layerList
		require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/api/v1/admin/connections/"+connectionIDOf(t, tg)+"/layers?serviceName="+svc, ""), &layers))
		for _, l := range layers.Data {
			assert.False(t, l.Enabled, "layer %s is disabled", l.LayerName)
		}
	}
	var conns struct {
		Data []struct {
			Name     string `json:"name"`
			Username string `json:"username"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/api/v1/admin/connections", ""), &conns))
	require.Len(t, conns.Data, 1, "the adopted connection is restored, not deleted")
	assert.Equal(t, "someone-else", conns.Data[0].Username)

	// Nothing is left to do from the empty record.
	tp, err := apply.PlanTarget(ctx, tg.driver(t), plan.Input{Environment: "staging", Recorded: back.Recorded}, apply.PlanOptions{})
	require.NoError(t, err)
	assert.False(t, tp.Plan.HasChanges())
}

// TestRollbackRestoresAStyleThatWasThereBefore: a default style git takes
// over is put back as it was when the deployment is rolled back, instead
// of the delete Generation 2 cannot make.
func TestRollbackRestoresAStyleThatWasThereBefore(t *testing.T) {
	ctx := context.Background()
	full := baseDesired(t)
	var without []*resource.Resource
	for _, r := range full {
		if !(r.Kind == "Style" && r.Metadata.Name == "parcels-default") {
			without = append(without, r)
		}
	}
	tg := start(t, seedFor(t, full))
	first, err := apply.Run(ctx, tg.driver(t), request("staging", without, nil))
	require.NoError(t, err)
	require.False(t, first.Failed())
	// Someone styled parcels by hand.
	put(t, tg, "/ogc/styles/parcels", `{"version":8,"layers":[{"id":"by-hand","type":"line","paint":{"line-color":"#ff0000"}}]}`)
	handStyle := call(t, tg, http.MethodGet, "/ogc/styles/parcels", "")

	// Git takes it over (a style is not adopted silently: its drift is
	// "unmanaged" until a person accepts it).
	take := request("staging", full, first.Recorded)
	take.Guard = apply.GuardWarn
	second, err := apply.Run(ctx, tg.driver(t), take)
	require.NoError(t, err)
	require.False(t, second.Failed(), "%+v", second.Results)
	assert.NotEqual(t, string(handStyle), string(call(t, tg, http.MethodGet, "/ogc/styles/parcels", "")))

	// Blocked without priors; restored with them.
	_, err = apply.Preflight(ctx, tg.driver(t), request("staging", without, second.Recorded))
	var be *apply.BlockedError
	require.ErrorAs(t, err, &be)
	req := request("staging", without, second.Recorded)
	req.Restore = apply.PriorsOf(second.Results)
	back, err := apply.Run(ctx, tg.driver(t), req)
	require.NoError(t, err)
	require.Len(t, back.Results, 1)
	assert.Equal(t, apply.Applied, back.Results[0].Status, back.Results[0].Message)
	assert.Contains(t, back.Results[0].Message, "restored the stylesheet it had before")
	assert.Empty(t, back.Problems)
	var want, got map[string]any
	require.NoError(t, json.Unmarshal(handStyle, &want))
	require.NoError(t, json.Unmarshal(call(t, tg, http.MethodGet, "/ogc/styles/parcels", ""), &got))
	assert.Equal(t, want, got)
	assert.Nil(t, recordedOf(back.Recorded, id("Style", "planning", "parcels-default")))
}
