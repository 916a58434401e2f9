// Package gen1 drives a Generation 1 Honua server: the declarative
// /api/v1/admin control plane with manifest apply (Enterprise) and
// per-resource CRUD with ETags (every edition).
package gen1

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Client is what the driver needs of the Honua client.
type Client interface {
	ExportManifest(ctx context.Context, namespace string) (*honua.Manifest, error)
	ListResources(ctx context.Context, kind, namespace string) ([]honua.Object, error)
	GetResource(ctx context.Context, id resource.Identity) (*honua.Object, error)
	CreateResource(ctx context.Context, r *resource.Resource) (*honua.Object, error)
	UpdateResource(ctx context.Context, r *resource.Resource, ifMatch string) (*honua.Object, error)
	DeleteResource(ctx context.Context, id resource.Identity, ifMatch string) error
	ApplyManifest(ctx context.Context, req honua.ApplyRequest) (*honua.ApplyResult, error)
	WaitReady(ctx context.Context, timeout, interval time.Duration) error
}

var _ Client = (*honua.Client)(nil)

// Driver implements apply.Driver for one Generation 1 target.
type Driver struct {
	client Client
	caps   *honua.Capabilities
	name   string
	log    *slog.Logger
	// writeAttempts bounds retries of a write whose outcome is unknown.
	writeAttempts int
	backoff       func(ctx context.Context, attempt int) error
}

var _ apply.Driver = (*Driver)(nil)

// New returns a driver for a target whose capabilities were read.
func New(client Client, caps *honua.Capabilities, name string, log *slog.Logger) *Driver {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Driver{client: client, caps: caps, name: name, log: log, writeAttempts: 3, backoff: sleepBackoff}
}

// Generation names the control plane this driver speaks.
func (d *Driver) Generation() string { return "Generation 1" }

// Describe names the target.
func (d *Driver) Describe() string {
	return fmt.Sprintf("%s (Honua %s, Generation 1)", d.name, d.caps.ServerVersion)
}

// Live reads every resource: the manifest export when the server offers it
// (one call), the resource list otherwise. The client retries reads on
// transient errors (bounded, with backoff); the driver adds no retry loop of
// its own, so attempts never multiply.
func (d *Driver) Live(ctx context.Context, _ apply.Scope) ([]apply.LiveObject, error) {
	var objs []honua.Object
	if d.caps.Features.ManifestExport {
		m, err := d.client.ExportManifest(ctx, "")
		switch {
		case err == nil:
			objs = m.Objects
		case honua.IsFeatureUnavailable(err):
			d.log.Info("manifest export unavailable; listing resources", "target", d.name, "error", err)
		default:
			return nil, err
		}
	}
	if objs == nil {
		list, err := d.client.ListResources(ctx, "", "")
		if err != nil {
			return nil, err
		}
		objs = list
	}
	out := make([]apply.LiveObject, 0, len(objs))
	for _, o := range objs {
		out = append(out, liveObject(o))
	}
	return out, nil
}

func liveObject(o honua.Object) apply.LiveObject {
	return apply.LiveObject{
		Resource:        o.Resource,
		Managed:         o.Annotations[resource.AnnotationManagedBy] == resource.ManagedByValue,
		Environment:     o.Annotations[resource.AnnotationEnvironment],
		ResourceVersion: o.ResourceVersion,
		ETag:            o.ETag,
	}
}

// WaitReady polls /healthz/ready.
func (d *Driver) WaitReady(ctx context.Context, timeout time.Duration) error {
	return d.client.WaitReady(ctx, timeout, 250*time.Millisecond)
}

// Apply writes ops with the chosen strategy.
func (d *Driver) Apply(ctx context.Context, ops []apply.Operation, opts apply.Options) []apply.Result {
	strategy := opts.Strategy
	if strategy == "" || strategy == apply.StrategyAuto {
		strategy = apply.StrategyResources
		if d.caps.Features.ManifestApply {
			strategy = apply.StrategyManifest
		}
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	r := &run{opts: opts}
	if strategy == apply.StrategyManifest {
		return d.applyManifest(ctx, ops, r)
	}
	return d.applyResources(ctx, ops, r)
}

// run is one Apply call: its options and the serialised progress report.
type run struct {
	opts apply.Options
	mu   sync.Mutex
}

// done reports one operation's final result to Progress. Writes finish
// concurrently, so calls are serialised here.
func (r *run) done(res apply.Result) apply.Result {
	if r.opts.Progress != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.opts.Progress(res)
	}
	return res
}

// interrupted reports whether no new write may start: Stop is closed or
// ctx has ended.
func (r *run) interrupted(ctx context.Context) bool {
	return r.opts.Stopped() || ctx.Err() != nil
}

func sleepBackoff(ctx context.Context, attempt int) error {
	t := time.NewTimer(time.Duration(attempt*attempt) * 100 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
