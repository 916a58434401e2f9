package usecase

import (
	"context"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/snapshot"
)

// EnvironmentStatus is where one environment stands.
type EnvironmentStatus struct {
	Environment string `json:"environment"`
	// Deployed is the newest deployment that succeeded: what runs now.
	Deployed *deploy.Summary `json:"deployed,omitempty"`
	// Latest is the newest deployment, whatever its result.
	Latest *deploy.Summary `json:"latest,omitempty"`
	// Claim is set while a deployment holds the environment.
	Claim *deploy.Claim `json:"claim,omitempty"`
	// DefaultBranch and Ahead: how many commits the default branch is
	// past the deployed commit (-1: unknown).
	DefaultBranch string `json:"defaultBranch,omitempty"`
	Ahead         int    `json:"ahead"`
	// Drift counts drifted resources per target; DriftNote says why it was
	// not checked.
	Drift     map[string]int `json:"drift,omitempty"`
	DriftNote string         `json:"driftNote,omitempty"`
	Count     int            `json:"deployments"`
}

// RolledBack reports whether the environment's current state came from a
// rollback.
func (s EnvironmentStatus) RolledBack() bool {
	return s.Deployed != nil && s.Deployed.Kind == deploy.KindRollback
}

// Status reads each environment's position from the state branch. ahead
// counts the default branch's commits after a deployed commit.
func Status(ctx context.Context, branch StateBranch, envs []string, ahead func(commit string) (string, int)) ([]EnvironmentStatus, error) {
	view, err := branch.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("read state branch: %w", err)
	}
	out := make([]EnvironmentStatus, 0, len(envs))
	for _, env := range envs {
		ix, err := deploy.ReadIndex(view, env)
		if err != nil {
			return nil, err
		}
		st := EnvironmentStatus{Environment: env, Ahead: -1, Count: ix.Count}
		st.Latest, st.Deployed = ix.Last, ix.Deployed
		if st.Claim, err = deploy.ReadClaim(view, env); err != nil {
			return nil, err
		}
		if st.Deployed != nil && st.Deployed.SourceCommit != "" && ahead != nil {
			st.DefaultBranch, st.Ahead = ahead(st.Deployed.SourceCommit)
		}
		out = append(out, st)
	}
	return out, nil
}

// Deployments returns an environment's newest deployments, newest first.
func Deployments(ctx context.Context, branch StateBranch, env string, limit int) ([]deploy.Summary, int, error) {
	if limit < 1 || limit > deploy.MaxRecent {
		return nil, 0, app.FlagErrorf("`--limit` must be between 1 and %d", deploy.MaxRecent)
	}
	view, err := branch.Read(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("read state branch: %w", err)
	}
	ix, err := deploy.ReadIndex(view, env)
	if err != nil {
		return nil, 0, err
	}
	list, err := deploy.ReadRecentN(view, env, limit)
	if err != nil {
		return nil, 0, err
	}
	return list, ix.Count, nil
}

// FindDeployment reads a deployment by id from whichever environment has it.
func FindDeployment(ctx context.Context, branch StateBranch, envs []string, id string) (*deploy.Deployment, error) {
	if !deploy.ValidID(id) {
		return nil, app.FlagErrorf("%q is not a deployment id (they look like 20261129T064512345Z-3fa9c2; list them with `honua-gitops deployments`)", id)
	}
	view, err := branch.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("read state branch: %w", err)
	}
	for _, env := range envs {
		d, ok, err := deploy.ReadRecord(view, env, id)
		if err != nil {
			return nil, err
		}
		if ok {
			return d, nil
		}
	}
	return nil, &app.InputError{Err: fmt.Errorf("no deployment %s in %v on the state branch", id, envs)}
}

