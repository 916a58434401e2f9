package statebranch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// LogEntry is one commit of the state branch's history.
type LogEntry struct {
	Hash     plumbing.Hash
	Subject  string
	Message  string
	Trailers map[string]string
	When     time.Time // committer time
}

// Log lists up to max commits (max <= 0: all) from from, newest first,
// following first parents. It stops without error where the history ends in
// a shallow clone.
func (s *Store) Log(ctx context.Context, from plumbing.Hash, max int) ([]LogEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []LogEntry
	for h := from; !h.IsZero() && (max <= 0 || len(out) < max); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := object.GetCommit(s.objects, h)
		if errors.Is(err, plumbing.ErrObjectNotFound) && h != from {
			break // the shallow boundary
		}
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", h, err)
		}
		subject, _, _ := strings.Cut(c.Message, "\n")
		out = append(out, LogEntry{
			Hash:     c.Hash,
			Subject:  subject,
			Message:  c.Message,
			Trailers: ParseTrailers(c.Message),
			When:     c.Committer.When,
		})
		if len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	return out, nil
}
