package statebranch

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLockUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	s := &Store{lockPath: filepath.Join(file, "below", "x.lock"), opts: Options{LockTimeout: time.Second}}

	ran := false
	err := s.withLock(context.Background(), func() error { ran = true; return nil })
	require.ErrorIs(t, err, errLockUnwritable)
	assert.False(t, ran, "writers never run unlocked")

	err = s.withReadLock(context.Background(), func() error { ran = true; return nil })
	require.NoError(t, err)
	assert.True(t, ran, "readers do")
}

func TestLockWaitsAndRespectsContext(t *testing.T) {
	s := &Store{lockPath: filepath.Join(t.TempDir(), "x.lock"), opts: Options{LockTimeout: 5 * time.Second}}
	release, err := acquireLock(context.Background(), s.lockPath, time.Second)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err = s.withLock(ctx, func() error { return nil })
	require.ErrorIs(t, err, context.DeadlineExceeded)

	go func() {
		time.Sleep(20 * time.Millisecond)
		release()
	}()
	start := time.Now()
	require.NoError(t, s.withLock(context.Background(), func() error { return nil }))
	assert.Less(t, time.Since(start), time.Second)
	assert.NoFileExists(t, s.lockPath)
}
