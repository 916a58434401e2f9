package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/snapshot"
)

// The state branch holds, per environment:
//
//	<env>/snapshot.json                     the last applied snapshot (secrets as placeholders)
//	<env>/index.json                        the count, the latest and the deployed (latest succeeded) deployment
//	<env>/recent.json                       the newest MaxRecent deployment summaries, newest first
//	<env>/claim.json                        present while a deployment holds the environment
//	<env>/hold.json                         present after a rollback, until the hold is released
//	<env>/deployments/<xx>/<id>.json        one record per deployment; xx = the id's last two hex digits
//
// Every lookup reads a fixed number of small trees and files: "latest" from
// the index, "last N" (N ≤ MaxRecent) from recent.json, "by id" from its
// path, so their cost does not grow with the number of deployments.

// MaxRecent bounds the summaries kept in an index.
const MaxRecent = 200

// SnapshotPath is where an environment's applied snapshot lives.
func SnapshotPath(env string) string { return env + "/snapshot.json" }

// IndexPath is where an environment's index lives.
func IndexPath(env string) string { return env + "/index.json" }

// RecentPath is where an environment's recent deployments are listed.
func RecentPath(env string) string { return env + "/recent.json" }

// ClaimPath is where an environment's claim lives.
func ClaimPath(env string) string { return env + "/claim.json" }

// RecordPath is where a deployment record lives.
func RecordPath(env, id string) string {
	return env + "/deployments/" + id[len(id)-2:] + "/" + id + ".json"
}

// Summary is a deployment as the index lists it.
type Summary struct {
	ID           string       `json:"id"`
	Kind         Kind         `json:"kind"`
	Status       Status       `json:"status"`
	SourceCommit string       `json:"sourceCommit,omitempty"`
	PR           int          `json:"pr,omitempty"`
	PlanHash     string       `json:"planHash"`
	Changes      plan.Summary `json:"changes"`
	Actor        string       `json:"actor"`
	RollbackTo   string       `json:"rollbackTo,omitempty"`
	Snapshot     string       `json:"snapshot,omitempty"`
	// Generations maps each target reached to its control-plane
	// generation ("Generation 2").
	Generations map[string]string `json:"generations,omitempty"`
	StartedAt   time.Time         `json:"startedAt"`
	FinishedAt  time.Time         `json:"finishedAt,omitzero"`
}

// Generation names the generations of a deployment's targets, for a status
// line ("Generation 2"; "Generation 1, Generation 2" for a mixed
// environment; "" when none was recorded).
func (s *Summary) Generation() string {
	var gens []string
	for _, g := range s.Generations {
		if !slices.Contains(gens, g) {
			gens = append(gens, g)
		}
	}
	slices.Sort(gens)
	return strings.Join(gens, ", ")
}

// Summarize returns the index entry of a deployment.
func (d *Deployment) Summarize() Summary {
	return Summary{ID: d.ID, Kind: d.Kind, Status: d.Status, SourceCommit: d.Source.Commit, PR: d.Source.PR,
		PlanHash: d.Plan.Hash, Changes: d.Plan.Summary, Actor: d.Actor, RollbackTo: d.RollbackTo,
		Snapshot: d.Snapshot, Generations: generations(d.Targets), StartedAt: d.StartedAt, FinishedAt: d.FinishedAt}
}

func generations(targets []TargetResult) map[string]string {
	var out map[string]string
	for _, t := range targets {
		if t.Generation == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[t.Name] = t.Generation
	}
	return out
}

// Index is an environment's position: how many deployments it had, the
// newest one, and the newest that succeeded (what runs now).
type Index struct {
	FormatVersion int      `json:"formatVersion"`
	Environment   string   `json:"environment"`
	Count         int      `json:"count"`
	Last          *Summary `json:"latest,omitempty"`
	Deployed      *Summary `json:"deployed,omitempty"`
}

// Latest returns the newest deployment, if any.
func (ix *Index) Latest() (Summary, bool) {
	if ix == nil || ix.Last == nil {
		return Summary{}, false
	}
	return *ix.Last, true
}

// Recent lists an environment's newest deployments, newest first, in the
// order their commits landed on the branch (the true order, even when
// clocks disagree).
type Recent struct {
	FormatVersion int       `json:"formatVersion"`
	Environment   string    `json:"environment"`
	Deployments   []Summary `json:"deployments"`
}

// Put records a new or updated deployment in the index and the recent list.
// An update replaces the entry in place, except that a deployment which
// starts applying (one that awaited approval) moves to the front: the list
// is in the order deployments took the environment.
func Put(ix *Index, rc *Recent, s Summary) {
	if i := slices.IndexFunc(rc.Deployments, func(x Summary) bool { return x.ID == s.ID }); i >= 0 {
		rc.Deployments[i] = s
		if s.Status == Applying && i > 0 {
			rc.Deployments = slices.Insert(slices.Delete(rc.Deployments, i, i+1), 0, s)
		}
	} else {
		ix.Count++
		rc.Deployments = slices.Insert(rc.Deployments, 0, s)
		if len(rc.Deployments) > MaxRecent {
			rc.Deployments = rc.Deployments[:MaxRecent]
		}
	}
	if ix.Last == nil || ix.Last.ID == s.ID || rc.Deployments[0].ID == s.ID {
		c := s
		ix.Last = &c
	}
	if s.Status == Succeeded {
		c := s
		ix.Deployed = &c
	}
}

