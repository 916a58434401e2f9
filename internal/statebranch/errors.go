package statebranch

import (
	"errors"
	"strings"
)

var (
	// ErrNotRepository reports that Options.RepoDir is not inside a git
	// repository.
	ErrNotRepository = errors.New("not a git repository")
	// ErrConflict reports that the branch moved since it was read, locally
	// or on the remote: read it again and retry.
	ErrConflict = errors.New("state branch moved since it was read")
	// ErrBlobNotFound reports that a blob is in neither the object store nor
	// (in remote mode) the full history of the branch on the remote.
	ErrBlobNotFound = errors.New("blob not found")
	// ErrBranchCheckedOut reports that HEAD points at the state branch, so
	// moving it would change the work tree's commit.
	ErrBranchCheckedOut = errors.New("state branch is checked out")
	// ErrLocked reports that the state branch lock file stayed held for
	// longer than the lock timeout.
	ErrLocked = errors.New("state branch is locked")
	// ErrDiverged reports that the local branch has commits the remote does
	// not, the remote has moved on since, and the local commits could not be
	// replayed on top of it. The local branch is left as it was.
	ErrDiverged = errors.New("local state branch has diverged from the remote")
)

// scrubbed hides secrets (tokens, passwords) from an error's text while
// keeping the error chain for errors.Is and errors.As.
type scrubbed struct {
	err     error
	secrets []string
}

func (e *scrubbed) Error() string {
	msg := e.err.Error()
	for _, s := range e.secrets {
		msg = strings.ReplaceAll(msg, s, "***")
	}
	return msg
}

func (e *scrubbed) Unwrap() error { return e.err }

// scrub wraps err so that none of secrets appears in its text.
func scrub(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	var keep []string
	for _, s := range secrets {
		if s != "" {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		return err
	}
	return &scrubbed{err: err, secrets: keep}
}
