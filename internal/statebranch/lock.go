package statebranch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// withLock runs fn holding the state branch lock file
// (<git dir>/honua-gitops/<branch>.lock), which every Store takes to read or
// move the branch. The file is created with O_EXCL, so it works across
// processes and on every OS; a waiter gives up with ErrLocked after
// Options.LockTimeout. The critical sections only read and write refs, so
// the lock is held for milliseconds.
func (s *Store) withLock(ctx context.Context, fn func() error) error {
	release, err := acquireLock(ctx, s.lockPath, s.opts.LockTimeout)
	if err != nil {
		return err
	}
	defer release()
	return fn()
}

// withReadLock is withLock for readers, which also run when the lock file
// cannot be created at all (a read-only repository): nobody can be writing
// through this package then either.
func (s *Store) withReadLock(ctx context.Context, fn func() error) error {
	err := s.withLock(ctx, fn)
	if errors.Is(err, errLockUnwritable) {
		return fn()
	}
	return err
}

// errLockUnwritable marks a lock file that cannot be created (permissions,
// read-only file system), as opposed to one that is held.
var errLockUnwritable = errors.New("cannot create the lock file")

func acquireLock(ctx context.Context, path string, timeout time.Duration) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("%w: %w", errLockUnwritable, err)
	}
	deadline := time.Now().Add(timeout)
	wait := 200 * time.Microsecond
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			_, werr := fmt.Fprintf(f, "pid %d at %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				_ = os.Remove(path)
				return nil, fmt.Errorf("write lock file %s: %w", path, werr)
			}
			return func() { _ = os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%w %s: %w", errLockUnwritable, path, err)
		}
		left := time.Until(deadline)
		if left <= 0 {
			holder, _ := os.ReadFile(path)
			return nil, fmt.Errorf("%w: %s is held (%s) for more than %s; if no honua-gitops process is running, delete it",
				ErrLocked, path, strings.TrimSpace(string(holder)), timeout)
		}
		// Jitter keeps waiters from waking in lockstep.
		sleep := min(wait/2+rand.N(wait), left)
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, 20*time.Millisecond)
	}
}
