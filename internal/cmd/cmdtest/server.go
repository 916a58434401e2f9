package cmdtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// EditOnServer changes a resource's spec on a Generation 1 server through
// its admin API, as someone fixing it by hand in the admin UI would: read
// it with its ETag, write it back with If-Match, annotations as they were.
func EditOnServer(t testing.TB, url, key string, id resource.Identity, edit func(spec map[string]any)) {
	t.Helper()
	c, err := honua.New(honua.Config{BaseURL: url, Credential: key})
	require.NoError(t, err)
	obj, err := c.GetResource(context.Background(), id)
	require.NoError(t, err)
	edited := *obj.Resource
	edited.Spec = resource.Clone(obj.Resource.Spec).(map[string]any)
	edit(edited.Spec)
	edited.Metadata.Annotations = obj.Annotations
	_, err = c.UpdateResource(context.Background(), &edited, obj.ETag)
	require.NoError(t, err)
}
