package cmdutil

import (
	"context"
	"log/slog"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// Connector opens targets with the driver for each server's generation.
func Connector(log *slog.Logger) usecase.Connector {
	return func(ctx context.Context, t driver.Target) (apply.Driver, error) {
		c, err := driver.Open(ctx, t, log)
		if err != nil {
			return nil, err
		}
		return c.Driver, nil
	}
}
