package honua

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// call is one client call a test table can pick.
type call func(c *Client) error

var (
	callCapabilities call = func(c *Client) error { _, err := c.Capabilities(bg()); return err }
	callGetLayer     call = func(c *Client) error {
		_, err := c.GetResource(bg(), resource.Identity{Kind: "Layer", Namespace: "default", Name: "roads"})
		return err
	}
	callPutLayer call = func(c *Client) error {
		_, err := c.UpdateResource(bg(), layerResource("roads"), `"etag-1"`)
		return err
	}
	callCreateLayer call = func(c *Client) error { _, err := c.CreateResource(bg(), layerResource("roads")); return err }
	callList        call = func(c *Client) error { _, err := c.ListResources(bg(), "", ""); return err }
	callApply       call = func(c *Client) error {
		_, err := c.ApplyManifest(bg(), ApplyRequest{Resources: []*resource.Resource{layerResource("roads")}})
		return err
	}
	callDrift    call = func(c *Client) error { _, err := c.Drift(bg(), false); return err }
	callVersions call = func(c *Client) error { _, err := c.Versions(bg(), 10, 0); return err }
)

func layerResource(name string) *resource.Resource {
	return &resource.Resource{
		APIVersion: resource.APIVersion, Kind: "Layer",
		Metadata: resource.Metadata{Name: name, Namespace: "default"},
		Spec:     map[string]any{"tableName": name, "schemaName": "public", "geometryType": "LineString", "srid": int64(4326)},
	}
}