// RollbackTarget picks the deployment a rollback returns to — by id, or
// steps states back — and reads the snapshot it left.
//
// Steps count back from the snapshot recorded now, through the states
// deployments left: a deployment that left the snapshot unchanged (a drift
// repair, a refusal, a failure that landed nothing) is not a step, and a
// failed deployment that landed writes is one (its state is what ran). The
// dispatch's "previous" is --steps 1.
func RollbackTarget(ctx context.Context, branch StateBranch, env, to string, steps int) (*deploy.Summary, []*resource.Resource, error) {
	view, err := branch.Read(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read state branch: %w", err)
	}
	rc, err := deploy.ReadRecent(view, env)
	if err != nil {
		return nil, nil, err
	}
	var target *deploy.Summary
	if to != "" {
		d, ok, err := deploy.ReadRecord(view, env, to)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, &app.InputError{Err: fmt.Errorf("no deployment %s in environment %s", to, env)}
		}
		s := d.Summarize()
		target = &s
	} else {
		if steps < 1 {
			return nil, nil, app.FlagErrorf("`--steps` must be 1 or more")
		}
		current := ""
		if h, ok, err := view.BlobHash(deploy.SnapshotPath(env)); err != nil {
			return nil, nil, err
		} else if ok {
			current = h.String()
		}
		seen, state := 0, current
		for i := range rc.Deployments {
			s := rc.Deployments[i]
			if s.Snapshot == "" || s.Snapshot == state || !leftState(s.Status) {
				continue
			}
			seen++
			state = s.Snapshot
			if seen == steps {
				target = &s
				break
			}
		}
		if target == nil {
			return nil, nil, &app.InputError{Err: fmt.Errorf("environment %s has no state %d steps back: its recent history holds %d earlier state(s) (list them with `honua-gitops deployments --env %s`)", env, steps, seen, env)}
		}
	}
	if target.Snapshot == "" || !leftState(target.Status) {
		return nil, nil, &app.InputError{Err: fmt.Errorf("deployment %s (%s) left no state to return to; pick one that succeeded (`honua-gitops deployments --env %s`)", target.ID, target.Status, env)}
	}
	data, err := branch.Blob(ctx, plumbing.NewHash(target.Snapshot))
	if err != nil {
		return nil, nil, fmt.Errorf("read the snapshot of deployment %s: %w", target.ID, err)
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot of deployment %s: %w", target.ID, err)
	}
	return target, s.Resources, nil
}

// leftState reports statuses whose recorded snapshot is a state the
// environment was in: what the deployment landed. A deployment still
// applying, or abandoned, recorded none of its own.
func leftState(s deploy.Status) bool {
	switch s {
	case deploy.Succeeded, deploy.Failed, deploy.RolledBack, deploy.Interrupted:
		return true
	}
	return false
}

// Age renders how long ago t was, coarsely, for tables.
func Age(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "-"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// RollbackPriors collects what the server held before the deployments a
// rollback to deployment to undoes wrote: the Prior values of their
// journals, by target name and resource, oldest deployment first. A driver
// that keeps no per-facet state records none, and the map is empty.
func RollbackPriors(ctx context.Context, branch StateBranch, env, to string) (map[string]map[resource.Identity][]apply.Prior, error) {
	view, err := branch.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("read state branch: %w", err)
	}
	rc, err := deploy.ReadRecent(view, env)
	if err != nil {
		return nil, err
	}
	// Recent lists newest first; the deployments to undo are those before
	// the target in that list.
	var undo []string
	for _, s := range rc.Deployments {
		if s.ID == to {
			break
		}
		undo = append(undo, s.ID)
	}
	out := map[string]map[resource.Identity][]apply.Prior{}
	for i := len(undo) - 1; i >= 0; i-- {
		d, ok, err := deploy.ReadRecord(view, env, undo[i])
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		for _, t := range d.Targets {
			for id, ps := range apply.PriorsOf(t.Results) {
				if out[t.Name] == nil {
					out[t.Name] = map[resource.Identity][]apply.Prior{}
				}
				out[t.Name][id] = append(out[t.Name][id], ps...)
			}
		}
	}
	return out, nil
}
