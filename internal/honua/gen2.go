package honua

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// This file is the client of Generation 2 ("Metadata v2") servers: the
// capability manifest, the environment inventory, services, secure
// connections, layer publishing, the layer facets and OGC styles
// (shared/reference/honua-gen2-facets.md). Reads are retried like every
// read; writes are sent once (request.once): the server keeps no
// precondition, so after a failed write the driver reads the facet back
// before deciding to write again.

// Gen2Inventory is an environment inventory's version: its revision and
// ETag move on every graph write.
type Gen2Inventory struct {
	Environment string               `json:"environment"`
	Revision    int64                `json:"revision"`
	ETag        string               `json:"etag"`
	Entries     []Gen2InventoryEntry `json:"entries"`
}

// Gen2InventoryEntry is one artifact of the inventory.
type Gen2InventoryEntry struct {
	SemanticID   string `json:"semanticId"`
	ArtifactKind string `json:"artifactKind"`
	Name         string `json:"name"`
	// Status is the artifact's status.lifecycle (draft, active,
	// deprecated, retired, archived); "" when the server lists none.
	Status Gen2Lifecycle `json:"status"`
}

// Gen2Lifecycle is an inventory entry's lifecycle. The inventory lists
// status as the lifecycle's name; the graph's own shape,
// {lifecycle, state}, is read too, so either form decodes.
type Gen2Lifecycle string

// UnmarshalJSON reads a lifecycle name or a {lifecycle, state} object;
// anything else is no lifecycle rather than an unreadable inventory (the
// inventory is read for its version first).
func (l *Gen2Lifecycle) UnmarshalJSON(raw []byte) error {
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		*l = Gen2Lifecycle(name)
		return nil
	}
	var obj struct {
		Lifecycle string `json:"lifecycle"`
	}
	if err := json.Unmarshal(raw, &obj); err == nil {
		*l = Gen2Lifecycle(obj.Lifecycle)
		return nil
	}
	*l = ""
	return nil
}

// Gen2ServiceSettings is GET /services/{name}/settings.
type Gen2ServiceSettings struct {
	ServiceName      string         `json:"serviceName"`
	EnabledProtocols []string       `json:"enabledProtocols"`
	AccessPolicy     map[string]any `json:"accessPolicy"`
}

