package honua

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/resource"
)

func TestCreateResourceWire(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("ETag", `"rv-7"`)
		writeData(w, http.StatusCreated, storedLayer("roads"))
	})
	c, _ := newTestClient(t, s.URL)
	r := &resource.Resource{
		Kind:     "layer", // sent as given: the caller owns the spelling
		Metadata: resource.Metadata{Name: "roads", Labels: map[string]string{"env": "dev"}, Annotations: map[string]string{"gitops.honua.io/managed-by": "honua-gitops"}},
		Spec:     map[string]any{"tableName": "roads", "srid": int64(4326), "scale": 1.5, "style": map[string]any{"b": "<&>", "a": []any{int64(1), "x"}}},
	}
	o, err := c.CreateResource(t.Context(), r)
	require.NoError(t, err)

	got := s.last(t)
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/api/v1/admin/metadata/resources", got.Path)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Empty(t, got.Header.Get("If-Match"))
	assert.Equal(t, `{"apiVersion":"honua.io/v1alpha1","kind":"layer","metadata":{"annotations":{"gitops.honua.io/managed-by":"honua-gitops"},`+
		`"labels":{"env":"dev"},"name":"roads","namespace":"default"},"spec":{"scale":1.5,"srid":4326,"style":{"a":[1,"x"],"b":"<&>"},"tableName":"roads"}}`,
		string(got.Body), "canonical JSON, namespace explicit, apiVersion defaulted")
	assert.Equal(t, "", r.Metadata.Namespace, "the caller's resource is not modified")

	assert.Equal(t, `"rv-7"`, o.ETag)
	assert.Equal(t, "7", o.ResourceVersion)
	assert.Equal(t, resource.Identity{Kind: "Layer", Namespace: "default", Name: "roads"}, o.ID)
	assert.Equal(t, map[string]string{"gitops.honua.io/managed-by": "honua-gitops", "honua.io/last-applied-manifest-hash": "abc", "team": "gis"}, o.Annotations)
	assert.Equal(t, map[string]string{"team": "gis"}, o.Resource.Metadata.Annotations, "the canonical resource drops tool and server annotations")
	assert.Equal(t, int64(4326), o.Resource.Spec["srid"], "numbers normalised (4326.0 → 4326)")
	assert.Equal(t, map[string]string{"env": "dev"}, o.Resource.Metadata.Labels)
}

func TestResourcePathsAreEscaped(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("ETag", `"e"`)
		writeData(w, http.StatusOK, storedLayer("a b/c?d"))
	})
	c, _ := newTestClient(t, s.URL)
	id := resource.Identity{Kind: "Layer", Namespace: "", Name: "a b/c?d"}
	_, err := c.GetResource(t.Context(), id)
	require.NoError(t, err)
	assert.Equal(t, "/api/v1/admin/metadata/resources/Layer/default/a%20b%2Fc%3Fd", s.last(t).RawPath)
	assert.Empty(t, s.last(t).Query)
}

func TestUpdateAndDelete(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.Method == http.MethodDelete {
			writeJSON(w, http.StatusOK, "application/json", map[string]any{"success": true, "data": nil, "message": "Resource deleted.", "timestamp": "t"})
			return
		}
		w.Header().Set("ETag", `"rv-8"`)
		writeData(w, http.StatusOK, storedLayer("roads"))
	})
	c, _ := newTestClient(t, s.URL)

	o, err := c.UpdateResource(t.Context(), layerResource("roads"), `"rv-7"`)
	require.NoError(t, err)
	assert.Equal(t, `"rv-8"`, o.ETag)
	got := s.last(t)
	assert.Equal(t, http.MethodPut, got.Method)
	assert.Equal(t, "/api/v1/admin/metadata/resources/Layer/default/roads", got.Path)
	assert.Equal(t, `"rv-7"`, got.Header.Get("If-Match"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))

	require.NoError(t, c.DeleteResource(t.Context(), resource.Identity{Kind: "Layer", Name: "roads"}, `W/"odd but opaque"`))
	got = s.last(t)
	assert.Equal(t, http.MethodDelete, got.Method)
	assert.Equal(t, "/api/v1/admin/metadata/resources/Layer/default/roads", got.Path)
	assert.Equal(t, `W/"odd but opaque"`, got.Header.Get("If-Match"), "ETags are opaque")
	assert.Empty(t, got.Body)
}

