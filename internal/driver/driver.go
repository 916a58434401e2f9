// Package driver connects to a Honua target and picks the driver for its
// generation: Generation 1 (the declarative /api/v1/admin control plane) is
// driven by package gen1, Generation 2 ("Metadata v2", every current
// release) by package gen2.
package driver

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/driver/gen1"
	"github.com/honua-io/honua-gitops/internal/driver/gen2"
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
	// MetadataEnvironment is the Generation 2 metadata environment to
	// write; "" means the server's own.
	MetadataEnvironment string
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
	case honua.Generation2:
		env := t.MetadataEnvironment
		if env == "" {
			if env, err = c.Gen2Environment(ctx); err != nil {
				return nil, fmt.Errorf("target %s: read the server's metadata environment: %w", t.Name, err)
			}
		}
		return &Connection{Client: c, Capabilities: caps, Driver: gen2.New(c, caps, t.Name, env, log)}, nil
	default:
		// Capabilities refuses a document naming no known generation.
		return nil, fmt.Errorf("target %s: %s is not a generation this version drives", t.Name, caps.Generation)
	}
}
