package gen2

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/honua"
)

// errUnknown marks a write cut off by the end of ctx: it may or may not
// have landed, and the engine reads back what did.
var errUnknown = errors.New("outcome unknown")

// writeError is a write that did not land, in words, with the server's
// status when it answered.
type writeError struct {
	msg    string
	status int
}

func (e *writeError) Error() string { return e.msg }

// write sends one write once. The server takes no precondition and most
// facets save once, so a write is never repeated blindly: a 4xx is final,
// and after a 5xx, a dropped connection or a timeout the facet is read
// back (landed) to decide whether the write counts as applied. It returns
// nil when the write landed.
func (d *Driver) write(ctx context.Context, what string, call func(context.Context) error, landed func(context.Context) (bool, error)) error {
	d.mu.Lock()
	d.wrote = true
	d.mu.Unlock()
	if rec := recordOf(ctx); rec != nil {
		rec.attempts++
	}
	err := call(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return errUnknown
	}
	if status, ok := clientError(err); ok {
		return &writeError{msg: fmt.Sprintf("%s: %v", what, err), status: status}
	}
	ok, rerr := landed(ctx)
	switch {
	case ctx.Err() != nil:
		return errUnknown
	case rerr != nil:
		return &writeError{msg: fmt.Sprintf("%s: %v; reading it back failed too (%v), so it is not recorded", what, err, rerr)}
	case ok:
		d.log.InfoContext(ctx, "gen2 write landed although its answer was lost", "write", what, "error", err)
		return nil
	}
	return &writeError{msg: fmt.Sprintf("%s: %v; read back: it did not land (not written again)", what, err)}
}

// opRecord is what one operation's writes leave for its result: how many
// write calls were sent and the prior value of each facet written.
type opRecord struct {
	attempts int
	prior    []apply.Prior
	// note, when set, is the result's message on success.
	note string
}

type opKey struct{}

func withRecord(ctx context.Context, rec *opRecord) context.Context {
	return context.WithValue(ctx, opKey{}, rec)
}

func recordOf(ctx context.Context) *opRecord {
	rec, _ := ctx.Value(opKey{}).(*opRecord)
	return rec
}

// clientError reports a 4xx answer: the server refused the write and a
// retry would be refused again.
func clientError(err error) (int, bool) {
	var ae *honua.APIError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusRequestTimeout && ae.Status != http.StatusTooManyRequests {
		return ae.Status, true
	}
	return 0, false
}
