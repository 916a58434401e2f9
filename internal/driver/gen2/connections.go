package gen2

import (
	"context"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
)

// connectionUpdatable are the members PUT /connections/{id} changes;
// name, provider and the secret reference are fixed at creation.
var connectionUpdatable = []string{"description", "host", "port", "databaseName", "username", "sslRequired", "sslMode", "isActive"}

// applyConnection creates, updates or deletes a secure connection (outside
// the graph: no revision). Secrets are never returned, so a password is
// sent when the plan changes it, or once when a connection is created or
// adopted.
func (d *Driver) applyConnection(ctx context.Context, op apply.Operation) ([]string, error) {
	switch {
	case op.Action == plan.Delete:
		return d.deleteConnection(ctx, op)
	case op.Live == nil:
		return d.createConnection(ctx, op)
	}
	want, live := op.Desired.Spec, liveSpec(op)
	if op.Action == plan.Create {
		// Adopted: its non-secret members are saved whether or not they
		// change, so that a rollback hands it back as found.
		savePrior(ctx, priorConnection, connectionPrior(live))
	}
	body, wrote := connectionChanges(want, live)
	if pw, ok := want["password"]; ok && pw != nil && (changed(op, "password") || op.Action == plan.Create) {
		body["password"] = pw
		wrote = append(wrote, "password")
	}
	if len(body) == 0 {
		return nil, nil
	}
	savePrior(ctx, priorConnection, connectionPrior(live))
	id := d.connectionID(connectionName(op.Desired))
	err := d.write(ctx, "PUT connection "+connectionName(op.Desired),
		func(ctx context.Context) error { return d.client.Gen2UpdateConnection(ctx, id, body) },
		func(ctx context.Context) (bool, error) {
			return d.connectionLanded(ctx, connectionName(op.Desired), body)
		})
	if err != nil {
		return nil, err
	}
	return wrote, nil
}

func (d *Driver) createConnection(ctx context.Context, op apply.Operation) ([]string, error) {
	want := op.Desired.Spec
	name := connectionName(op.Desired)
	body := map[string]any{"name": name}
	for _, k := range []string{"description", "host", "port", "databaseName", "username", "provider", "sslRequired", "sslMode", "password", "secretReference", "secretType"} {
		if v, ok := want[k]; ok && v != nil {
			body[k] = v
		}
	}
	var id string
	err := d.write(ctx, "POST connection "+name,
		func(ctx context.Context) error {
			var err error
			id, err = d.client.Gen2CreateConnection(ctx, body)
			return err
		},
		func(ctx context.Context) (bool, error) {
			return d.connectionLanded(ctx, name, map[string]any{"host": body["host"], "databaseName": body["databaseName"]})
		})
	if err != nil {
		return nil, err
	}
	if id == "" {
		if err := d.refreshConnections(ctx); err != nil {
			return []string{"new connection"}, err
		}
	} else {
		d.mu.Lock()
		d.index.connections[strings.ToLower(name)] = id
		d.mu.Unlock()
	}
	return []string{"new connection"}, nil
}

func (d *Driver) deleteConnection(ctx context.Context, op apply.Operation) ([]string, error) {
	name := connectionName(op.Live.Resource)
	id := d.connectionID(name)
	if p, ok := priorOf(op.Restore, priorConnection); ok && p != nil {
		return d.restoreConnection(ctx, op, name, id, p)
	}
	err := d.write(ctx, "DELETE connection "+name,
		func(ctx context.Context) error { return d.client.Gen2DeleteConnection(ctx, id) },
		func(ctx context.Context) (bool, error) {
			conns, err := d.client.Gen2Connections(ctx)
			for _, c := range conns {
				if strings.EqualFold(c.Name, name) {
					return false, err
				}
			}
			return err == nil, err
		})
	if err != nil {
		return nil, err
	}
	return []string{"deleted"}, nil
}

// restoreConnection is the delete of a connection that was on the server
// before the deployments being undone (they adopted it): its prior
// non-secret members are written back and it is handed back to the
// server instead of being deleted. A secret the apply replaced cannot be
// restored (it was never readable): the message says so.
func (d *Driver) restoreConnection(ctx context.Context, op apply.Operation, name, id string, prior any) ([]string, error) {
	want, _ := prior.(map[string]any)
	live := liveSpec(op)
	body, wrote := connectionChanges(want, live)
	if len(body) > 0 {
		savePrior(ctx, priorConnection, connectionPrior(live))
		err := d.write(ctx, "PUT connection "+name+" (restore)",
			func(ctx context.Context) error { return d.client.Gen2UpdateConnection(ctx, id, body) },
			func(ctx context.Context) (bool, error) { return d.connectionLanded(ctx, name, body) })
		if err != nil {
			return nil, err
		}
	}
	d.release(op.ID)
	note := "the connection was on the server before: kept, not deleted"
	if len(wrote) > 0 {
		note += "; restored its prior " + strings.Join(wrote, ", ")
	}
	recordOf(ctx).note = note + " (a secret the apply replaced cannot be restored: it is never readable)"
	return wrote, nil
}

// connectionChanges is the partial PUT body that makes live what want
// says, over the members PUT can change (sslMode compared as the server
// spells it), and their names.
func connectionChanges(want, live map[string]any) (map[string]any, []string) {
	body := map[string]any{}
	var wrote []string
	for _, k := range connectionUpdatable {
		v, ok := want[k]
		if !ok {
			continue
		}
		same := !differs(v, live[k])
		if k == "sslMode" {
			same = strings.EqualFold(fmt.Sprint(v), fmt.Sprint(live[k]))
		}
		if !same {
			body[k] = v
			wrote = append(wrote, k)
		}
	}
	return body, wrote
}

// connectionLanded reads the connection back and checks the non-secret
// members of body.
func (d *Driver) connectionLanded(ctx context.Context, name string, body map[string]any) (bool, error) {
	conns, err := d.client.Gen2Connections(ctx)
	if err != nil {
		return false, err
	}
	for _, c := range conns {
		if !strings.EqualFold(c.Name, name) {
			continue
		}
		got := map[string]any{"description": c.Description, "host": c.Host, "port": c.Port, "databaseName": c.DatabaseName,
			"username": c.Username, "sslRequired": c.SslRequired, "sslMode": c.SslMode, "isActive": c.IsActive}
		for k, v := range body {
			g, known := got[k]
			if !known {
				// A secret cannot be read back: its write stays unconfirmed.
				return false, nil
			}
			if k == "sslMode" && strings.EqualFold(fmt.Sprint(v), fmt.Sprint(g)) {
				continue
			}
			if differs(v, g) {
				return false, nil
			}
		}
		d.mu.Lock()
		d.index.connections[strings.ToLower(c.Name)] = c.ConnectionID
		d.mu.Unlock()
		return true, nil
	}
	return false, nil
}

func (d *Driver) refreshConnections(ctx context.Context) error {
	conns, err := d.client.Gen2Connections(ctx)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range conns {
		d.index.connections[strings.ToLower(c.Name)] = c.ConnectionID
	}
	return nil
}

func (d *Driver) connectionID(name string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.index.connections[strings.ToLower(name)]
}