func TestLocalValidationSendsNothing(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(500) })
	c, _ := newTestClient(t, s.URL)
	ctx := t.Context()

	_, err := c.UpdateResource(ctx, layerResource("roads"), "")
	require.ErrorIs(t, err, ErrIfMatchRequired)
	assert.Equal(t, "honua: PUT /api/v1/admin/metadata/resources/Layer/default/roads: an If-Match ETag is required: read the resource first and pass its ETag", err.Error())
	err = c.DeleteResource(ctx, resource.Identity{Kind: "Layer", Namespace: "default", Name: "roads"}, "")
	require.ErrorIs(t, err, ErrIfMatchRequired)

	_, err = c.CreateResource(ctx, nil)
	require.ErrorContains(t, err, "honua: create: resource is nil")
	_, err = c.CreateResource(ctx, &resource.Resource{Kind: "Layer"})
	require.ErrorContains(t, err, "honua: create: Layer/default/: the name is empty")
	_, err = c.GetResource(ctx, resource.Identity{Kind: "Layer", Namespace: "..", Name: "x"})
	require.ErrorContains(t, err, `the namespace ".." cannot be a URL path segment`)
	_, err = c.ApplyManifest(ctx, ApplyRequest{})
	require.ErrorContains(t, err, "at least one resource is required")
	_, err = c.ApplyManifest(ctx, ApplyRequest{Resources: []*resource.Resource{layerResource("a"), {}}})
	require.ErrorContains(t, err, "resources[1]: /default/: the kind is empty")
	_, err = c.Versions(ctx, 101, 0)
	require.ErrorContains(t, err, "limit 101: want 1 to 100")
	_, err = c.Versions(ctx, 1, -1)
	require.ErrorContains(t, err, "offset -1")
	_, err = c.CreateResource(ctx, &resource.Resource{Kind: "Layer", Metadata: resource.Metadata{Name: "x"}, Spec: map[string]any{"bad": func() {}}})
	require.ErrorContains(t, err, "encode the request")

	assert.Zero(t, s.count(), "nothing reached the server")
}

func TestListResources(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeData(w, http.StatusOK, []any{storedLayer("a"), storedLayer("b")})
	})
	c, _ := newTestClient(t, s.URL)

	objs, err := c.ListResources(t.Context(), "Layer", "default")
	require.NoError(t, err)
	require.Len(t, objs, 2)
	assert.Equal(t, "a", objs[0].Resource.Metadata.Name)
	assert.Empty(t, objs[0].ETag, "lists carry no ETag")
	assert.Equal(t, "7", objs[1].ResourceVersion)
	assert.Equal(t, "kind=Layer&namespace=default", s.last(t).Query)

	_, err = c.ListResources(t.Context(), "", "")
	require.NoError(t, err)
	assert.Empty(t, s.last(t).Query, "no filter is sent for empty arguments")
}

func TestGetNotFound(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusNotFound) })
	c, sl := newTestClient(t, s.URL)
	_, err := c.GetResource(t.Context(), resource.Identity{Kind: "Layer", Namespace: "default", Name: "roads"})
	require.True(t, IsNotFound(err))
	var ae *APIError
	require.True(t, errors.As(err, &ae))
	assert.Empty(t, ae.Hint)
	assert.Empty(t, sl.all(), "404 is not retried")
}

func TestEnvelopeHandling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		call        call
		status      int
		contentType string
		body        string
		wantErr     string
	}{
		{name: "success false on 200", call: callGetLayer, status: 200, body: `{"success":false,"data":null,"message":"nope"}`,
			wantErr: "honua: GET /api/v1/admin/metadata/resources/Layer/default/roads: unexpected answer (200 OK): the envelope says success false: nope"},
		{name: "success false without message", call: callList, status: 200, body: `{"success":false}`,
			wantErr: "unexpected answer (200 OK): the envelope says success false"},
		{name: "success not a boolean", call: callList, status: 200, body: `{"success":"yes","data":[]}`,
			wantErr: "the envelope's success is not a boolean"},
		{name: "no envelope", call: callList, status: 200, body: `[]`,
			wantErr: "the body is not a JSON object"},
		{name: "object without success", call: callExport, status: 200, body: `{"resources":[]}`,
			wantErr: "the body is not a Honua envelope {success, data}"},
		{name: "empty body", call: callGetLayer, status: 200, body: ``,
			wantErr: "the body is empty; want a JSON envelope {success, data}"},
		{name: "HTML login page", call: callCapabilities, status: 200, contentType: "text/html", body: `<html>login</html>`,
			wantErr: `the body is not a JSON object (Content-Type "text/html"); is the URL a Honua server?`},
		{name: "null data", call: callGetLayer, status: 200, body: `{"success":true,"data":null}`,
			wantErr: "the envelope carries no data"},
		{name: "list data is not an array", call: callList, status: 200, body: `{"success":true,"data":{"items":[]}}`,
			wantErr: "honua: GET /api/v1/admin/metadata/resources: unexpected answer (200 OK): data is not a JSON array (a resource list is a bare array)"},
		{name: "list item without a name", call: callList, status: 200, body: `{"success":true,"data":[{"kind":"Layer","metadata":{}}]}`,
			wantErr: "resource 0: Layer//: resource needs kind and metadata.name"},
		{name: "resource without metadata", call: callGetLayer, status: 200, body: `{"success":true,"data":{"kind":"Layer"}}`,
			wantErr: "Layer//: resource has no metadata"},
		{name: "drift of the wrong shape", call: callDrift, status: 200, body: `{"success":true,"data":{"hasDrift":"yes"}}`,
			wantErr: "data does not have the expected shape: hasDrift is a JSON string, want bool"},
		{name: "delete without data is fine", call: callDeleteLayer, status: 200, body: `{"success":true,"data":null,"message":"Resource deleted."}`},
		{name: "delete with success false", call: callDeleteLayer, status: 200, body: `{"success":false,"message":"Failed to delete resource."}`,
			wantErr: "the envelope says success false: Failed to delete resource."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				ct := tt.contentType
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			c, _ := newTestClient(t, s.URL)
			err := tt.call(c)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			var pe *ProtocolError
			require.ErrorAs(t, err, &pe)
		})
	}
}
