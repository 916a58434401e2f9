package gen2

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/maplibre"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// discoverAPIVersion is the apiVersion of discovered resources.
const discoverAPIVersion = "honua.io/v1alpha1"

// discoverNamespace is the namespace of every discovered resource:
// Generation 2 has no namespaces.
const discoverNamespace = "default"

// defaultServiceSRID is a discovered Service's srid when its layers do not
// share one (Generation 2 keeps no service srid; the repository requires
// one, and it is never written to a Generation 2 server).
const defaultServiceSRID = 4326

// Discover reads everything the server holds that the repository can
// express — services, secure connections, published layers and their
// facets, default styles, relationships — and returns it as repository
// resources (namespace "default", canonical values), sorted by identity,
// and one "skipped: … because …" line for each thing it leaves out. It
// never writes. It reads the inventory (for lifecycles), the service and
// connection lists, each service's settings and each connection by id,
// the layer lists, then each kept layer's facets, style and
// relationships; the reads run concurrently, bounded by the read
// concurrency.
//
// Secrets are never returned by the server and never written: a
// Connection has no password. Each connection is read by id (only that
// read carries credentialReference): a reference whose scheme names its
// store becomes secretReference with an inferred secretType (aws-sm:// →
// aws, vault:// → vault); any other is left out, with a skipped line. A
// Service's description is the server's, else its name; its srid is the one
// its enabled layers share, else 4326 (both are required by the repository
// and never written to Generation 2). A layer without geometry (the server
// lists "", none or no geometry type) is geometryType "none", srid 0 (both
// required; publish sends neither). Disabled layers are skipped (a layer
// removed from git is disabled on Generation 2), and so are layers the
// inventory lists as retired or archived: they are out of normal use.
func (d *Driver) Discover(ctx context.Context) ([]*resource.Resource, []string, error) {
	svcs, err := d.client.Gen2Services(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("services: %w", err)
	}
	conns, err := d.client.Gen2Connections(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("connections: %w", err)
	}
	inv, err := d.client.Gen2Inventory(ctx, d.env)
	if err != nil {
		return nil, nil, fmt.Errorf("metadata environment %q: %w", d.env, err)
	}
	ds := &discovery{d: d, out: map[resource.Identity]*resource.Resource{}}
	ended := endedLifecycles(inv)

	// Services and connections.
	settings := make([]*honua.Gen2ServiceSettings, len(svcs))
	var jobs []func(context.Context) error
	for i, s := range svcs {
		jobs = append(jobs, func(ctx context.Context) error {
			st, err := d.client.Gen2ServiceSettings(ctx, s.ServiceName)
			if honua.IsNotFound(err) {
				ds.skip("service %s because it vanished while it was read", s.ServiceName)
				return nil
			}
			if err != nil {
				return fmt.Errorf("service %s: %w", s.ServiceName, err)
			}
			settings[i] = st
			return nil
		})
	}
	if err := parallel(ctx, d.conc, jobs); err != nil {
		return nil, nil, err
	}
	refs, err := ds.credentialReferences(ctx, conns)
	if err != nil {
		return nil, nil, err
	}
	var connNames []honua.Gen2Connection
	for _, c := range conns {
		ref, read := refs[c.ConnectionID]
		if !read {
			continue
		}
		spec := map[string]any{
			"name": c.Name, "provider": c.Provider, "host": c.Host, "port": c.Port, "databaseName": c.DatabaseName,
			"username": c.Username, "sslRequired": c.SslRequired, "sslMode": c.SslMode,
		}
		if c.Description != "" {
			spec["description"] = c.Description
		}
		if !c.IsActive {
			spec["isActive"] = false
		}
		ds.secret(c.Name, ref, spec)
		if ds.add("Connection", c.Name, spec) {
			connNames = append(connNames, c)
		}
	}

	// Layers of every (connection, service) pair.
	type listed struct {
		conn  honua.Gen2Connection
		layer honua.Gen2Layer
	}
	var (
		mu     sync.Mutex
		layers []listed
	)
	jobs = nil
	for _, c := range connNames {
		for _, s := range svcs {
			jobs = append(jobs, func(ctx context.Context) error {
				found, err := d.client.Gen2Layers(ctx, c.ConnectionID, s.ServiceName)
				if honua.IsNotFound(err) {
					return nil
				}
				if err != nil {
					return fmt.Errorf("layers of connection %s in service %s: %w", c.Name, s.ServiceName, err)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, gl := range found {
					if gl.ServiceName == "" {
						gl.ServiceName = s.ServiceName
					}
					if strings.EqualFold(gl.ServiceName, s.ServiceName) {
						layers = append(layers, listed{conn: c, layer: gl})
					}
				}
				return nil
			})
		}
	}
	if err := parallel(ctx, d.conc, jobs); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(layers, func(a, b listed) int {
		if c := strings.Compare(a.layer.LayerName, b.layer.LayerName); c != 0 {
			return c
		}
		return int(a.layer.LayerID - b.layer.LayerID)
	})

	// The enabled layers decide each Service's srid (the one they share)
	// and the names relationships resolve their related layer ids to.
	names := map[int64]string{}
	srids := map[string][]int64{}
	type published struct {
		id   int64
		name string
		spec map[string]any
	}
	var kept []published
	for _, l := range layers {
		gl := l.layer
		if !ds.valid("layer", gl.LayerName) {
			continue
		}
		if !gl.Enabled {
			ds.skip("layer %s (service %s, id %d) because it is disabled (a layer removed from git is disabled on Generation 2)", gl.LayerName, gl.ServiceName, gl.LayerID)
			continue
		}
		if lc, ok := ended[strings.ToLower(gl.LayerName)]; ok {
			ds.skip("layer %s (service %s, id %d) because it is %s", gl.LayerName, gl.ServiceName, gl.LayerID, lc)
			continue
		}
		if prev, dup := names[gl.LayerID]; dup {
			ds.skip("layer %s (id %d) because layer id %d is already layer %s", gl.LayerName, gl.LayerID, gl.LayerID, prev)
			continue
		}
		names[gl.LayerID] = gl.LayerName
		spec := map[string]any{
			"serviceId": gl.ServiceName, "connectionId": l.conn.Name, "schemaName": gl.Schema, "tableName": gl.Table,
			"geometryType": gl.GeometryType, "srid": gl.Srid, "primaryKey": gl.PrimaryKey,
		}
		// A non-spatial layer lists no geometry type, and the repository
		// requires both keys: it documents such a table as "none", srid 0
		// (what Live reads it as, so an import plans nothing).
		if nonSpatial(gl.GeometryType) {
			spec["geometryType"], spec["srid"] = noGeometry, int64(0)
		}
		if gl.PrimaryKey == "" {
			delete(spec, "primaryKey")
		}
		if ds.has("Layer", gl.LayerName) {
			ds.skip("layer %s (service %s, id %d) because another published layer has that name", gl.LayerName, gl.ServiceName, gl.LayerID)
			delete(names, gl.LayerID)
			continue
		}
		ds.reserve("Layer", gl.LayerName)
		if gl.Srid != 0 {
			srids[strings.ToLower(gl.ServiceName)] = append(srids[strings.ToLower(gl.ServiceName)], gl.Srid)
		}
		kept = append(kept, published{id: gl.LayerID, name: gl.LayerName, spec: spec})
	}

	for i, s := range svcs {
		st := settings[i]
		if st == nil || !ds.valid("service", s.ServiceName) {
			continue
		}
		protos := make([]string, 0, len(st.EnabledProtocols))
		for _, p := range st.EnabledProtocols {
			protos = append(protos, repositoryProtocol(p))
		}
		slices.Sort(protos)
		protos = slices.Compact(protos)
		list := make([]any, 0, len(protos))
		for _, p := range protos {
			list = append(list, p)
		}
		desc := s.Description
		if desc == "" {
			desc = s.ServiceName
		}
		srid := int64(defaultServiceSRID)
		if all := srids[strings.ToLower(s.ServiceName)]; len(all) > 0 && !slices.ContainsFunc(all, func(v int64) bool { return v != all[0] }) {
			srid = all[0]
		}
		spec := map[string]any{"protocols": list, "description": desc, "srid": srid}
		if st.AccessPolicy != nil {
			policy := map[string]any{}
			for _, k := range []string{"allowAnonymous", "allowAnonymousWrite", "allowedRoles", "allowedWriteRoles"} {
				if v, ok := st.AccessPolicy[k]; ok && v != nil {
					policy[k] = v
				}
			}
			spec["accessPolicy"] = policy
		}
		ds.add("Service", s.ServiceName, spec)
	}

	// Per layer: its facets, its default style, its relationships.
	jobs = nil
	for _, l := range kept {
		for _, f := range layerFacetKeys {
			jobs = append(jobs, func(ctx context.Context) error {
				doc, err := d.client.Gen2LayerFacet(ctx, l.id, f.facet)
				if honua.IsNotFound(err) {
					return nil
				}
				if err != nil {
					return fmt.Errorf("layer %s (id %d) %s: %w", l.name, l.id, f.facet, err)
				}
				v, present := f.read(doc)
				if !present {
					return nil
				}
				if f.key == "fields" {
					v = discoveredFields(v)
					if len(v.([]any)) == 0 {
						return nil
					}
				}
				ds.mu.Lock()
				l.spec[f.key] = v
				ds.mu.Unlock()
				return nil
			})
		}
		jobs = append(jobs, func(ctx context.Context) error {
			style, found, err := d.client.Gen2Style(ctx, l.name)
			if err != nil {
				return fmt.Errorf("style of layer %s: %w", l.name, err)
			}
			if !found {
				return nil
			}
			name := l.name + "-default"
			if !ds.valid("style", name) {
				return nil
			}
			ds.add("Style", name, map[string]any{"layerId": l.name, "isDefault": true, "style": repositoryStyle(style, l.id)})
			return nil
		})
		jobs = append(jobs, func(ctx context.Context) error {
			doc, err := d.client.Gen2LayerFacet(ctx, l.id, "relationships")
			if honua.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("relationships of layer %s (id %d): %w", l.name, l.id, err)
			}
			entries, _ := doc["relationships"].([]any)
			for _, e := range entries {
				m, _ := e.(map[string]any)
				id, _ := m["id"].(string)
				if !ds.valid(fmt.Sprintf("relationship of layer %s", l.name), id) {
					continue
				}
				related, ok := names[toInt64(m["relatedLayerId"])]
				if !ok {
					ds.skip("relationship %s of layer %s because its related layer id %v is not an enabled published layer", id, l.name, m["relatedLayerId"])
					continue
				}
				spec := map[string]any{
					"name": m["name"], "originLayerId": l.name, "relatedLayerId": related, "relationshipType": m["cardinality"],
					"originForeignKey": m["originField"], "destinationForeignKey": m["destinationField"],
				}
				for _, k := range []string{"description", "role", "composite", "esriRelationshipId"} {
					if v, ok := m[k]; ok && v != nil {
						spec[k] = v
					}
				}
				ds.add("Relationship", id, spec)
			}
			return nil
		})
	}
	if err := parallel(ctx, d.conc, jobs); err != nil {
		return nil, nil, err
	}
	for _, l := range kept {
		ds.add("Layer", l.name, l.spec)
	}

	out := make([]*resource.Resource, 0, len(ds.out))
	for _, r := range ds.out {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *resource.Resource) int { return a.ID().Compare(b.ID()) })
	slices.Sort(ds.skipped)
	return out, ds.skipped, nil
}

