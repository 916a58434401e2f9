package usecase_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/ledger"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

func TestReleaseHold(t *testing.T) {
	ctx := context.Background()
	s := guardBranch(t)
	_, _, err := usecase.ReleaseHold(ctx, s, "", "production", "bo", "", guardNow)
	var input *app.InputError
	require.ErrorAs(t, err, &input)
	assert.Contains(t, err.Error(), "environment production is not held")

	// A rollback that holds production.
	l := ledger.New(s, ledger.Options{Now: guardNow})
	d := deploy.New("20261201T120000000Z-bbbbbb", "production", deploy.KindRollback, guardT0)
	d.Actor, d.RollbackTo = "ana", "20261130T120000000Z-cccccc"
	require.NoError(t, d.Advance(deploy.Planning, guardT0, "planning"))
	_, err = l.Claim(ctx, d, ledger.ClaimPolicy{}, func(*ledger.Position, bool) (string, error) { return "claimed", nil })
	require.NoError(t, err)
	require.NoError(t, d.Advance(deploy.Succeeded, guardT0, "done"))
	hold := &deploy.Hold{Deployment: d.ID, RolledBack: "20261201T110000000Z-dddddd", Actor: "ana", At: guardT0}
	_, err = l.Record(ctx, d, ledger.Result{Hold: hold})
	require.NoError(t, err)
	g, err := usecase.ReadGuards(ctx, s, []string{"production"})
	require.NoError(t, err)
	require.NotNil(t, g["production"].Hold)
	assert.Equal(t, "held since 2026-12-01T12:00:00Z after rollback of deployment 20261201T110000000Z-dddddd by deployment "+d.ID+"; release with `honua-gitops release-hold --env production`",
		usecase.HoldMessage("production", g["production"].Hold))

	h, commit, err := usecase.ReleaseHold(ctx, s, "", "production", "bo", "fixed forward", guardNow)
	require.NoError(t, err)
	assert.NotEmpty(t, commit)
	assert.Equal(t, d.ID, h.Deployment)
	assert.Contains(t, usecase.HoldReleasedMessage("production", h), "Released the hold on production set by rollback deployment "+d.ID)
	g, err = usecase.ReadGuards(ctx, s, []string{"production"})
	require.NoError(t, err)
	assert.Nil(t, g["production"].Hold)
}
