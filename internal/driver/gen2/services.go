package gen2

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// applyService writes a service's protocols (a full replace) and the
// access policy members the repository sets (a merge: members left out
// keep their values). A service cannot be created or deleted on
// Generation 2; one the server lacks appears when its first layer is
// published, which Apply runs first.
func (d *Driver) applyService(ctx context.Context, op apply.Operation) ([]string, error) {
	name := op.ID.Name
	if op.Action == plan.Delete {
		return d.restoreService(ctx, op)
	}
	live := liveSpec(op)
	if op.Live == nil {
		s, err := d.client.Gen2ServiceSettings(ctx, name)
		if honua.IsNotFound(err) {
			return nil, fmt.Errorf("service %s does not exist on the server, and no layer published into it created it", name)
		}
		if err != nil {
			return nil, err
		}
		live = serviceSpec(s)
	}
	if op.Action == plan.Create && op.Live != nil {
		// Adopted: what the server held is saved whether or not a facet
		// changes, so that a rollback can hand the service back as found.
		savePrior(ctx, priorProtocols, live["protocols"])
		savePrior(ctx, priorAccessPolicy, live["accessPolicy"])
	}
	want := op.Desired.Spec
	var wrote []string
	if p, ok := want["protocols"]; ok && differs(p, live["protocols"]) {
		if err := d.putProtocols(ctx, name, p, live); err != nil {
			return wrote, err
		}
		wrote = append(wrote, "protocols")
	}
	if ap, ok := want["accessPolicy"].(map[string]any); ok {
		have, _ := live["accessPolicy"].(map[string]any)
		body := map[string]any{}
		for k, v := range ap {
			if differs(v, have[k]) {
				body[k] = v
			}
		}
		if len(body) > 0 {
			if err := d.putAccessPolicy(ctx, name, body, live); err != nil {
				return wrote, err
			}
			wrote = append(wrote, "access policy")
		}
	}
	return wrote, nil
}

// restoreService is the delete of a service, which Generation 2 cannot
// make: in a rollback whose Restore holds the service's prior protocols
// and access policy, it writes them back and hands the service back to
// the server (no longer recorded); otherwise it fails (Blockers stops such
// a plan before any write).
func (d *Driver) restoreService(ctx context.Context, op apply.Operation) ([]string, error) {
	if !restores("Service", op.Restore) {
		return nil, fmt.Errorf("generation 2 cannot delete a service")
	}
	name := op.ID.Name
	live := liveSpec(op)
	var wrote []string
	if p, ok := priorOf(op.Restore, priorProtocols); ok && len(strs(p)) > 0 && differs(p, live["protocols"]) {
		if err := d.putProtocols(ctx, name, p, live); err != nil {
			return wrote, err
		}
		wrote = append(wrote, "protocols")
	}
	if p, ok := priorOf(op.Restore, priorAccessPolicy); ok {
		want, _ := p.(map[string]any)
		have, _ := live["accessPolicy"].(map[string]any)
		if len(want) > 0 && differs(want, have) {
			// The access policy PUT merges, and a list replaces: sending
			// every member restores it exactly.
			if err := d.putAccessPolicy(ctx, name, want, live); err != nil {
				return wrote, err
			}
			wrote = append(wrote, "access policy")
		}
	}
	d.release(op.ID)
	rec := recordOf(ctx)
	switch {
	case len(wrote) == 0:
		rec.note = "Generation 2 cannot delete a service: it already holds its prior settings, and is no longer managed"
	default:
		rec.note = "Generation 2 cannot delete a service: restored its prior " + strings.Join(wrote, " and ") + ", and it is no longer managed"
	}
	return wrote, nil
}

// putProtocols replaces a service's protocols (p in the repository's or
// the server's spelling, as Representable left it).
func (d *Driver) putProtocols(ctx context.Context, name string, p any, live map[string]any) error {
	savePrior(ctx, priorProtocols, live["protocols"])
	names := strs(p)
	return d.write(ctx, "PUT protocols of service "+name,
		func(ctx context.Context) error { return d.client.Gen2PutServiceProtocols(ctx, name, names) },
		func(ctx context.Context) (bool, error) {
			s, err := d.client.Gen2ServiceSettings(ctx, name)
			return err == nil && !differs(p, serviceSpec(s)["protocols"]), err
		})
}

// putAccessPolicy merges body into a service's access policy.
func (d *Driver) putAccessPolicy(ctx context.Context, name string, body map[string]any, live map[string]any) error {
	savePrior(ctx, priorAccessPolicy, live["accessPolicy"])
	return d.write(ctx, "PUT access-policy of service "+name,
		func(ctx context.Context) error { return d.client.Gen2PutServiceAccessPolicy(ctx, name, body) },
		func(ctx context.Context) (bool, error) {
			s, err := d.client.Gen2ServiceSettings(ctx, name)
			if err != nil {
				return false, err
			}
			got, _ := serviceSpec(s)["accessPolicy"].(map[string]any)
			for k, v := range body {
				if differs(v, got[k]) {
					return false, nil
				}
			}
			return true, nil
		})
}

// serviceSpec is a service's settings in the repository's keys.
func serviceSpec(s *honua.Gen2ServiceSettings) map[string]any {
	names := slices.Clone(s.EnabledProtocols)
	slices.Sort(names)
	list := make([]any, 0, len(names))
	for _, n := range slices.Compact(names) {
		list = append(list, n)
	}
	return map[string]any{"protocols": list, "accessPolicy": normalized(s.AccessPolicy)}
}

// publishesInto reports whether a desired Layer publishes into service r.
func (d *Driver) publishesInto(r *resource.Resource) bool {
	if r == nil {
		return false
	}
	d.mu.Lock()
	x := d.index
	d.mu.Unlock()
	for _, l := range x.desired {
		if l.Kind == "Layer" && strings.EqualFold(layerService(l), r.Metadata.Name) {
			return true
		}
	}
	return false
}
