package snapshot_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/snapshot"
)

func TestRoundTripIsCanonical(t *testing.T) {
	rs := []*resource.Resource{
		{APIVersion: resource.APIVersion, Kind: "Layer", Metadata: resource.Metadata{Name: "b", Namespace: "default"}, Spec: map[string]any{"srid": int64(4326), "ratio": 0.5}},
		{APIVersion: resource.APIVersion, Kind: "Service", Metadata: resource.Metadata{Name: "a", Namespace: "default", Labels: map[string]string{"x": "<y>"}}, Spec: map[string]any{}},
	}
	data, err := snapshot.New("dev", rs).Marshal()
	require.NoError(t, err)
	assert.Contains(t, string(data), `"x": "<y>"`, "no HTML escaping")
	back, err := snapshot.Parse(data)
	require.NoError(t, err)
	assert.Equal(t, "dev", back.Environment)
	require.Len(t, back.Resources, 2)
	assert.Equal(t, "Service", back.Resources[0].Kind, "sorted by dependency rank")
	again, err := back.Marshal()
	require.NoError(t, err)
	assert.Equal(t, string(data), string(again))
}

func TestParseDropsServerFieldsAndRejectsBadInput(t *testing.T) {
	s, err := snapshot.Parse([]byte(`{"formatVersion":1,"environment":"dev","resources":[
	 {"apiVersion":"honua.io/v1alpha1","kind":"layer","metadata":{"name":"a","namespace":"","id":"9","resourceVersion":"3",
	  "annotations":{"honua.io/last-applied-manifest-hash":"x","team":"gis"}},"spec":{"srid":4326.0},"status":{"ok":true}}]}`))
	require.NoError(t, err)
	r := s.Resources[0]
	assert.Equal(t, resource.Identity{Kind: "Layer", Namespace: "default", Name: "a"}, r.ID())
	assert.Equal(t, map[string]string{"team": "gis"}, r.Metadata.Annotations)
	assert.Equal(t, int64(4326), r.Spec["srid"])

	for _, bad := range []string{`[]`, `{"formatVersion":2,"resources":[]}`, `{"resources":[]}`, `{"formatVersion":1,"resources":[{"kind":"Layer","metadata":{"name":"a"}},{"kind":"Layer","metadata":{"name":"a"}}]}`} {
		_, err := snapshot.Parse([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestObservedResourcesRoundTrip(t *testing.T) {
	owned := &resource.Resource{APIVersion: resource.APIVersion, Kind: "Layer", Metadata: resource.Metadata{Name: "a", Namespace: "default"}, Spec: map[string]any{"srid": int64(4326)}}
	seen := &resource.Resource{APIVersion: resource.APIVersion, Kind: "Layer", Metadata: resource.Metadata{Name: "b", Namespace: "default"}, Spec: map[string]any{"srid": int64(3857)}}
	s := snapshot.New("dev", []*resource.Resource{owned})
	s.Observed = []*resource.Resource{seen}
	data, err := s.Marshal()
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(data), `"ownership": "observed"`))
	back, err := snapshot.Parse(data)
	require.NoError(t, err)
	require.Len(t, back.Resources, 1)
	require.Len(t, back.Observed, 1)
	assert.Equal(t, "a", back.Resources[0].Metadata.Name)
	assert.Equal(t, "b", back.Observed[0].Metadata.Name)
	again, err := back.Marshal()
	require.NoError(t, err)
	assert.Equal(t, string(data), string(again))

	_, err = snapshot.Parse([]byte(strings.Replace(string(data), `"observed"`, `"borrowed"`, 1)))
	assert.ErrorContains(t, err, `ownership borrowed is not "observed"`)
}
