// Package gen2 drives a Generation 2 ("Metadata v2") Honua server: every
// current Honua release. Generation 2 has no declarative apply; it is set
// facet by facet (service protocols and access policy, secure connections,
// layer publishing, the layer facets, OGC styles), every graph write is a
// new revision and nothing takes a precondition. So the driver reads only
// the facets the repository owns, compares canonical values, writes only
// real differences, re-reads the inventory before its first write, and
// after a failed write reads the facet back instead of writing again.
// mapping.md is the resource-to-facet table.
package gen2

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
	Gen2Inventory(ctx context.Context, env string) (*honua.Gen2Inventory, error)
	Gen2Services(ctx context.Context) ([]honua.Gen2ServiceSummary, error)
	Gen2ServiceSettings(ctx context.Context, name string) (*honua.Gen2ServiceSettings, error)
	Gen2PutServiceProtocols(ctx context.Context, name string, protocols []string) error
	Gen2PutServiceAccessPolicy(ctx context.Context, name string, policy map[string]any) error
	Gen2Connections(ctx context.Context) ([]honua.Gen2Connection, error)
	Gen2Connection(ctx context.Context, id string) (*honua.Gen2ConnectionDetail, error)
	Gen2CreateConnection(ctx context.Context, body map[string]any) (string, error)
	Gen2UpdateConnection(ctx context.Context, id string, body map[string]any) error
	Gen2DeleteConnection(ctx context.Context, id string) error
	Gen2Layers(ctx context.Context, connection, service string) ([]honua.Gen2Layer, error)
	Gen2PublishLayer(ctx context.Context, connection string, body map[string]any) (*honua.Gen2Layer, error)
	Gen2SetLayerEnabled(ctx context.Context, connection string, layerID int64, service string, enabled bool) error
	Gen2LayerFacet(ctx context.Context, layerID int64, facet string) (map[string]any, error)
	Gen2PutLayerFacet(ctx context.Context, layerID int64, facet string, body any) error
	Gen2PutRelationshipsBatch(ctx context.Context, layers []any) error
	Gen2Style(ctx context.Context, styleID string) (map[string]any, bool, error)
	Gen2PutStyle(ctx context.Context, styleID string, style map[string]any) error
	WaitReady(ctx context.Context, timeout, interval time.Duration) error
}

var _ Client = (*honua.Client)(nil)

// DefaultReadConcurrency bounds the reads a plan sends at once.
const DefaultReadConcurrency = 16

// Driver implements apply.Driver and apply.Surface for one Generation 2
// target.
type Driver struct {
	client Client
	caps   *honua.Capabilities
	name   string
	// env is the server's metadata environment (not the repository's
	// environment name).
	env  string
	log  *slog.Logger
	conc int

	mu sync.Mutex
	// baseline is the inventory version the first live read saw: before
	// its first write the driver checks that nobody else wrote since.
	baseline *honua.Gen2Inventory
	// wrote is set once a write was sent: from then on the inventory
	// moves because of this driver too.
	wrote bool
	// index is what the last live read resolved: connection ids, layer
	// ids, disabled layers.
	index *index
	// released are the resources whose delete restored their prior
	// values instead (Generation 2 cannot delete them): live reads that
	// do not desire them leave them out.
	released map[resource.Identity]bool
}

var (
	_ apply.Driver  = (*Driver)(nil)
	_ apply.Surface = (*Driver)(nil)
)

// New returns a driver for a target whose capabilities were read; env is
// its metadata environment.
func New(client Client, caps *honua.Capabilities, name, env string, log *slog.Logger) *Driver {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Driver{client: client, caps: caps, name: name, env: env, log: log, conc: DefaultReadConcurrency, index: newIndex()}
}

// SetReadConcurrency bounds concurrent reads (at least 1).
func (d *Driver) SetReadConcurrency(n int) { d.conc = max(1, n) }

// Describe names the target, its generation and metadata environment.
func (d *Driver) Describe() string {
	return fmt.Sprintf("%s (Honua %s, Generation 2, metadata environment %s)", d.name, d.caps.ServerVersion, d.env)
}

// Environment is the server's metadata environment the driver writes.
func (d *Driver) Environment() string { return d.env }

// WaitReady polls the server's readiness.
func (d *Driver) WaitReady(ctx context.Context, timeout time.Duration) error {
	return d.client.WaitReady(ctx, timeout, 0)
}