// Claim marks an environment as held by a running deployment.
type Claim struct {
	FormatVersion int    `json:"formatVersion"`
	Deployment    string `json:"deployment"`
	Actor         string `json:"actor"`
	RunURL        string `json:"runUrl,omitempty"`
	// Repository and RunID name the GitHub Actions run that holds the claim,
	// so another run can ask GitHub whether it is still in progress.
	Repository string    `json:"repository,omitempty"`
	RunID      int64     `json:"runId,omitempty"`
	ClaimedAt  time.Time `json:"claimedAt"`
	// ExpiresAt is the claimer's own timeout, for people reading the file;
	// staleness is decided by the reader's timeout (see Stale).
	ExpiresAt time.Time `json:"expiresAt"`
}

// Age is how long the claim has been held.
func (c *Claim) Age(now time.Time) time.Duration { return now.Sub(c.ClaimedAt) }

// Stale reports whether the claim is older than the reader's timeout. The
// reader's, not the claimer's: a run that claimed with a long timeout and
// died must not lock out the person who says how long is too long.
func (c *Claim) Stale(now time.Time, timeout time.Duration) bool { return c.Age(now) > timeout }

// Files reads files at one state-branch revision.
type Files interface {
	File(path string) ([]byte, bool, error)
}

// ReadIndex reads an environment's index; none yet is an empty index.
func ReadIndex(f Files, env string) (*Index, error) {
	ix := &Index{FormatVersion: FormatVersion, Environment: env}
	if err := readJSON(f, IndexPath(env), ix); err != nil && err != errAbsent {
		return nil, err
	}
	return ix, nil
}

// ReadRecent reads an environment's recent deployments; none yet is empty.
func ReadRecent(f Files, env string) (*Recent, error) {
	rc := &Recent{FormatVersion: FormatVersion, Environment: env, Deployments: []Summary{}}
	if err := readJSON(f, RecentPath(env), rc); err != nil && err != errAbsent {
		return nil, err
	}
	return rc, nil
}

// ReadRecentN reads only the newest n summaries, decoding the list as a
// stream and stopping there, so "last N" costs the same however long the
// list is.
func ReadRecentN(f Files, env string, n int) ([]Summary, error) {
	data, ok, err := f.File(RecentPath(env))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", RecentPath(env), err)
	}
	out := []Summary{}
	if !ok {
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	bad := func(err error) error {
		return fmt.Errorf("%s on the state branch is not valid: %w", RecentPath(env), err)
	}
	if _, err := dec.Token(); err != nil { // {
		return nil, bad(err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, bad(err)
		}
		if key != "deployments" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, bad(err)
			}
			continue
		}
		if _, err := dec.Token(); err != nil { // [
			return nil, bad(err)
		}
		for len(out) < n && dec.More() {
			var s Summary
			if err := dec.Decode(&s); err != nil {
				return nil, bad(err)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return out, nil
}

// ReadRecord reads one deployment; ok is false when there is none.
func ReadRecord(f Files, env, id string) (*Deployment, bool, error) {
	if !ValidID(id) {
		return nil, false, fmt.Errorf("%q is not a deployment id (they look like 20261129T064512345Z-3fa9c2)", id)
	}
	var d Deployment
	switch err := readJSON(f, RecordPath(env, id), &d); err {
	case nil:
		return &d, true, nil
	case errAbsent:
		return nil, false, nil
	default:
		return nil, false, err
	}
}

// ReadClaim reads an environment's claim, nil when unclaimed.
func ReadClaim(f Files, env string) (*Claim, error) {
	var c Claim
	switch err := readJSON(f, ClaimPath(env), &c); err {
	case nil:
		return &c, nil
	case errAbsent:
		return nil, nil
	default:
		return nil, err
	}
}

// ReadSnapshot reads an environment's applied snapshot; none yet is empty.
func ReadSnapshot(f Files, env string) (*snapshot.Snapshot, error) {
	data, ok, err := f.File(SnapshotPath(env))
	if err != nil {
		return nil, err
	}
	if !ok {
		return snapshot.New(env, nil), nil
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SnapshotPath(env), err)
	}
	return s, nil
}

var errAbsent = fmt.Errorf("absent")

func readJSON(f Files, path string, v any) error {
	data, ok, err := f.File(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if !ok {
		return errAbsent
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s on the state branch is not valid: %w", path, err)
	}
	return nil
}

// Encode renders a record, index or claim as the state branch stores it.
func Encode(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
