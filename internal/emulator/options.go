package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Edition is the Honua edition the emulator presents (ADR-0024).
type Edition string

// Editions.
const (
	// EditionEnterprise serves manifest apply, drift, versions and approvals.
	EditionEnterprise Edition = "enterprise"
	// EditionCommunity gates those routes and reports them as unsupported
	// in the capabilities document.
	EditionCommunity Edition = "community"
)

// ParseEdition parses "community" or "enterprise".
func ParseEdition(s string) (Edition, error) {
	switch e := Edition(s); e {
	case EditionEnterprise, EditionCommunity:
		return e, nil
	}
	return "", fmt.Errorf("edition %q: want community or enterprise", s)
}

// Defaults used when the matching Options field is zero.
const (
	DefaultServerVersion   = "2026.3.0"
	DefaultGatingStatus    = http.StatusPaymentRequired
	DefaultApprovalTimeout = 24 * time.Hour
	DefaultListenAddress   = "127.0.0.1:0"
)

// Options configure a Server. Only APIKey is required.
type Options struct {
	// APIKey is the admin key clients send as X-API-Key or as a Bearer
	// token (Honua's HONUA_ADMIN_PASSWORD).
	APIKey string
	// Edition defaults to EditionEnterprise.
	Edition Edition
	// GatingStatus is the status community answers gated routes with:
	// 402 as ADR-0024 specifies (the default), or 403 as the code does.
	GatingStatus int
	// ServerVersion is reported by /version and /capabilities; it defaults
	// to DefaultServerVersion.
	ServerVersion string
	// StateFile, when set, is loaded at start and rewritten atomically
	// after every request that changed state.
	StateFile string
	// ApprovalTimeout is how long a pending change waits before it expires;
	// it defaults to DefaultApprovalTimeout.
	ApprovalTimeout time.Duration
	// Faults configures fault injection; the zero value injects nothing.
	Faults Faults
	// Logger receives request and error logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Listen is the address Start listens on; it defaults to
	// DefaultListenAddress. New ignores it.
	Listen string
	// Hooks are test seams; the zero value does nothing.
	Hooks Hooks
	// Generation is the Honua generation presented: 0 or 1 (Generation1)
	// serve the Generation 1 control plane; 2 (Generation2) impersonates a
	// Generation 2 ("Metadata v2") server for detection tests — capabilities
	// in the Generation 2 shape, and 404 on every manifest and
	// metadata/resources route.
	Generation int
	// Gen2Seed is the initial Generation 2 state (services, secure
	// connections with their tables, databases, published layers); nil is a stock
	// server with an empty graph at revision 1. It is ignored on
	// Generation 1, and when StateFile already exists.
	Gen2Seed *Gen2Seed
}

// Hooks are seams that let tests provoke timing-dependent behaviour
// deterministically.
type Hooks struct {
	// BeforeCommit, when set, runs after a write's precondition checks and
	// before it commits, outside the server's lock. A test can change the
	// resource from here to provoke the version race that a CRUD write
	// answers with 409 and an apply reports as a skip entry.
	BeforeCommit func(ctx context.Context, id Identity)
}

// withDefaults fills zero fields and validates the result.
func (o Options) withDefaults() (Options, error) {
	if o.APIKey == "" {
		return o, errors.New("an API key is required")
	}
	if o.Edition == "" {
		o.Edition = EditionEnterprise
	}
	if _, err := ParseEdition(string(o.Edition)); err != nil {
		return o, err
	}
	switch o.GatingStatus {
	case 0:
		o.GatingStatus = DefaultGatingStatus
	case http.StatusPaymentRequired, http.StatusForbidden:
	default:
		return o, fmt.Errorf("gating status %d: want 402 or 403", o.GatingStatus)
	}
	switch o.Generation {
	case 0:
		o.Generation = Generation1
	case Generation1, Generation2:
	default:
		return o, fmt.Errorf("generation %d: want 1 or 2", o.Generation)
	}
	if o.ServerVersion == "" {
		o.ServerVersion = DefaultServerVersion
		if o.Generation == Generation2 {
			o.ServerVersion = DefaultServerVersionV2
		}
	}
	if o.ApprovalTimeout <= 0 {
		o.ApprovalTimeout = DefaultApprovalTimeout
	}
	if err := o.Faults.Validate(); err != nil {
		return o, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Listen == "" {
		o.Listen = DefaultListenAddress
	}
	return o, nil
}
