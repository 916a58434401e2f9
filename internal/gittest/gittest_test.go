package gittest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
)

func TestRemoteRequiresToken(t *testing.T) {
	r := gittest.NewRemote(t)
	tests := []struct {
		name       string
		user, pass string
		setAuth    bool
		want       int
	}{
		{name: "no credentials", want: http.StatusUnauthorized},
		{name: "wrong token", user: gittest.TokenUser, pass: "ghs_wrong", setAuth: true, want: http.StatusUnauthorized},
		{name: "wrong user", user: "someone", pass: r.Token, setAuth: true, want: http.StatusUnauthorized},
		{name: "token", user: gittest.TokenUser, pass: r.Token, setAuth: true, want: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, r.URL+"/info/refs?service=git-upload-pack", nil)
			require.NoError(t, err)
			if tt.setAuth {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
}

func TestSeedCheckout(t *testing.T) {
	r := gittest.NewRemote(t)
	assert.Equal(t, "", r.BranchTip(t, "main"))
	seed := r.Seed(t, map[string]string{"environments/dev/a.yaml": "a: 1\n", "README.md": "hi\n"})
	assert.Equal(t, seed, r.BranchTip(t, "main"))

	dir := r.Checkout(t)
	assert.Equal(t, seed, gittest.Git(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, "HEAD", gittest.Git(t, dir, "rev-parse", "--abbrev-ref", "HEAD"), "detached")
	assert.Equal(t, "true", gittest.Git(t, dir, "rev-parse", "--is-shallow-repository"))
	assert.Equal(t, r.URL, gittest.Git(t, dir, "config", "remote.origin.url"))
	b, err := os.ReadFile(filepath.Join(dir, "environments", "dev", "a.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "a: 1\n", string(b))

	cfg, err := os.ReadFile(filepath.Join(dir, ".git", "config"))
	require.NoError(t, err)
	assert.NotContains(t, string(cfg), r.Token)
	assert.Empty(t, gittest.Git(t, dir, "status", "--porcelain"))
	gittest.FsckClean(t, r.Dir)
	gittest.FsckClean(t, dir)
}

func TestBeforeServe(t *testing.T) {
	r := gittest.NewRemote(t)
	var (
		mu    sync.Mutex
		paths []string
	)
	r.BeforeServe(func(req *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		paths = append(paths, req.URL.Path)
	})
	r.Seed(t, map[string]string{"a": "b"})
	r.BeforeServe(nil)
	mu.Lock()
	defer mu.Unlock()
	assert.True(t, strings.HasSuffix(strings.Join(paths, ","), "/repo.git/git-receive-pack"), paths)
}
