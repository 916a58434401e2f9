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
		return d.restoreStyle(ctx, op)
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
	live, found, err := d.client.Gen2Style(ctx, layer)
	if err != nil {
		return nil, fmt.Errorf("read the style of layer %s: %w", layer, err)
	}
	if found && sameStyle(want, live, lr.id) {
		return nil, nil
	}
	if found {
		savePrior(ctx, priorStyle, live)
	} else {
		savePrior(ctx, priorStyle, nil)
	}
	err = d.write(ctx, "PUT /ogc/styles/"+layer,
		func(ctx context.Context) error { return d.client.Gen2PutStyle(ctx, layer, want) }, same)
	if err != nil {
		return nil, err
	}
	return []string{"OGC style"}, nil
}

// restoreStyle is the delete of a layer's default style, which Generation
// 2 cannot make: in a rollback whose Restore holds the style's prior
// stylesheet it is written back; when the layer had none, the style stays
// (nothing can remove it). Either way the style is handed back to the
// server, no longer recorded.
func (d *Driver) restoreStyle(ctx context.Context, op apply.Operation) ([]string, error) {
	prior, ok := priorOf(op.Restore, priorStyle)
	if !ok {
		return nil, fmt.Errorf("generation 2 cannot remove a layer's default style")
	}
	_, layer := d.layerNamed(op.Live.Resource, "layerId")
	want, _ := prior.(map[string]any)
	rec := recordOf(ctx)
	if want == nil {
		d.release(op.ID)
		rec.note = "Generation 2 cannot remove a layer's default style and the layer had none before: the style stays on the server, no longer managed"
		return nil, nil
	}
	same := func(ctx context.Context) (bool, error) {
		live, found, err := d.client.Gen2Style(ctx, layer)
		return err == nil && found && !differs(want, live), err
	}
	live, found, err := d.client.Gen2Style(ctx, layer)
	if err != nil {
		return nil, fmt.Errorf("read the style of layer %s: %w", layer, err)
	}
	if !found || differs(want, live) {
		if found {
			savePrior(ctx, priorStyle, live)
		} else {
			savePrior(ctx, priorStyle, nil)
		}
		if err := d.write(ctx, "PUT /ogc/styles/"+layer+" (restore)",
			func(ctx context.Context) error { return d.client.Gen2PutStyle(ctx, layer, want) }, same); err != nil {
			return nil, err
		}
	}
	d.release(op.ID)
	rec.note = "Generation 2 cannot remove a layer's default style: restored the stylesheet it had before, no longer managed"
	return []string{"OGC style"}, nil
}
