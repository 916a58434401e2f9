package gen2

import (
	"context"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// applyLayer publishes a layer the server lacks (or enables one a removed
// Layer left disabled), then writes each facet the repository owns that
// differs. A Layer removed from git is disabled: Generation 2 cannot
// unpublish.
func (d *Driver) applyLayer(ctx context.Context, op apply.Operation) ([]string, error) {
	if op.Action == plan.Delete {
		lr := d.layerRef(op.ID)
		if lr == nil {
			return nil, fmt.Errorf("layer %s is not on the server", op.ID.Name)
		}
		err := d.setEnabled(ctx, op.ID.Name, lr, false)
		if err != nil {
			return nil, err
		}
		return []string{"enabled: false (Generation 2 cannot unpublish a layer, so it is disabled)"}, nil
	}
	want := op.Desired.Spec
	var wrote []string
	live := liveSpec(op)
	lr := d.layerRef(op.ID)
	fresh := op.Live == nil // facets not read by the plan: read them before writing
	switch {
	case lr == nil:
		var err error
		if lr, err = d.publish(ctx, op); err != nil {
			return nil, err
		}
		wrote = append(wrote, "published")
	case op.Live == nil && !lr.enabled && want["enabled"] != false:
		if err := d.setEnabled(ctx, op.ID.Name, lr, true); err != nil {
			return nil, err
		}
		wrote = append(wrote, "enabled")
	case op.Live != nil:
		if e, ok := want["enabled"].(bool); ok && e != lr.enabled {
			if err := d.setEnabled(ctx, op.ID.Name, lr, e); err != nil {
				return wrote, err
			}
			wrote = append(wrote, fmt.Sprintf("enabled: %t", e))
		}
	}
	for _, f := range layerFacetKeys {
		v, owned := want[f.key]
		if !owned && !removed(op, f.key) {
			continue
		}
		have, present := live[f.key]
		if fresh {
			doc, err := d.client.Gen2LayerFacet(ctx, lr.id, f.facet)
			if err != nil {
				return wrote, fmt.Errorf("read %s of layer %s (id %d): %w", f.facet, op.ID.Name, lr.id, err)
			}
			have, present = f.read(doc)
		}
		var (
			body  any
			prior = have
		)
		if !present {
			prior = nil
		}
		switch {
		case f.key == "fields":
			haveList, _ := have.([]any)
			wantList, _ := v.([]any)
			overrides := fieldOverrides(wantList, haveList)
			if len(overrides) == 0 {
				continue
			}
			body = map[string]any{"fields": overrides}
			prior = fieldsPrior(overrides, haveList)
		case !owned && !present:
			continue
		case owned && present && !differs(v, have):
			continue
		case owned && v == nil && !present:
			continue
		default:
			body = f.body(v)
		}
		savePrior(ctx, f.facet, prior)
		err := d.write(ctx, fmt.Sprintf("PUT %s of layer %s (id %d)", f.facet, op.ID.Name, lr.id),
			func(ctx context.Context) error { return d.client.Gen2PutLayerFacet(ctx, lr.id, f.facet, body) },
			func(ctx context.Context) (bool, error) {
				doc, err := d.client.Gen2LayerFacet(ctx, lr.id, f.facet)
				if err != nil {
					return false, err
				}
				got, ok := f.read(doc)
				if f.key == "fields" {
					gl, _ := got.([]any)
					wl, _ := v.([]any)
					return len(fieldOverrides(wl, gl)) == 0, nil
				}
				return ok == (v != nil) && (v == nil || !differs(v, got)), nil
			})
		if err != nil {
			return wrote, err
		}
		wrote = append(wrote, f.facet)
	}
	return wrote, nil
}

// publish publishes the layer from its connection's table. A 409 means it
// is there already (never retried blindly): it is read back.
func (d *Driver) publish(ctx context.Context, op apply.Operation) (*layerRef, error) {
	want := op.Desired.Spec
	d.mu.Lock()
	connName := d.index.layerConnection(op.Desired)
	d.mu.Unlock()
	connID := d.connectionID(connName)
	if connID == "" {
		if err := d.refreshConnections(ctx); err != nil {
			return nil, err
		}
		if connID = d.connectionID(connName); connID == "" {
			return nil, fmt.Errorf("connection %q does not exist on the server: add the Connection to git or create it, then apply", connName)
		}
	}
	service := layerService(op.Desired)
	body := map[string]any{"schema": want["schemaName"], "table": want["tableName"], "layerName": op.ID.Name, "serviceName": service}
	for _, k := range []string{"geometryColumn", "geometryType", "srid", "primaryKey", "enabled"} {
		if v, ok := want[k]; ok && v != nil {
			body[k] = v
		}
	}
	// A table without geometry is published with neither: the server
	// takes the geometry type from the table, and "none" is the
	// repository's word, not one of its geometry types.
	if gt, _ := want["geometryType"].(string); nonSpatial(gt) {
		delete(body, "geometryType")
		delete(body, "srid")
	}
	names := []any{}
	if fields, ok := want["fields"].([]any); ok {
		for _, f := range fields {
			if m, ok := f.(map[string]any); ok && m["name"] != nil {
				names = append(names, m["name"])
			}
		}
	}
	body["fields"] = names
	var lr *layerRef
	find := func(ctx context.Context) (bool, error) {
		found, err := d.client.Gen2Layers(ctx, connID, service)
		if err != nil {
			return false, err
		}
		for _, gl := range found {
			if gl.LayerName == op.ID.Name {
				lr = &layerRef{connection: connID, service: service, id: gl.LayerID, enabled: gl.Enabled}
				return true, nil
			}
		}
		return false, nil
	}
	err := d.write(ctx, "publish layer "+op.ID.Name,
		func(ctx context.Context) error {
			gl, err := d.client.Gen2PublishLayer(ctx, connID, body)
			if honua.IsConflict(err) {
				// Present already: read it back below.
				if ok, rerr := find(ctx); rerr != nil || !ok {
					return err
				}
				return nil
			}
			if err == nil && gl != nil && gl.LayerID != 0 {
				lr = &layerRef{connection: connID, service: service, id: gl.LayerID, enabled: gl.Enabled || want["enabled"] != false}
			}
			return err
		}, find)
	if err != nil {
		return nil, err
	}
	if lr == nil {
		if ok, err := find(ctx); err != nil || !ok {
			return nil, fmt.Errorf("layer %s: published, but the server does not list it (%v)", op.ID.Name, err)
		}
	}
	d.mu.Lock()
	d.index.layers[op.ID.Key()] = lr
	d.mu.Unlock()
	return lr, nil
}

func (d *Driver) setEnabled(ctx context.Context, name string, lr *layerRef, enabled bool) error {
	savePrior(ctx, priorEnabled, lr.enabled)
	err := d.write(ctx, fmt.Sprintf("PUT enabled=%t of layer %s (id %d)", enabled, name, lr.id),
		func(ctx context.Context) error {
			return d.client.Gen2SetLayerEnabled(ctx, lr.connection, lr.id, lr.service, enabled)
		},
		func(ctx context.Context) (bool, error) {
			found, err := d.client.Gen2Layers(ctx, lr.connection, lr.service)
			for _, gl := range found {
				if gl.LayerID == lr.id {
					return gl.Enabled == enabled, err
				}
			}
			return false, err
		})
	if err == nil {
		lr.enabled = enabled
	}
	return err
}

// fieldsPrior is the live override of each field a fields write names
// (only its name when the server lists no such field).
func fieldsPrior(overrides, live []any) []any {
	byName := map[any]any{}
	for _, f := range live {
		if m, ok := f.(map[string]any); ok {
			byName[m["name"]] = m
		}
	}
	out := make([]any, 0, len(overrides))
	for _, o := range overrides {
		name := o.(map[string]any)["name"]
		if m, ok := byName[name]; ok {
			out = append(out, m)
		} else {
			out = append(out, map[string]any{"name": name})
		}
	}
	return out
}

func (d *Driver) layerRef(id resource.Identity) *layerRef {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.index.layers[id.Key()]
}

// layerNamed resolves r's spec[key] to a published layer and its name.
func (d *Driver) layerNamed(r *resource.Resource, key string) (*layerRef, string) {
	id, ok := refID(r, key, "Layer")
	if !ok {
		return nil, ""
	}
	return d.layerRef(id), id.Name
}

// noGeometry is the repository's geometryType of a table without geometry
// (its srid is 0).
const noGeometry = "none"

// nonSpatial reports whether a geometry type names no geometry: the
// repository's "none" (any case), or the server's empty or absent one.
func nonSpatial(geometryType string) bool {
	gt := strings.TrimSpace(geometryType)
	return gt == "" || strings.EqualFold(gt, noGeometry)
}
