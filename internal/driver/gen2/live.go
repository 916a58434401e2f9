package gen2

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Live reads, for the resources scope names, the facets the repository can
// own — nothing else on the server is read — and returns each as a partial
// resource (apply.LiveObject.Partial) in the repository's vocabulary. The
// reads run concurrently, bounded by the read concurrency. The first call
// records the inventory's revision and ETag: the version the plan saw.
func (d *Driver) Live(ctx context.Context, scope apply.Scope) ([]apply.LiveObject, error) {
	inv, err := d.client.Gen2Inventory(ctx, d.env)
	if err != nil {
		return nil, fmt.Errorf("metadata environment %q: %w", d.env, err)
	}
	x := newIndex()
	for _, r := range scope.Desired {
		x.desired[r.ID().Key()] = r
	}
	for _, r := range scope.Recorded {
		x.recorded[r.ID().Key()] = r
	}
	rd := &reader{d: d, x: x, out: map[resource.Identity]*resource.Resource{}, unowned: scope.Unowned, prints: map[resource.Identity]map[string]string{}}
	if err := rd.read(ctx); err != nil {
		return nil, err
	}
	d.mu.Lock()
	if d.baseline == nil {
		d.baseline = inv
	}
	d.index = x
	released := d.released
	d.mu.Unlock()

	ids := make([]resource.Identity, 0, len(rd.out))
	for id := range rd.out {
		if released[id] && x.desired[id] == nil {
			continue // handed back to the server by a restore
		}
		ids = append(ids, id)
	}
	slices.SortFunc(ids, resource.Identity.Compare)
	live := make([]apply.LiveObject, 0, len(ids))
	for _, id := range ids {
		live = append(live, apply.LiveObject{Resource: rd.out[id], Partial: true, OwnedByRecord: true, Unowned: rd.prints[id]})
	}
	return live, nil
}

// reader is one live read.
type reader struct {
	d  *Driver
	x  *index
	mu sync.Mutex
	// out holds the live resources found, by identity key.
	out map[resource.Identity]*resource.Resource
	// unowned asks for fingerprints of the facets git does not own
	// (apply.Scope.Unowned), kept in prints.
	unowned bool
	prints  map[resource.Identity]map[string]string
}

// owns reports whether the repository sets key on r (desired or recorded).
func (rd *reader) owns(r *resource.Resource, key string) bool {
	for _, o := range []*resource.Resource{rd.x.desired[r.ID().Key()], rd.x.recorded[r.ID().Key()]} {
		if o != nil {
			if _, ok := o.Spec[key]; ok {
				return true
			}
		}
	}
	return false
}

// print records the fingerprint of an unowned facet of r.
func (rd *reader) print(r *resource.Resource, facet string, v any) {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if rd.prints[r.ID().Key()] == nil {
		rd.prints[r.ID().Key()] = map[string]string{}
	}
	rd.prints[r.ID().Key()][facet] = fingerprint(v)
}