// credentialReferences reads each connection with a valid name by id
// (only that read carries credentialReference), concurrently: the
// reference by connection id, "" when it has none. A connection that
// vanished meanwhile is skipped (absent from the result).
func (ds *discovery) credentialReferences(ctx context.Context, conns []honua.Gen2Connection) (map[string]string, error) {
	var (
		mu   sync.Mutex
		refs = map[string]string{}
		jobs []func(context.Context) error
	)
	for _, c := range conns {
		if !ds.valid("connection", c.Name) {
			continue
		}
		jobs = append(jobs, func(ctx context.Context) error {
			detail, err := ds.d.client.Gen2Connection(ctx, c.ConnectionID)
			if honua.IsNotFound(err) {
				ds.skip("connection %s because it vanished while it was read", c.Name)
				return nil
			}
			if err != nil {
				return fmt.Errorf("connection %s: %w", c.Name, err)
			}
			mu.Lock()
			refs[c.ConnectionID] = detail.CredentialReference
			mu.Unlock()
			return nil
		})
	}
	if err := parallel(ctx, ds.d.conc, jobs); err != nil {
		return nil, err
	}
	return refs, nil
}

// secretTypes infers a secretType from a secret reference's scheme. Only
// schemes that name their store unambiguously are inferred.
var secretTypes = []struct{ scheme, secretType string }{{"aws-sm://", "aws"}, {"vault://", "vault"}}

