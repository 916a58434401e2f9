package statebranch_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// Issue 9 item 12: a remote that stops answering fails the read within the
// network timeout instead of hanging the command.
func TestFetchFromAHangingRemoteTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	gittest.Git(t, dir, "remote", "add", "origin", srv.URL+"/repo.git")
	s, err := statebranch.Open(statebranch.Options{RepoDir: dir, Remote: "origin", NetworkTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	start := time.Now()
	_, err = s.Read(context.Background())
	require.Error(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Contains(t, err.Error(), "no answer within 300ms")
}