func TestAPIErrorMapping(t *testing.T) {
	t.Parallel()
	const res = "/api/v1/admin/metadata/resources/Layer/default/roads"
	tests := []struct {
		name        string
		call        call
		status      int
		contentType string
		body        string
		header      map[string]string
		want        string
		is          []func(error) bool
		isNot       []func(error) bool
	}{
		{
			name: "401 problem as Honua writes it", call: callCapabilities, status: 401,
			contentType: "application/problem+json", body: `{"title":"Unauthorized","status":401,"detail":"The API key is invalid."}`,
			want: "honua: GET /api/v1/admin/capabilities: 401 Unauthorized: The API key is invalid. (check the API key or token (wrong or expired credential))",
			is:   []func(error) bool{IsUnauthorized}, isNot: []func(error) bool{IsRetryable, IsFeatureUnavailable},
		},
		{
			name: "402 on apply", call: callApply, status: 402, contentType: "application/problem+json",
			body: `{"type":"x","title":"Payment Required","status":402,"detail":"Manifest apply requires the enterprise edition."}`,
			want: "honua: POST /api/v1/admin/manifest/apply: 402 Payment Required: Manifest apply requires the enterprise edition. (this feature needs Honua's Enterprise edition)",
			is:   []func(error) bool{IsFeatureUnavailable},
		},
		{
			name: "403 on apply is a missing feature", call: callApply, status: 403, contentType: "application/problem+json",
			body: `{"title":"Forbidden","status":403,"detail":"Manifest approval workflows require the enterprise edition."}`,
			want: "honua: POST /api/v1/admin/manifest/apply: 403 Forbidden: Manifest approval workflows require the enterprise edition. (the credential lacks permission, or the feature needs the Enterprise edition)",
			is:   []func(error) bool{IsFeatureUnavailable},
		},
		{
			name: "403 on drift", call: callDrift, status: 403, body: "",
			want: "honua: GET /api/v1/admin/manifest/drift: 403 Forbidden (the credential lacks permission, or the feature needs the Enterprise edition)",
			is:   []func(error) bool{IsFeatureUnavailable},
		},
		{
			name: "403 on versions", call: callVersions, status: 403, body: "",
			want: "honua: GET /api/v1/admin/manifest/versions: 403 Forbidden (the credential lacks permission, or the feature needs the Enterprise edition)",
			is:   []func(error) bool{IsFeatureUnavailable},
		},
		{
			name: "403 on a resource is a permission", call: callGetLayer, status: 403, body: "",
			want:  "honua: GET " + res + ": 403 Forbidden (the credential lacks permission, or the feature needs the Enterprise edition)",
			isNot: []func(error) bool{IsFeatureUnavailable, IsNotFound},
		},
		{
			name: "404 with an empty body on capabilities", call: callCapabilities, status: 404, body: "",
			want: "honua: GET /api/v1/admin/capabilities: 404 Not Found (check the server URL (is it a Honua server, and the admin API enabled?))",
			is:   []func(error) bool{IsNotFound},
		},
		{
			name: "404 on a resource is just not found", call: callGetLayer, status: 404, body: "",
			want: "honua: GET " + res + ": 404 Not Found",
			is:   []func(error) bool{IsNotFound},
		},
		{
			name: "404 on a list is a wrong URL", call: callList, status: 404, body: "",
			want: "honua: GET /api/v1/admin/metadata/resources: 404 Not Found (check the server URL (is it a Honua server, and the admin API enabled?))",
			is:   []func(error) bool{IsNotFound},
		},
		{
			name: "409 envelope with success false", call: callCreateLayer, status: 409, contentType: "application/json",
			body: `{"success":false,"data":null,"message":"Resource already exists.","timestamp":"2026-03-01T00:00:00Z"}`,
			want: "honua: POST /api/v1/admin/metadata/resources: 409 Conflict: Resource already exists. (the resource already exists, or it changed while it was being written)",
			is:   []func(error) bool{IsConflict}, isNot: []func(error) bool{IsRetryable},
		},
		{
			name: "412 problem titled Error", call: callPutLayer, status: 412, contentType: "application/problem+json",
			body: `{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.13","title":"Error","status":412,"detail":"The If-Match header does not match the current ETag of the resource."}`,
			want: "honua: PUT " + res + ": 412 Precondition Failed: The If-Match header does not match the current ETag of the resource. (the resource changed on the server)",
			is:   []func(error) bool{IsPreconditionFailed},
		},
		{
			name: "428", call: callPutLayer, status: 428, contentType: "application/problem+json",
			body: `{"title":"Error","status":428,"detail":"The If-Match header is required to modify a resource."}`,
			want: "honua: PUT " + res + ": 428 Precondition Required: The If-Match header is required to modify a resource. (the resource changed on the server)",
		},
		{
			name: "400 validation envelope", call: callCreateLayer, status: 400, contentType: "application/json",
			body: `{"success":false,"message":"spec.srid is required.","timestamp":"t"}`,
			want: "honua: POST /api/v1/admin/metadata/resources: 400 Bad Request: spec.srid is required.",
		},
		{
			name: "message before title", call: callCapabilities, status: 400, contentType: "application/json",
			body: `{"title":"Error","message":"the message"}`,
			want: "honua: GET /api/v1/admin/capabilities: 400 Bad Request: the message",
		},
		{
			name: "title alone", call: callCapabilities, status: 400, contentType: "application/problem+json",
			body: `{"title":"Bad things"}`,
			want: "honua: GET /api/v1/admin/capabilities: 400 Bad Request: Bad things",
		},
		{
			name: "SDK-style error.message", call: callCapabilities, status: 400, contentType: "application/json",
			body: `{"error":{"code":"x","message":"from error.message"}}`,
			want: "honua: GET /api/v1/admin/capabilities: 400 Bad Request: from error.message",
		},
		{
			name: "JSON without a content type", call: callCapabilities, status: 422, contentType: "",
			body: `{"detail":"nothing valid"}`,
			want: "honua: GET /api/v1/admin/capabilities: 422 Unprocessable Entity: nothing valid",
		},
		{
			name: "plain text body", call: callCapabilities, status: 502, contentType: "text/plain",
			body: "upstream connect error\nmore", header: nil,
			want: "honua: GET /api/v1/admin/capabilities: 502 Bad Gateway: upstream connect error (the server, or a proxy in front of it, is unavailable; try again later) [after 4 attempts]",
			is:   []func(error) bool{IsRetryable},
		},
		{
			name: "HTML body is not quoted", call: callCreateLayer, status: 500, contentType: "text/html",
			body:  "<html><body>Oops</body></html>",
			want:  "honua: POST /api/v1/admin/metadata/resources: 500 Internal Server Error (the server failed; check its logs)",
			isNot: []func(error) bool{IsRetryable},
		},
		{
			name: "429 on POST keeps Retry-After", call: callCreateLayer, status: 429, contentType: "application/problem+json",
			body: `{"title":"Too Many Requests","status":429}`, header: map[string]string{"Retry-After": "7"},
			want: "honua: POST /api/v1/admin/metadata/resources: 429 Too Many Requests: Too Many Requests (the server is rate limiting requests; try again later)",
			is:   []func(error) bool{IsRetryable},
		},
		{
			name: "redirect is not followed", call: callCapabilities, status: 302,
			header: map[string]string{"Location": "https://user:pw-secret@login.example.com/sso?next=%2F"},
			want:   "honua: GET /api/v1/admin/capabilities: 302 Found (the server redirected to https://login.example.com/sso; set the server URL to the final address (redirects are not followed))",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			c, _ := newTestClient(t, s.URL)
			err := tt.call(c)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.Status)
			for _, is := range tt.is {
				assert.True(t, is(err))
			}
			for _, is := range tt.isNot {
				assert.False(t, is(err))
			}
		})
	}
}

func TestAPIErrorRetryAfterField(t *testing.T) {
	t.Parallel()
	s := newStub(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c, _ := newTestClient(t, s.URL)
	err := callCreateLayer(c)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 7e9, float64(ae.RetryAfter))
	assert.Equal(t, 1, ae.Attempts)
}

func TestHelpersOnOtherErrors(t *testing.T) {
	t.Parallel()
	for _, err := range []error{nil, errors.New("x"), &ProtocolError{}, &IncompatibleError{}} {
		assert.False(t, IsNotFound(err))
		assert.False(t, IsConflict(err))
		assert.False(t, IsPreconditionFailed(err))
		assert.False(t, IsUnauthorized(err))
		assert.False(t, IsFeatureUnavailable(err))
		assert.False(t, IsRetryable(err))
	}
	assert.True(t, IsIncompatible(&IncompatibleError{}))
	assert.True(t, IsPendingApproval(&PendingApprovalError{}))
	assert.True(t, isFeatureRoute("/honua/api/v1/admin/manifest"))
	assert.True(t, isFeatureRoute("/api/v1/admin/manifest/pending/abc/approve"))
	assert.False(t, isFeatureRoute("/api/v1/admin/manifestation"))
	assert.False(t, isFeatureRoute("/api/v1/admin/metadata/resources"))
}