// secret sets a connection's secretReference and secretType from its
// credential reference when the type can be inferred from the scheme;
// otherwise it leaves both out (the repository requires the type with the
// reference) and says so. The reference names a secret, it is none.
func (ds *discovery) secret(name, ref string, spec map[string]any) {
	if ref == "" {
		return
	}
	for _, st := range secretTypes {
		if len(ref) > len(st.scheme) && strings.EqualFold(ref[:len(st.scheme)], st.scheme) {
			spec["secretReference"], spec["secretType"] = ref, st.secretType
			return
		}
	}
	scheme := "no scheme"
	if i := strings.Index(ref, "://"); i > 0 {
		scheme = fmt.Sprintf("%q", ref[:i+3])
	}
	ds.skip("the secret reference of connection %s because its scheme %s is neither aws-sm:// nor vault:// (secretType cannot be inferred: set secretReference and secretType by hand)", name, scheme)
}

// endedLifecycles are the inventory's retired or archived resources and
// publications: lifecycle by lower-cased name. They are no longer in
// normal use, so they are not adopted. (The inventory keys layers by
// name only, so one retired name ends every layer of that name.)
func endedLifecycles(inv *honua.Gen2Inventory) map[string]string {
	out := map[string]string{}
	for _, e := range inv.Entries {
		lc := strings.ToLower(strings.TrimSpace(string(e.Status)))
		kind := strings.ToLower(e.ArtifactKind)
		if (lc == "retired" || lc == "archived") && (kind == "resource" || kind == "publication") {
			out[strings.ToLower(e.Name)] = lc
		}
	}
	return out
}