// fingerprint is a short digest of a value's canonical JSON.
func fingerprint(v any) string {
	n, err := resource.Normalize(v)
	if err != nil {
		n = v
	}
	raw, err := resource.CanonicalJSON(n)
	if err != nil {
		return "unreadable"
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

func (rd *reader) put(r *resource.Resource) {
	rd.mu.Lock()
	rd.out[r.ID().Key()] = r
	rd.mu.Unlock()
}

// scoped returns the scope's resources of kind, desired first.
func (rd *reader) scoped(kind string) []*resource.Resource {
	var out []*resource.Resource
	seen := map[resource.Identity]bool{}
	for _, m := range []map[resource.Identity]*resource.Resource{rd.x.desired, rd.x.recorded} {
		for id, r := range m {
			if r.Kind == kind && !seen[id] {
				seen[id] = true
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, func(a, b *resource.Resource) int { return a.ID().Compare(b.ID()) })
	return out
}

func (rd *reader) read(ctx context.Context) error {
	conc := rd.d.conc
	// Connections and services first: layers need the connection ids.
	first := []func(context.Context) error{}
	if len(rd.scoped("Connection")) > 0 || len(rd.scoped("Layer")) > 0 {
		first = append(first, rd.connections)
	}
	for _, s := range rd.scoped("Service") {
		first = append(first, func(ctx context.Context) error { return rd.service(ctx, s) })
	}
	if err := parallel(ctx, conc, first); err != nil {
		return err
	}
	if err := rd.layers(ctx); err != nil {
		return err
	}
	var rest []func(context.Context) error
	for _, l := range rd.scoped("Layer") {
		if lr := rd.x.layers[l.ID().Key()]; lr != nil && rd.out[l.ID().Key()] != nil {
			rest = append(rest, rd.layerFacets(l, lr)...)
		}
	}
	for _, s := range rd.scoped("Style") {
		rest = append(rest, func(ctx context.Context) error { return rd.style(ctx, s) })
	}
	byOrigin := map[int64][]*resource.Resource{}
	for _, r := range rd.scoped("Relationship") {
		if lr := rd.layerOf(r, "originLayerId"); lr != nil {
			byOrigin[lr.id] = append(byOrigin[lr.id], r)
		}
	}
	for layerID, rels := range byOrigin {
		rest = append(rest, func(ctx context.Context) error { return rd.relationships(ctx, layerID, rels) })
	}
	return parallel(ctx, conc, rest)
}

func (rd *reader) connections(ctx context.Context) error {
	conns, err := rd.d.client.Gen2Connections(ctx)
	if err != nil {
		return err
	}
	byName := map[string]honua.Gen2Connection{}
	for _, c := range conns {
		byName[strings.ToLower(c.Name)] = c
		rd.x.connections[strings.ToLower(c.Name)] = c.ConnectionID
	}
	for _, r := range rd.scoped("Connection") {
		c, ok := byName[strings.ToLower(connectionName(r))]
		if !ok {
			continue
		}
		spec := map[string]any{
			"name": c.Name, "description": c.Description, "provider": c.Provider, "host": c.Host, "port": c.Port,
			"databaseName": c.DatabaseName, "username": c.Username, "sslRequired": c.SslRequired, "sslMode": c.SslMode, "isActive": c.IsActive,
		}
		if want, ok := r.Spec["sslMode"].(string); ok && strings.EqualFold(want, c.SslMode) {
			spec["sslMode"] = want
		}
		// The secret reference and its type are never returned: they are
		// not compared (a change of either is a blocker: recreate needed).
		for _, k := range []string{"secretReference", "secretType"} {
			if v, ok := r.Spec[k]; ok {
				spec[k] = v
			}
		}
		rd.put(liveOf(r, spec))
	}
	return nil
}

func (rd *reader) service(ctx context.Context, r *resource.Resource) error {
	s, err := rd.d.client.Gen2ServiceSettings(ctx, r.Metadata.Name)
	if honua.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	names := make([]any, 0, len(s.EnabledProtocols))
	sorted := slices.Clone(s.EnabledProtocols)
	slices.Sort(sorted)
	for _, p := range slices.Compact(sorted) {
		names = append(names, p)
	}
	spec := map[string]any{"protocols": names}
	if s.AccessPolicy != nil {
		spec["accessPolicy"] = normalized(s.AccessPolicy)
	}
	if rd.unowned {
		if !rd.owns(r, "protocols") && !rd.owns(r, "enabledProtocols") {
			rd.print(r, "protocols", names)
		}
		rd.print(r, "access policy members git does not set", unownedMembers(s.AccessPolicy, rd.x.ref(r.ID()).Spec["accessPolicy"]))
	}
	rd.put(liveOf(r, spec))
	return nil
}

// unownedMembers is the part of an object whose keys ref does not set.
func unownedMembers(live map[string]any, ref any) map[string]any {
	owned, _ := ref.(map[string]any)
	out := map[string]any{}
	for k, v := range live {
		if _, ok := owned[k]; !ok {
			out[k] = v
		}
	}
	return out
}

// layers lists the published layers of every (connection, service) pair
// the scope's Layers name, once each.
func (rd *reader) layers(ctx context.Context) error {
	type pair struct{ connection, service string }
	want := map[pair][]*resource.Resource{}
	for _, l := range rd.scoped("Layer") {
		p := pair{rd.x.layerConnection(l), layerService(l)}
		want[p] = append(want[p], l)
	}
	var jobs []func(context.Context) error
	for p, ls := range want {
		connID, ok := rd.x.connections[strings.ToLower(p.connection)]
		if !ok {
			continue // the connection does not exist yet: neither do its layers
		}
		jobs = append(jobs, func(ctx context.Context) error {
			found, err := rd.d.client.Gen2Layers(ctx, connID, p.service)
			if honua.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return err
			}
			byName := map[string]honua.Gen2Layer{}
			for _, gl := range found {
				if strings.EqualFold(gl.ServiceName, p.service) || gl.ServiceName == "" {
					byName[gl.LayerName] = gl
				}
			}
			for _, l := range ls {
				gl, ok := byName[l.Metadata.Name]
				if !ok {
					continue
				}
				rd.mu.Lock()
				rd.x.layers[l.ID().Key()] = &layerRef{connection: connID, service: p.service, id: gl.LayerID, enabled: gl.Enabled}
				rd.mu.Unlock()
				// A layer removed from git is disabled (Generation 2 cannot
				// unpublish): a disabled layer is absent unless the
				// repository itself says enabled: false.
				if !gl.Enabled && l.Spec["enabled"] != false {
					continue
				}
				rd.put(liveOf(l, layerSpec(l, gl)))
			}
			return nil
		})
	}
	return parallel(ctx, rd.d.conc, jobs)
}

// layerSpec is a published layer's summary in the repository's keys.
// geometryColumn is not listed by the server: it is publish-only and taken
// from the repository, so it is never compared. A non-spatial layer's
// geometryType is "none".
func layerSpec(ref *resource.Resource, gl honua.Gen2Layer) map[string]any {
	spec := map[string]any{
		"schemaName": gl.Schema, "tableName": gl.Table, "geometryType": gl.GeometryType, "srid": gl.Srid,
		"primaryKey": gl.PrimaryKey, "enabled": gl.Enabled,
	}
	// A table without geometry lists no geometry type: it reads as the
	// repository's "none", which git must hold (geometryType is required).
	if nonSpatial(gl.GeometryType) {
		spec["geometryType"] = noGeometry
	}
	for _, k := range []string{"serviceId", "connectionId", "geometryColumn"} {
		if v, ok := ref.Spec[k]; ok {
			spec[k] = v
		}
	}
	// The server canonicalises names' case (MultiPolygon, multipolygon).
	for _, k := range []string{"geometryType", "primaryKey"} {
		if want, ok := ref.Spec[k].(string); ok && strings.EqualFold(want, fmt.Sprint(spec[k])) {
			spec[k] = want
		}
	}
	return spec
}

// layerFacets reads the facets a Layer owns: fields, filter, popup and
// drawing info, each only when the repository sets its key.
func (rd *reader) layerFacets(l *resource.Resource, lr *layerRef) []func(context.Context) error {
	var jobs []func(context.Context) error
	for _, f := range layerFacetKeys {
		owned := rd.owns(l, f.key)
		if !owned && !rd.unowned {
			continue
		}
		jobs = append(jobs, func(ctx context.Context) error {
			doc, err := rd.d.client.Gen2LayerFacet(ctx, lr.id, f.facet)
			if err != nil {
				return fmt.Errorf("layer %s (id %d): %w", l.Metadata.Name, lr.id, err)
			}
			v, present := f.read(doc)
			if !present {
				v = nil
			}
			switch {
			case !owned:
				rd.print(l, f.facet, v)
				return nil
			case rd.unowned && f.key == "fields":
				rd.print(l, "fields git does not name", unnamedFields(v, rd.x.ref(l.ID()).Spec["fields"]))
			}
			rd.mu.Lock()
			defer rd.mu.Unlock()
			if present {
				rd.out[l.ID().Key()].Spec[f.key] = v
			}
			return nil
		})
	}
	return jobs
}

// unnamedFields are the live fields the repository's fields do not name.
func unnamedFields(live, ref any) []any {
	named := map[any]bool{}
	refs, _ := ref.([]any)
	for _, f := range refs {
		if m, ok := f.(map[string]any); ok {
			named[m["name"]] = true
		}
	}
	lives, _ := live.([]any)
	out := []any{}
	for _, f := range lives {
		if m, ok := f.(map[string]any); ok && !named[m["name"]] {
			out = append(out, f)
		}
	}
	return out
}

// layerOf returns where the Layer that r's spec[key] names is published.
func (rd *reader) layerOf(r *resource.Resource, key string) *layerRef {
	id, ok := refID(r, key, "Layer")
	if !ok {
		return nil
	}
	return rd.x.layers[id.Key()]
}

func (rd *reader) style(ctx context.Context, r *resource.Resource) error {
	id, ok := refID(r, "layerId", "Layer")
	if !ok {
		return nil
	}
	lr := rd.x.layers[id.Key()]
	if lr == nil {
		return nil
	}
	style, found, err := rd.d.client.Gen2Style(ctx, id.Name)
	if err != nil {
		return fmt.Errorf("style of layer %s: %w", id.Name, err)
	}
	if !found {
		return nil
	}
	spec := map[string]any{"isDefault": true, "style": rd.comparableStyle(style, lr.id, r)}
	if v, ok := r.Spec["layerId"]; ok {
		spec["layerId"] = v
	}
	rd.put(liveOf(r, spec))
	return nil
}

// comparableStyle returns the repository's own style (desired, else
// recorded) when the server's is what the server makes of it, so that
// equal styles compare equal; else the server's.
func (rd *reader) comparableStyle(live map[string]any, layerID int64, r *resource.Resource) any {
	for _, ref := range []*resource.Resource{rd.x.desired[r.ID().Key()], rd.x.recorded[r.ID().Key()]} {
		if ref == nil {
			continue
		}
		if want, ok := ref.Spec["style"].(map[string]any); ok && sameStyle(want, live, layerID) {
			return want
		}
	}
	return live
}

func (rd *reader) relationships(ctx context.Context, layerID int64, rels []*resource.Resource) error {
	doc, err := rd.d.client.Gen2LayerFacet(ctx, layerID, "relationships")
	if err != nil {
		return fmt.Errorf("relationships of layer %d: %w", layerID, err)
	}
	entries, _ := doc["relationships"].([]any)
	for _, r := range rels {
		for _, e := range entries {
			m, _ := e.(map[string]any)
			if m["id"] != r.Metadata.Name {
				continue
			}
			rd.put(liveOf(r, rd.relationshipSpec(r, m)))
		}
	}
	return nil
}

// relationshipSpec is a relationships-facet entry in the repository's keys.
func (rd *reader) relationshipSpec(r *resource.Resource, m map[string]any) map[string]any {
	spec := map[string]any{
		"name": m["name"], "relationshipType": m["cardinality"],
		"originForeignKey": m["originField"], "destinationForeignKey": m["destinationField"],
	}
	for _, k := range []string{"description", "role", "composite", "esriRelationshipId"} {
		if v, ok := m[k]; ok {
			spec[k] = v
		}
	}
	if v, ok := r.Spec["originLayerId"]; ok {
		spec["originLayerId"] = v
	}
	// The related layer is an integer id on the server: it is the
	// repository's reference when that reference resolves to it.
	if lr := rd.layerOf(r, "relatedLayerId"); lr != nil && fmt.Sprint(lr.id) == fmt.Sprint(m["relatedLayerId"]) {
		spec["relatedLayerId"] = r.Spec["relatedLayerId"]
	} else {
		spec["relatedLayerId"] = m["relatedLayerId"]
	}
	if want, ok := r.Spec["relationshipType"].(string); ok && cardinalities[strings.ToLower(want)] == spec["relationshipType"] {
		spec["relationshipType"] = want
	}
	return spec
}

// liveOf builds a live resource with r's identity.
func liveOf(r *resource.Resource, spec map[string]any) *resource.Resource {
	v, err := resource.Normalize(spec)
	if err == nil {
		spec, _ = v.(map[string]any)
	}
	return &resource.Resource{APIVersion: r.APIVersion, Kind: r.Kind, Metadata: resource.Metadata{Name: r.Metadata.Name, Namespace: r.Metadata.Namespace}, Spec: spec}
}

func normalized(m map[string]any) map[string]any {
	v, err := resource.Normalize(m)
	if err != nil {
		return m
	}
	out, _ := v.(map[string]any)
	return out
}
