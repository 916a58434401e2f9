// Package driver connects to a Honua target and picks the driver for its
// generation: Generation 1 (the declarative /api/v1/admin control plane) is
// driven by package gen1; Generation 2 ("Metadata v2") gets a clear message
// until its driver exists.
package driver

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/driver/gen1"
	"github.com/honua-io/honua-gitops/internal/honua"
)

// Target says how to reach one Honua instance.
type Target struct {
	// Name is the target's name in honua-gitops.yaml (or its URL).
	Name string
	URL  string
	// Credential is the API key or token; Auth says how it is sent.
	Credential string
	Auth       honua.AuthType
	CAFile     string
	UserAgent  string
}

// UnsupportedGenerationError is returned for servers no driver handles yet.
type UnsupportedGenerationError struct {
	Target     string
	Generation honua.Generation
	Version    string
}

func (e *UnsupportedGenerationError) Error() string {
	return fmt.Sprintf("%s is a %s server (metadata API %s); this version of honua-gitops drives Generation 1 servers only — the Generation 2 driver is planned",
		e.Target, e.Generation, e.Version)
}

// Connection is an open target: its client, capabilities and driver.
type Connection struct {
	Client       *honua.Client
	Capabilities *honua.Capabilities
	Driver       apply.Driver
}

// Open reads the target's capabilities and returns the driver for its
// generation.
func Open(ctx context.Context, t Target, log *slog.Logger) (*Connection, error) {
	c, err := honua.New(honua.Config{BaseURL: t.URL, Credential: t.Credential, Auth: t.Auth, CAFile: t.CAFile, UserAgent: t.UserAgent, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", t.Name, err)
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", t.Name, err)
	}
	switch caps.Generation {
	case honua.Generation1:
		return &Connection{Client: c, Capabilities: caps, Driver: gen1.New(c, caps, t.Name, log)}, nil
	default:
		return nil, &UnsupportedGenerationError{Target: t.Name, Generation: caps.Generation, Version: caps.MetadataAPIVersion}
	}
}
