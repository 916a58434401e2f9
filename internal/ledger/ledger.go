// Package ledger is the state-branch protocol of deployments, in one place:
// who holds an environment (the claim), what a deployment set out to do
// (the intent commit) and what it did (the result commit), when a claim is
// stale, how one is taken over, and what is recorded when a deployment is
// interrupted. The CLI and the GitHub Action both deploy through it; the
// Action only adds what GitHub knows (is the claiming run still alive?).
//
// The protocol, for one environment:
//
//  1. Read the branch. If another deployment's claim is there and not
//     stale, wait (saying so every few seconds), without spending the
//     compare-and-swap budget, up to the wait limit.
//  2. A stale claim (older than the reader's claim timeout, or held by a
//     run GitHub says has ended) is taken over only when asked; the dead
//     deployment's record is closed as abandoned in the same commit.
//  3. The caller decides on what it read (re-plan, compare with what was
//     reviewed); then the intent commit writes the record (applying) and
//     the claim, by compare-and-swap. A lost race re-reads from step 1.
//  4. The result commit writes the final record, the snapshot of exactly
//     what landed and releases the claim. It is written with a context of
//     its own, so an interrupted or cancelled run still records and
//     releases (see finish.go: what happens when a deployment is interrupted).
package ledger

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/snapshot"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// Branch is the git branch that records deployments (a *statebranch.Store).
type Branch interface {
	Read(ctx context.Context) (*statebranch.View, error)
	Commit(ctx context.Context, base *statebranch.View, c statebranch.Commit) (plumbing.Hash, error)
	Blob(ctx context.Context, h plumbing.Hash) ([]byte, error)
	BlobHashOf(data []byte) plumbing.Hash
}

// Options configure a Ledger.
type Options struct {
	// Name is the branch name, for messages ("honua-gitops/state").
	Name string
	Now  func() time.Time
	// Sleep waits; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *slog.Logger
	// Notice receives progress for people (who holds a claim, how long we
	// have waited); nil discards it. The CLI writes it to stderr.
	Notice func(msg string)
	// NoticeEvery is how often a wait is reported (default 5s).
	NoticeEvery time.Duration
	// PollEvery is how often a held claim is re-read (default 2s).
	PollEvery time.Duration
	// RecordTimeout bounds the result commit, which runs even after the
	// caller's context was cancelled (default 60s).
	RecordTimeout time.Duration
	// Redact masks secret values in everything committed (records, index,
	// claim, commit messages): a server error that echoes a resolved secret
	// must not reach git history. Nil commits as is.
	Redact func([]byte) []byte
}

// Ledger records deployments of environments on one state branch.
type Ledger struct {
	branch Branch
	opts   Options
}

// maxCommitAttempts bounds compare-and-swap retries of one commit; waiting
// for a claim does not count against it.
const maxCommitAttempts = 12

// New returns a ledger on branch.
func New(branch Branch, opts Options) *Ledger {
	if opts.Name == "" {
		opts.Name = statebranch.DefaultBranch
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Notice == nil {
		opts.Notice = func(string) {}
	}
	if opts.NoticeEvery <= 0 {
		opts.NoticeEvery = 5 * time.Second
	}
	if opts.PollEvery <= 0 {
		opts.PollEvery = 2 * time.Second
	}
	if opts.RecordTimeout <= 0 {
		opts.RecordTimeout = 60 * time.Second
	}
	if opts.Redact == nil {
		opts.Redact = func(b []byte) []byte { return b }
	}
	return &Ledger{branch: branch, opts: opts}
}

// Position is what one read of the state branch says about an environment.
type Position struct {
	View        *statebranch.View
	Environment string
	Snapshot    *snapshot.Snapshot
	// SnapshotBlob is the blob hash of the snapshot file ("" when none).
	SnapshotBlob string
	Index        *deploy.Index
	Claim        *deploy.Claim
	// Hold is set while a rollback holds the environment (hold.json).
	Hold *deploy.Hold
}

// Revision is the commit read ("" before the branch exists).
func (p *Position) Revision() string {
	if p.View.Tip.IsZero() {
		return ""
	}
	return p.View.Tip.String()
}

// commit redacts c and commits it on base: the one place the ledger
// writes to the branch.
func (l *Ledger) commit(ctx context.Context, base *statebranch.View, c statebranch.Commit) (string, error) {
	red := func(s string) string { return string(l.opts.Redact([]byte(s))) }
	c.Subject, c.Body = red(c.Subject), red(c.Body)
	for i := range c.Trailers {
		c.Trailers[i].Value = red(c.Trailers[i].Value)
	}
	for i := range c.Changes {
		if c.Changes[i].Data != nil {
			c.Changes[i].Data = l.opts.Redact(c.Changes[i].Data)
		}
	}
	h, err := l.branch.Commit(ctx, base, c)
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

// Position reads the environment's position at the branch tip.
func (l *Ledger) Position(ctx context.Context, env string) (*Position, error) {
	view, err := l.branch.Read(ctx)
	if err != nil {
		return nil, readErr(l.opts.Name, err)
	}
	return position(view, env)
}

// PositionAt reads the environment's position at view, for readers of
// several environments at one revision.
func PositionAt(view *statebranch.View, env string) (*Position, error) { return position(view, env) }

func position(view *statebranch.View, env string) (*Position, error) {
	p := &Position{View: view, Environment: env}
	var err error
	if p.Snapshot, err = deploy.ReadSnapshot(view, env); err != nil {
		return nil, err
	}
	if h, ok, err := view.BlobHash(deploy.SnapshotPath(env)); err != nil {
		return nil, err
	} else if ok {
		p.SnapshotBlob = h.String()
	}
	if p.Index, err = deploy.ReadIndex(view, env); err != nil {
		return nil, err
	}
	if p.Claim, err = deploy.ReadClaim(view, env); err != nil {
		return nil, err
	}
	if p.Hold, err = deploy.ReadHold(view, env); err != nil {
		return nil, err
	}
	return p, nil
}

// Record reads one deployment record at the position.
func (p *Position) Record(id string) (*deploy.Deployment, bool, error) {
	return deploy.ReadRecord(p.View, p.Environment, id)
}

// Recent lists the environment's newest deployments at the position.
func (p *Position) Recent() ([]deploy.Summary, error) {
	rc, err := deploy.ReadRecent(p.View, p.Environment)
	if err != nil {
		return nil, err
	}
	return rc.Deployments, nil
}

// SnapshotAt reads a snapshot by its blob hash.
func (l *Ledger) SnapshotAt(ctx context.Context, blob string) (*snapshot.Snapshot, error) {
	data, err := l.branch.Blob(ctx, plumbing.NewHash(blob))
	if err != nil {
		return nil, err
	}
	return snapshot.Parse(data)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
