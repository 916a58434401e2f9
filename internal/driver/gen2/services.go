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
		return nil, fmt.Errorf("generation 2 cannot delete a service")
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
	want := op.Desired.Spec
	var wrote []string
	if p, ok := want["protocols"]; ok && differs(p, live["protocols"]) {
		names := strs(p)
		err := d.write(ctx, "PUT protocols of service "+name,
			func(ctx context.Context) error { return d.client.Gen2PutServiceProtocols(ctx, name, names) },
			func(ctx context.Context) (bool, error) {
				s, err := d.client.Gen2ServiceSettings(ctx, name)
				return err == nil && !differs(p, serviceSpec(s)["protocols"]), err
			})
		if err != nil {
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
			err := d.write(ctx, "PUT access-policy of service "+name,
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
			if err != nil {
				return wrote, err
			}
			wrote = append(wrote, "access policy")
		}
	}
	return wrote, nil
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
