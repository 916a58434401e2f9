package state

import (
	"context"
	"fmt"

	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/snapshot"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// Branch reads recorded state from the state branch, where deployments
// record it.
type Branch struct {
	Store *statebranch.Store
	// Name is the branch name, for messages.
	Name string
}

// Recorded reads the environment's snapshot at the branch tip; nothing
// recorded yet (or no branch) is empty state.
func (b Branch) Recorded(ctx context.Context, env string) (*snapshot.Snapshot, plan.RecordedState, error) {
	st := plan.RecordedState{Source: "state branch " + b.Name}
	view, err := b.Store.Read(ctx)
	if err != nil {
		return nil, st, fmt.Errorf("read state branch %s: %w", b.Name, err)
	}
	if !view.Tip.IsZero() {
		st.Revision = view.Tip.String()
	}
	s, err := deploy.ReadSnapshot(view, env)
	if err != nil {
		return nil, st, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return s, st, nil
}

// Latest returns the environment's newest deployment, if any.
func (b Branch) Latest(ctx context.Context, env string) (deploy.Summary, bool, error) {
	view, err := b.Store.Read(ctx)
	if err != nil {
		return deploy.Summary{}, false, fmt.Errorf("read state branch %s: %w", b.Name, err)
	}
	ix, err := deploy.ReadIndex(view, env)
	if err != nil {
		return deploy.Summary{}, false, err
	}
	s, ok := ix.Latest()
	return s, ok, nil
}

// baselineDepth bounds how many recent deployments are searched for a
// baseline of unowned facets.
const baselineDepth = 20

// UnownedBaseline returns the fingerprints of the facets the repository
// does not own, as the newest of the environment's recent deployments that
// recorded them for target left them (Generation 2 targets), and that
// deployment's id; nil when none did.
func (b Branch) UnownedBaseline(ctx context.Context, env, target string) (map[string]map[string]string, string, error) {
	view, err := b.Store.Read(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("read state branch %s: %w", b.Name, err)
	}
	recent, err := deploy.ReadRecentN(view, env, baselineDepth)
	if err != nil {
		return nil, "", err
	}
	for _, s := range recent {
		d, ok, err := deploy.ReadRecord(view, env, s.ID)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			continue
		}
		for _, t := range d.Targets {
			if t.Name == target && t.Unowned != nil {
				return t.Unowned, d.ID, nil
			}
		}
	}
	return nil, "", nil
}