// discovery collects one Discover's resources and skipped lines.
type discovery struct {
	d        *Driver
	mu       sync.Mutex
	out      map[resource.Identity]*resource.Resource
	reserved map[resource.Identity]bool
	skipped  []string
}

func (ds *discovery) skip(format string, args ...any) {
	ds.mu.Lock()
	ds.skipped = append(ds.skipped, "skipped: "+fmt.Sprintf(format, args...))
	ds.mu.Unlock()
}

// valid reports whether name can be a resource name, else skips it.
func (ds *discovery) valid(what, name string) bool {
	if err := resource.ValidateName(name); err != nil {
		ds.skip("%s %q because its name is not a valid resource name: %v", what, name, err)
		return false
	}
	return true
}

func identity(kind, name string) resource.Identity {
	return resource.Identity{Kind: kind, Namespace: discoverNamespace, Name: name}.Key()
}

func (ds *discovery) has(kind, name string) bool {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	id := identity(kind, name)
	return ds.out[id] != nil || ds.reserved[id]
}

func (ds *discovery) reserve(kind, name string) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.reserved == nil {
		ds.reserved = map[resource.Identity]bool{}
	}
	ds.reserved[identity(kind, name)] = true
}

// add keeps a resource; a second one with the same identity is skipped.
func (ds *discovery) add(kind, name string, spec map[string]any) bool {
	v, err := resource.Normalize(spec)
	if err == nil {
		spec, _ = v.(map[string]any)
	}
	r := &resource.Resource{APIVersion: discoverAPIVersion, Kind: kind, Metadata: resource.Metadata{Name: name, Namespace: discoverNamespace}, Spec: spec}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	id := identity(kind, name)
	if ds.out[id] != nil {
		ds.skipped = append(ds.skipped, fmt.Sprintf("skipped: %s %s because another %s has that name (case-insensitively)", kind, name, kind))
		return false
	}
	ds.out[id] = r
	return true
}

// repositoryProtocol is the repository's name of a Generation 2 protocol,
// or the Generation 2 name when the repository has none.
func repositoryProtocol(gen2 string) string {
	var names []string
	for repo, g := range protocolNames {
		if g == gen2 {
			names = append(names, repo)
		}
	}
	if len(names) == 0 {
		return gen2
	}
	slices.Sort(names)
	return names[0]
}

// discoveredFields keeps, of the fields facet, each field's name, alias
// (when not empty), domain and hidden (only when true). An alias the
// server fell back to from the column description cannot be told apart:
// it is kept.
func discoveredFields(v any) []any {
	list, _ := v.([]any)
	out := make([]any, 0, len(list))
	for _, f := range list {
		m, ok := f.(map[string]any)
		if !ok || m["name"] == nil || m["name"] == "" {
			continue
		}
		k := map[string]any{"name": m["name"]}
		if a, ok := m["alias"].(string); ok && a != "" {
			k["alias"] = a
		}
		if dm, ok := m["domain"]; ok && dm != nil {
			k["domain"] = dm
		}
		if m["hidden"] == true {
			k["hidden"] = true
		}
		out = append(out, k)
	}
	return out
}

// repositoryStyle removes from a live stylesheet what the server added
// for the layer (its vector source and the layers' references to it),
// when normalising the result gives the live stylesheet back; else the
// live stylesheet is returned unchanged.
func repositoryStyle(live map[string]any, layerID int64) map[string]any {
	c, _ := resource.Clone(live).(map[string]any)
	if c == nil {
		return live
	}
	src := maplibre.SourceID(int(layerID))
	if sources, ok := c["sources"].(map[string]any); ok {
		delete(sources, src)
		if len(sources) == 0 {
			delete(c, "sources")
		}
	}
	if ls, ok := c["layers"].([]any); ok {
		for _, l := range ls {
			lo, ok := l.(map[string]any)
			if !ok {
				continue
			}
			if lo["source"] == src {
				delete(lo, "source")
				if lo["source-layer"] == maplibre.SourceLayer {
					delete(lo, "source-layer")
				}
			}
		}
	}
	n, err := maplibre.Normalise(c, int(layerID))
	if err != nil {
		return live
	}
	a, errA := resource.Normalize(n)
	b, errB := resource.Normalize(live)
	if errA != nil || errB != nil || len(diff.Values("", a, b)) > 0 {
		return live
	}
	return c
}

// toInt64 reads an integer JSON value (int64 after normalisation).
func toInt64(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return -1
}