// Gen2Connection is a secure connection as listed (secrets never appear).
type Gen2Connection struct {
	ConnectionID string `json:"connectionId"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Host         string `json:"host"`
	Port         int64  `json:"port"`
	DatabaseName string `json:"databaseName"`
	Username     string `json:"username"`
	Provider     string `json:"provider"`
	SslRequired  bool   `json:"sslRequired"`
	SslMode      string `json:"sslMode"`
	IsActive     bool   `json:"isActive"`
}

// Gen2Layer is a published layer as GET /connections/{id}/layers lists it.
type Gen2Layer struct {
	LayerID      int64  `json:"layerId"`
	LayerName    string `json:"layerName"`
	Schema       string `json:"schema"`
	Table        string `json:"table"`
	Description  string `json:"description"`
	GeometryType string `json:"geometryType"`
	Srid         int64  `json:"srid"`
	PrimaryKey   string `json:"primaryKey"`
	Enabled      bool   `json:"enabled"`
	ServiceName  string `json:"serviceName"`
}

// Gen2Environment returns the metadata environment the server serves by
// default: environment.environmentId of the capability manifest read
// without ?environment= ("default" on a stock server).
func (c *Client) Gen2Environment(ctx context.Context) (string, error) {
	req := request{method: http.MethodGet, path: "/api/v1/capabilities/manifest"}
	var m struct {
		Environment struct {
			EnvironmentID string `json:"environmentId"`
		} `json:"environment"`
	}
	if err := c.getJSON(ctx, req, envelopeOrBare, &m); err != nil {
		return "", err
	}
	if m.Environment.EnvironmentID == "" {
		return "default", nil
	}
	return m.Environment.EnvironmentID, nil
}

// Gen2Inventory reads the environment inventory (bare JSON).
func (c *Client) Gen2Inventory(ctx context.Context, env string) (*Gen2Inventory, error) {
	req := request{method: http.MethodGet, path: adminPath + "/metadata/environments/" + url.PathEscape(env) + "/inventory", resource: true}
	var inv Gen2Inventory
	if err := c.getJSON(ctx, req, envelopeOrBare, &inv); err != nil {
		return nil, err
	}
	return &inv, nil
}

// Gen2ServiceSummary is one service as GET /services lists it.
type Gen2ServiceSummary struct {
	ServiceName      string   `json:"serviceName"`
	Description      string   `json:"description"`
	LayerCount       int64    `json:"layerCount"`
	EnabledProtocols []string `json:"enabledProtocols"`
}

// Gen2Services lists the services of the server (enveloped).
func (c *Client) Gen2Services(ctx context.Context) ([]Gen2ServiceSummary, error) {
	req := request{method: http.MethodGet, path: adminPath + "/services", resource: true}
	var out []Gen2ServiceSummary
	if err := c.getJSON(ctx, req, envelopeData, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Gen2ServiceSettings reads a service's settings; the name matches
// case-insensitively.
func (c *Client) Gen2ServiceSettings(ctx context.Context, name string) (*Gen2ServiceSettings, error) {
	req := request{method: http.MethodGet, path: adminPath + "/services/" + url.PathEscape(name) + "/settings", resource: true}
	var s Gen2ServiceSettings
	if err := c.getJSON(ctx, req, envelopeData, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Gen2PutServiceProtocols replaces a service's enabled protocols.
func (c *Client) Gen2PutServiceProtocols(ctx context.Context, name string, protocols []string) error {
	return c.write(ctx, http.MethodPut, adminPath+"/services/"+url.PathEscape(name)+"/protocols", map[string]any{"enabledProtocols": protocols}, nil)
}

// Gen2PutServiceAccessPolicy merges members into a service's access policy
// (a member left out, or null, keeps its value).
func (c *Client) Gen2PutServiceAccessPolicy(ctx context.Context, name string, policy map[string]any) error {
	return c.write(ctx, http.MethodPut, adminPath+"/services/"+url.PathEscape(name)+"/access-policy", policy, nil)
}

// Gen2Connections lists the active secure connections.
func (c *Client) Gen2Connections(ctx context.Context) ([]Gen2Connection, error) {
	req := request{method: http.MethodGet, path: adminPath + "/connections"}
	var out []Gen2Connection
	if err := c.getJSON(ctx, req, envelopeData, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Gen2ConnectionDetail is GET /connections/{id}: the listed members and
// the secret's reference (never the secret).
type Gen2ConnectionDetail struct {
	Gen2Connection
	CredentialReference string `json:"credentialReference"`
}

// Gen2Connection reads one secure connection by id (enveloped). Unlike
// the list it carries credentialReference.
func (c *Client) Gen2Connection(ctx context.Context, id string) (*Gen2ConnectionDetail, error) {
	req := request{method: http.MethodGet, path: adminPath + "/connections/" + url.PathEscape(id)}
	var out Gen2ConnectionDetail
	if err := c.getJSON(ctx, req, envelopeData, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Gen2CreateConnection creates a secure connection and returns its id.
func (c *Client) Gen2CreateConnection(ctx context.Context, body map[string]any) (string, error) {
	var created struct {
		ConnectionID string `json:"connectionId"`
	}
	if err := c.write(ctx, http.MethodPost, adminPath+"/connections", body, &created); err != nil {
		return "", err
	}
	return created.ConnectionID, nil
}

// Gen2UpdateConnection changes members of a secure connection (partial).
func (c *Client) Gen2UpdateConnection(ctx context.Context, id string, body map[string]any) error {
	return c.write(ctx, http.MethodPut, adminPath+"/connections/"+url.PathEscape(id), body, nil)
}

// Gen2DeleteConnection deletes a secure connection (409 while in use).
func (c *Client) Gen2DeleteConnection(ctx context.Context, id string) error {
	return c.write(ctx, http.MethodDelete, adminPath+"/connections/"+url.PathEscape(id), nil, nil)
}

// Gen2Layers lists the layers published from a connection into a service.
func (c *Client) Gen2Layers(ctx context.Context, connection, service string) ([]Gen2Layer, error) {
	req := request{method: http.MethodGet, path: adminPath + "/connections/" + url.PathEscape(connection) + "/layers",
		query: url.Values{"serviceName": {service}}, resource: true}
	var out []Gen2Layer
	if err := c.getJSON(ctx, req, envelopeData, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Gen2PublishLayer publishes a table as a layer (409 when it exists).
func (c *Client) Gen2PublishLayer(ctx context.Context, connection string, body map[string]any) (*Gen2Layer, error) {
	var l Gen2Layer
	if err := c.write(ctx, http.MethodPost, adminPath+"/connections/"+url.PathEscape(connection)+"/layers", body, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// Gen2SetLayerEnabled enables or disables a published layer.
func (c *Client) Gen2SetLayerEnabled(ctx context.Context, connection string, layerID int64, service string, enabled bool) error {
	path := adminPath + "/connections/" + url.PathEscape(connection) + "/layers/" + strconv.FormatInt(layerID, 10) + "/enabled"
	return c.writeQuery(ctx, http.MethodPut, path, url.Values{"serviceName": {service}}, map[string]any{"enabled": enabled}, nil)
}

// Gen2LayerFacet reads one facet of a layer (fields, filter, popup-info,
// drawing-info, relationships) as canonical values.
func (c *Client) Gen2LayerFacet(ctx context.Context, layerID int64, facet string) (map[string]any, error) {
	req := request{method: http.MethodGet, path: gen2FacetPath(layerID, facet), resource: true}
	var raw map[string]any
	if err := c.getJSON(ctx, req, envelopeData, &raw); err != nil {
		return nil, err
	}
	return normalized(raw), nil
}

// Gen2PutLayerFacet writes one facet of a layer; a nil body is sent as
// JSON null, which clears popup-info and drawing-info.
func (c *Client) Gen2PutLayerFacet(ctx context.Context, layerID int64, facet string, body any) error {
	if body == nil {
		body = json.RawMessage("null")
	}
	return c.write(ctx, http.MethodPut, gen2FacetPath(layerID, facet), body, nil)
}

// Gen2PutRelationshipsBatch replaces the relationships facets of several
// layers in one graph save, validated together: how a composite pair and
// its reciprocal are written ({layers:[{layerId, relationships}]}).
func (c *Client) Gen2PutRelationshipsBatch(ctx context.Context, layers []any) error {
	return c.write(ctx, http.MethodPut, adminPath+"/metadata/layers/relationships/batch", map[string]any{"layers": layers}, nil)
}

func gen2FacetPath(layerID int64, facet string) string {
	return adminPath + "/metadata/layers/" + strconv.FormatInt(layerID, 10) + "/" + facet
}

// mapLibreType is the media type of a MapLibre stylesheet.
const mapLibreType = "application/vnd.mapbox.style+json"

// Gen2Style reads the OGC style of a layer (styleId = the layer's name,
// case-sensitive); found is false for an unstyled layer (404).
func (c *Client) Gen2Style(ctx context.Context, styleID string) (style map[string]any, found bool, err error) {
	req := request{method: http.MethodGet, path: "/ogc/styles/" + url.PathEscape(styleID), accept: mapLibreType, resource: true}
	ans, err := c.do(ctx, req)
	if IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if err := json.Unmarshal(ans.body, &style); err != nil {
		return nil, false, &ProtocolError{Method: req.method, Endpoint: c.endpoint(req), Status: ans.status, Reason: "the stylesheet is not a JSON object"}
	}
	return normalized(style), true, nil
}

// Gen2PutStyle writes a layer's OGC style (204).
func (c *Client) Gen2PutStyle(ctx context.Context, styleID string, style map[string]any) error {
	body, err := json.Marshal(style)
	if err != nil {
		return err
	}
	req := request{method: http.MethodPut, path: "/ogc/styles/" + url.PathEscape(styleID), body: body, contentType: mapLibreType, once: true, resource: true}
	_, err = c.do(ctx, req)
	return err
}

// getJSON sends a read and decodes its data.
func (c *Client) getJSON(ctx context.Context, req request, mode envelopeMode, v any) error {
	ans, err := c.do(ctx, req)
	if err != nil {
		return err
	}
	return c.decodeData(req, ans, mode, v)
}

// write sends a write once and decodes the envelope's data into v when v
// is not nil.
func (c *Client) write(ctx context.Context, method, path string, body, v any) error {
	return c.writeQuery(ctx, method, path, nil, body, v)
}

func (c *Client) writeQuery(ctx context.Context, method, path string, query url.Values, body, v any) error {
	req := request{method: method, path: path, query: query, once: true, resource: true}
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		req.body = raw
	}
	ans, err := c.do(ctx, req)
	if err != nil {
		return err
	}
	if v == nil || len(bytes.TrimSpace(ans.body)) == 0 {
		return nil
	}
	data, err := c.unwrap(req, ans, envelopeNullData)
	if err != nil || data == nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &ProtocolError{Method: req.method, Endpoint: c.endpoint(req), Status: ans.status,
			Reason: "data does not have the expected shape: " + jsonErrorText(err)}
	}
	return nil
}

// normalized returns m in the canonical value form (integral numbers as
// int64), so that it compares with values read from YAML.
func normalized(m map[string]any) map[string]any {
	v, err := resource.Normalize(m)
	if err != nil {
		return m
	}
	out, _ := v.(map[string]any)
	return out
}
