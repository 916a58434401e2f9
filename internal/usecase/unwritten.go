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
	// Observe records Upsert as observed, not owned, instead (import
	// --observe); resources already owned stay owned.
	Observe bool
	// Adopt marks Upsert as adopted, not created, by the repository: the
	// server copies carry no ownership marks (an import writes nothing).
	Adopt bool
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
	var base, observed []*resource.Resource
	claimed, err := l.Claim(ctx, dep, ledger.ClaimPolicy{}, func(pos *ledger.Position, _ bool) (string, error) {
		base, observed = pos.Snapshot.Resources, pos.Snapshot.Observed
		return u.Claim, nil
	})
	if err != nil || claimed == nil {
		return nil, "", err
	}
	dep.Targets = u.Targets
	must(dep.Advance(deploy.Succeeded, u.Now(), u.Done))
	res := ledger.Result{Snapshot: upsert(base, u.Upsert), WriteSnapshot: true}
	if u.Adopt {
		for _, r := range u.Upsert {
			res.Adopt = append(res.Adopt, r.ID())
		}
	}
	if u.Observe {
		res = ledger.Result{Snapshot: base, WriteSnapshot: true, Observed: upsert(observed, notIn(u.Upsert, base)), ReplaceObserved: true}
	}
	commit, err := l.Record(ctx, dep, res)
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

// notIn is rs without the resources base holds.
func notIn(rs, base []*resource.Resource) []*resource.Resource {
	held := index(base)
	var out []*resource.Resource
	for _, r := range rs {
		if held[r.ID().Key()] == nil {
			out = append(out, r)
		}
	}
	return out
}
