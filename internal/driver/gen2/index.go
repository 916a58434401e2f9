package gen2

import (
	"github.com/honua-io/honua-gitops/internal/resource"
)

// index is what a live read resolved: the scope's resources by identity,
// and the server's ids for them. References in the repository are
// namespace/name (or a name in the same namespace); on the server a
// Service is its name, a Connection its name (its id a GUID), a Layer an
// integer id within a service.
type index struct {
	desired, recorded map[resource.Identity]*resource.Resource
	// connections maps a connection's server name (lower case) to its id.
	connections map[string]string
	// layers maps a Layer's identity key to where it is on the server.
	layers map[resource.Identity]*layerRef
}

// layerRef is a published layer.
type layerRef struct {
	connection string // server name of its connection
	service    string
	id         int64
	enabled    bool
}

func newIndex() *index {
	return &index{desired: map[resource.Identity]*resource.Resource{}, recorded: map[resource.Identity]*resource.Resource{},
		connections: map[string]string{}, layers: map[resource.Identity]*layerRef{}}
}

// ref returns the scope's resource for id: desired, else recorded.
func (x *index) ref(id resource.Identity) *resource.Resource {
	if r := x.desired[id.Key()]; r != nil {
		return r
	}
	return x.recorded[id.Key()]
}

// refID resolves a reference in r's spec to an identity of kind.
func refID(r *resource.Resource, key, kind string) (resource.Identity, bool) {
	s, ok := r.Spec[key].(string)
	if !ok || s == "" {
		return resource.Identity{}, false
	}
	ns, name := resource.ParseRef(s, r.Metadata.Namespace)
	return resource.Identity{Kind: kind, Namespace: ns, Name: name}, true
}

// connectionName is the server name of a Connection resource.
func connectionName(r *resource.Resource) string {
	if s, ok := r.Spec["name"].(string); ok && s != "" {
		return s
	}
	return r.Metadata.Name
}

// layerConnection is the server name of a Layer's connection.
func (x *index) layerConnection(layer *resource.Resource) string {
	id, ok := refID(layer, "connectionId", "Connection")
	if !ok {
		return ""
	}
	if c := x.ref(id); c != nil {
		return connectionName(c)
	}
	return id.Name
}

// layerService is the server name of a Layer's service.
func layerService(layer *resource.Resource) string {
	if id, ok := refID(layer, "serviceId", "Service"); ok {
		return id.Name
	}
	return "default"
}
