package usecase

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/ledger"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// unwritten is a deployment that writes nothing to any server and only
// changes what is recorded: an import, an accepted drift, a merged
// adoption. It goes through the ledger like any deployment (claim, then
// record), so it never races an apply.
type unwritten struct {
	Environment string
	Kind        deploy.Kind
	Actor       string
	Source      deploy.Source
	Targets     []deploy.TargetResult
	// Upsert replaces or adds these resources in the recorded snapshot.
	Upsert []*resource.Resource
	// Start, Claim and Done are the deployment's log lines.
	Start, Claim, Done string
	Branch             StateBranch
	BranchName         string
	Now                func() time.Time
	Rand               io.Reader
	Log                *slog.Logger
}

// recordWithoutWrites records u on the state branch and returns the
// deployment and the state-branch commit.
func recordWithoutWrites(ctx context.Context, u unwritten) (*deploy.Deployment, string, error) {
	if u.Now == nil {
		u.Now = time.Now
	}
	id, err := deploy.NewID(u.Now(), u.Rand)
	if err != nil {
		return nil, "", err
	}
	dep := deploy.New(id, u.Environment, u.Kind, u.Now())
	dep.Actor, dep.Source = u.Actor, u.Source
	must(dep.Advance(deploy.Planning, u.Now(), u.Start))
	l := ledger.New(u.Branch, ledger.Options{Name: u.BranchName, Now: u.Now, Log: u.Log})
	var base []*resource.Resource
	claimed, err := l.Claim(ctx, dep, ledger.ClaimPolicy{}, func(pos *ledger.Position, _ bool) (string, error) {
		base = pos.Snapshot.Resources
		return u.Claim, nil
	})
	if err != nil || claimed == nil {
		return nil, "", err
	}
	dep.Targets = u.Targets
	must(dep.Advance(deploy.Succeeded, u.Now(), u.Done))
	commit, err := l.Record(ctx, dep, ledger.Result{Snapshot: upsert(base, u.Upsert), WriteSnapshot: true})
	if err != nil {
		return nil, "", err
	}
	return dep, commit, nil
}

// upsert is base with rs in place of the resources of the same identity.
func upsert(base, rs []*resource.Resource) []*resource.Resource {
	byID := map[resource.Identity]bool{}
	for _, r := range rs {
		byID[r.ID().Key()] = true
	}
	next := append([]*resource.Resource{}, rs...)
	for _, r := range base {
		if !byID[r.ID().Key()] {
			next = append(next, r)
		}
	}
	return next
}
