package honua

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// ErrIfMatchRequired is returned, without a request, by UpdateResource and
// DeleteResource when no ETag is given: Honua would answer 428.
var ErrIfMatchRequired = errors.New("an If-Match ETag is required: read the resource first and pass its ETag")

// Object is a resource as the server holds it: the canonical resource plus
// what the engine needs beyond it.
type Object struct {
	// Resource is the canonical form (resource.FromObject): canonical kind
	// spelling, server-owned fields and server/tool annotations dropped,
	// numbers normalised.
	Resource *resource.Resource
	// ID is the identity exactly as the server stores it. Honua looks
	// kinds up case-sensitively (Appendix B.2), so a resource stored as
	// "layer" is reached only through this spelling.
	ID resource.Identity
	// Annotations are all annotations as the server returned them,
	// including gitops.honua.io/managed-by and
	// honua.io/last-applied-manifest-hash; nil when there are none.
	Annotations map[string]string
	// ResourceVersion is the server's metadata.resourceVersion.
	ResourceVersion string
	// ETag is the ETag header of GET one, POST and PUT answers; "" for
	// objects from lists and exports.
	ETag string
}

// ListResources reads GET /metadata/resources, filtered by kind and
// namespace when they are not "" (the server compares both exactly). The
// data must be a bare JSON array.
func (c *Client) ListResources(ctx context.Context, kind, namespace string) ([]Object, error) {
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if namespace != "" {
		q.Set("namespace", namespace)
	}
	req := request{method: http.MethodGet, path: adminEndpoint("metadata", "resources"), query: q}
	ans, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	data, err := c.unwrap(req, ans, envelopeData)
	if err != nil {
		return nil, err
	}
	if !isArray(data) {
		return nil, c.protocolError(req, ans, "data is not a JSON array (a resource list is a bare array)")
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, c.protocolError(req, ans, "data is not a JSON array: "+jsonErrorText(err))
	}
	objs, err := decodeObjects(raws)
	if err != nil {
		return nil, c.protocolError(req, ans, err.Error())
	}
	return objs, nil
}

// GetResource reads one resource and its ETag. A missing resource is an
// error matching IsNotFound.
func (c *Client) GetResource(ctx context.Context, id resource.Identity) (*Object, error) {
	if err := checkIdentity(id); err != nil {
		return nil, fmt.Errorf("honua: get: %w", err)
	}
	req := request{method: http.MethodGet, path: resourcePath(id), resource: true}
	return c.objectCall(ctx, req)
}

// CreateResource creates r with POST (201 and an ETag). It is never
// retried: on a lost answer the caller reads the resource to find out. An
// existing resource is an error matching IsConflict.
func (c *Client) CreateResource(ctx context.Context, r *resource.Resource) (*Object, error) {
	body, err := resourceBody(r)
	if err != nil {
		return nil, fmt.Errorf("honua: create: %w", err)
	}
	req := request{method: http.MethodPost, path: adminEndpoint("metadata", "resources"), body: body}
	return c.objectCall(ctx, req)
}

// UpdateResource replaces r with PUT under If-Match (required). A stale
// ETag is an error matching IsPreconditionFailed. Labels and annotations
// are replaced wholesale, so the caller sends every annotation it wants
// kept.
func (c *Client) UpdateResource(ctx context.Context, r *resource.Resource, ifMatch string) (*Object, error) {
	body, err := resourceBody(r)
	if err != nil {
		return nil, fmt.Errorf("honua: update: %w", err)
	}
	req := request{method: http.MethodPut, path: resourcePath(r.ID()), body: body, ifMatch: ifMatch, resource: true}
	if ifMatch == "" {
		return nil, fmt.Errorf("honua: PUT %s: %w", c.endpoint(req), ErrIfMatchRequired)
	}
	return c.objectCall(ctx, req)
}

// DeleteResource deletes one resource under If-Match (required).
func (c *Client) DeleteResource(ctx context.Context, id resource.Identity, ifMatch string) error {
	if err := checkIdentity(id); err != nil {
		return fmt.Errorf("honua: delete: %w", err)
	}
	req := request{method: http.MethodDelete, path: resourcePath(id), ifMatch: ifMatch, resource: true}
	if ifMatch == "" {
		return fmt.Errorf("honua: DELETE %s: %w", c.endpoint(req), ErrIfMatchRequired)
	}
	ans, err := c.do(ctx, req)
	if err != nil {
		return err
	}
	_, err = c.unwrap(req, ans, envelopeNullData)
	return err
}

// objectCall sends a request answered by one resource and its ETag.
func (c *Client) objectCall(ctx context.Context, req request) (*Object, error) {
	ans, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	data, err := c.unwrap(req, ans, envelopeData)
	if err != nil {
		return nil, err
	}
	o, err := decodeObject(data, ans.header.Get("ETag"))
	if err != nil {
		return nil, c.protocolError(req, ans, err.Error())
	}
	return &o, nil
}

// resourceBody encodes one resource for POST or PUT.
func resourceBody(r *resource.Resource) ([]byte, error) {
	obj, err := encodeResource(r)
	if err != nil {
		return nil, err
	}
	return canonicalBody(obj)
}

func (c *Client) protocolError(req request, ans *answer, reason string) error {
	return &ProtocolError{Method: req.method, Endpoint: c.endpoint(req), Status: ans.status, Reason: reason}
}
