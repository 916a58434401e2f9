package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/snapshot"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// Result is what a finished deployment leaves.
type Result struct {
	// Snapshot is the state to record: exactly what landed. Nil leaves the
	// recorded snapshot as it is (a refusal, or nothing landed).
	Snapshot []*resource.Resource
	// WriteSnapshot is set when Snapshot differs from what is recorded, or
	// nothing was recorded before.
	WriteSnapshot bool
	// Observed, with ReplaceObserved, replaces the snapshot's observed
	// resources (import --observe). Without it the observed resources
	// recorded before are kept, less those Snapshot now owns: an apply
	// never drops what was observed, and adopting one moves it.
	Observed        []*resource.Resource
	ReplaceObserved bool
	// Adopt marks these resources of Snapshot as adopted by import
	// (snapshot.Snapshot.Adopted); marks recorded before are kept for the
	// resources Snapshot still holds.
	Adopt []resource.Identity
	// Hold, when set, is written to <env>/hold.json in the same commit as
	// the record (a rollback holding the environment).
	Hold *deploy.Hold
}

// adoptedAfter is the adopted set a result leaves.
func adoptedAfter(before map[resource.Identity]bool, res Result) map[resource.Identity]bool {
	out := map[resource.Identity]bool{}
	for _, r := range res.Snapshot {
		if before[r.ID().Key()] {
			out[r.ID().Key()] = true
		}
	}
	for _, id := range res.Adopt {
		out[id.Key()] = true
	}
	return out
}

// observedAfter is the observed set a result leaves.
func observedAfter(before []*resource.Resource, res Result) []*resource.Resource {
	if res.ReplaceObserved {
		return res.Observed
	}
	owned := make(map[resource.Identity]bool, len(res.Snapshot))
	for _, r := range res.Snapshot {
		owned[r.ID().Key()] = true
	}
	var out []*resource.Resource
	for _, r := range before {
		if !owned[r.ID().Key()] {
			out = append(out, r)
		}
	}
	return out
}

// Record writes the result commit for d, which must be in an end state:
// the record, the index, the snapshot when given, and the claim released
// when d holds it. It retries on a moved branch (the environment is ours or
// the record is new, so rebuilding the same changes on the new tip is
// always right), and it runs on a context of its own, bounded by
// RecordTimeout, so that a cancelled run still records and releases.
func (l *Ledger) Record(ctx context.Context, d *deploy.Deployment, res Result) (string, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.opts.RecordTimeout)
	defer cancel()
	env := d.Environment
	var snap []byte
	for attempt := 1; ; attempt++ {
		pos, err := l.Position(ctx, env)
		if err != nil {
			return "", err
		}
		if res.WriteSnapshot && snap == nil {
			// The claim keeps the environment's snapshot as read: its
			// observed resources are those of the first read.
			s := snapshot.New(env, res.Snapshot)
			s.Observed = observedAfter(pos.Snapshot.Observed, res)
			s.Adopted = adoptedAfter(pos.Snapshot.Adopted, res)
			data, err := s.Marshal()
			if err != nil {
				return "", err
			}
			// Hash what will be committed (redacted), so the record names
			// the blob that is on the branch.
			snap = l.opts.Redact(data)
			d.Snapshot = l.branch.BlobHashOf(snap).String()
		}
		if d.Snapshot == "" {
			d.Snapshot = pos.SnapshotBlob
		}
		changes, err := recordChanges(pos.View, d)
		if err != nil {
			return "", err
		}
		if snap != nil {
			changes = append(changes, statebranch.Change{Path: deploy.SnapshotPath(env), Data: snap})
		}
		if pos.Claim != nil && pos.Claim.Deployment == d.ID {
			changes = append(changes, statebranch.Change{Path: deploy.ClaimPath(env), Delete: true})
		}
		tr := trailers(d, string(d.Status))
		if res.Hold != nil {
			data, err := encodeHold(res.Hold, env)
			if err != nil {
				return "", err
			}
			changes = append(changes, statebranch.Change{Path: deploy.HoldPath(env), Data: data})
			tr = append(tr, statebranch.Trailer{Key: "Honua-Hold", Value: "set"})
		}
		hash, err := l.commit(ctx, pos.View, statebranch.Commit{
			Subject: fmt.Sprintf("%s: %s %s %s", env, d.Kind, d.ID, d.Status), Body: lastMessage(d),
			Trailers: tr, Changes: changes})
		if errors.Is(err, statebranch.ErrConflict) && attempt < maxCommitAttempts {
			if err := l.opts.Sleep(ctx, backoff(attempt)); err != nil {
				return "", err
			}
			continue
		}
		if err != nil {
			return "", fmt.Errorf("record deployment %s on the state branch %s: %w (the servers were changed; the claim stays until it goes stale — take it over with `--take-over-stale-claim`)", d.ID, l.opts.Name, err)
		}
		return hash, nil
	}
}

// recordChanges writes records and puts them in the index and the recent
// list, in order.
func recordChanges(view *statebranch.View, records ...*deploy.Deployment) ([]statebranch.Change, error) {
	env := records[0].Environment
	ix, err := deploy.ReadIndex(view, env)
	if err != nil {
		return nil, err
	}
	rc, err := deploy.ReadRecent(view, env)
	if err != nil {
		return nil, err
	}
	var changes []statebranch.Change
	for _, d := range records {
		deploy.Put(ix, rc, d.Summarize())
		data, err := deploy.Encode(d)
		if err != nil {
			return nil, err
		}
		changes = append(changes, statebranch.Change{Path: deploy.RecordPath(env, d.ID), Data: data})
	}
	for path, v := range map[string]any{deploy.IndexPath(env): ix, deploy.RecentPath(env): rc} {
		data, err := deploy.Encode(v)
		if err != nil {
			return nil, err
		}
		changes = append(changes, statebranch.Change{Path: path, Data: data})
	}
	return changes, nil
}

// trailers are the git trailers of a deployment commit.
func trailers(d *deploy.Deployment, result string) []statebranch.Trailer {
	t := []statebranch.Trailer{
		{Key: "Honua-Environment", Value: d.Environment},
		{Key: "Honua-Deployment", Value: d.ID},
		{Key: "Honua-Kind", Value: string(d.Kind)},
	}
	add := func(k, v string) {
		if v = oneLine(v); v != "" {
			t = append(t, statebranch.Trailer{Key: k, Value: v})
		}
	}
	add("Honua-Source-Commit", d.Source.Commit)
	if d.Dirty {
		add("Honua-Source-Dirty", "true")
		add("Honua-Source-Diff", d.DirtyHash)
	}
	if d.Source.PR > 0 {
		add("Honua-PR", fmt.Sprint(d.Source.PR))
	}
	add("Honua-Plan-Hash", d.Plan.Hash)
	add("Honua-Actor", d.Actor)
	add("Honua-Approvers", strings.Join(d.Approvers, ", "))
	add("Honua-Run-Url", d.RunURL)
	add("Honua-Rollback-To", d.RollbackTo)
	if o := d.PolicyOverride; o != nil {
		add("Honua-Policy-Override", o.Reason)
		add("Honua-Policy-Overrode", strings.Join(o.Rules, ", "))
	}
	add("Honua-Result", result)
	return t
}

func lastMessage(d *deploy.Deployment) string {
	if n := len(d.Transitions); n > 0 {
		return d.Transitions[n-1].Message
	}
	return ""
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func readErr(name string, err error) error {
	return fmt.Errorf("read state branch %s: %w", name, err)
}
