package gen2

import (
	"context"
	"fmt"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
)

// applyStyle writes a layer's OGC style when the server's differs from
// what it makes of the repository's (its MapLibre normalisation).
func (d *Driver) applyStyle(ctx context.Context, op apply.Operation) ([]string, error) {
	if op.Action == plan.Delete {
		return nil, fmt.Errorf("generation 2 cannot remove a layer's default style")
	}
	lr, layer := d.layerNamed(op.Desired, "layerId")
	if lr == nil {
		return nil, fmt.Errorf("layer %q is not published on the server, so it cannot be styled", layer)
	}
	want, _ := op.Desired.Spec["style"].(map[string]any)
	same := func(ctx context.Context) (bool, error) {
		live, found, err := d.client.Gen2Style(ctx, layer)
		return err == nil && found && sameStyle(want, live, lr.id), err
	}
	if ok, err := same(ctx); err != nil {
		return nil, fmt.Errorf("read the style of layer %s: %w", layer, err)
	} else if ok {
		return nil, nil
	}
	err := d.write(ctx, "PUT /ogc/styles/"+layer,
		func(ctx context.Context) error { return d.client.Gen2PutStyle(ctx, layer, want) }, same)
	if err != nil {
		return nil, err
	}
	return []string{"OGC style"}, nil
}
