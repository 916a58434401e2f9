package apply_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/emulator"
	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/snapshot"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds honua-gitops once for tests that need separate processes.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "honua-gitops-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "honua-gitops")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/honua-gitops")
		cmd.Dir = cmdtest.RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

type run struct {
	env    string
	code   int
	stdout string
	id     string
}

var recordedRe = regexp.MustCompile(`Deployment (\d{8}T\d{9}Z-[0-9a-f]{6}) (\S+); recorded on`)

// Eight applies in separate processes, each in its own depth-1 clone, race
// on one remote served by git http-backend: two environments, four
// processes each. Every deployment is recorded exactly once, exactly one
// per environment succeeds (the others stop: "state moved", or nothing left
// to deploy), and each environment's recorded snapshot matches its server.
func TestEightConcurrentAppliesRecordEveryDeploymentOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 8 processes and a git server")
	}
	bin := binary(t)
	remote := gittest.NewRemote(t)
	remote.Seed(t, cmdtest.ExampleFiles(t))
	servers := map[string]*emulator.Running{}
	for _, env := range []string{"staging", "production"} {
		s, err := emulator.Start(context.Background(), emulator.Options{APIKey: key})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		servers[env] = s
	}
	const n = 8
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = remote.Checkout(t)
	}
	runs := make([]run, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		env := []string{"staging", "production"}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			cmd := exec.Command(bin, "apply", "--env", env, "--dir", dirs[i], "--target", servers[env].URL, "--push",
				"--actor", fmt.Sprintf("racer-%d", i), "--wait", "2m", "--concurrency", "4")
			cmd.Env = append(os.Environ(), "HONUA_API_KEY="+key, "HONUA_GITOPS_GIT_TOKEN="+remote.Token, "NO_COLOR=1")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			runs[i] = run{env: env, code: code, stdout: out.String()}
			if m := recordedRe.FindStringSubmatch(out.String()); m != nil {
				runs[i].id = m[1]
			}
		}()
	}
	close(start)
	wg.Wait()

	verify := remote.Checkout(t)
	gittest.Git(t, verify, "fetch", "-q", remote.AuthURL(), "+refs/heads/honua-gitops/state:refs/remotes/origin/honua-gitops/state")
	show := func(path string) []byte {
		return []byte(gittest.Git(t, verify, "show", "origin/honua-gitops/state:"+path))
	}
	for _, env := range []string{"staging", "production"} {
		var ix deploy.Index
		require.NoError(t, json.Unmarshal(show(deploy.IndexPath(env)), &ix))
		var rc deploy.Recent
		require.NoError(t, json.Unmarshal(show(deploy.RecentPath(env)), &rc))
		succeeded := 0
		ids := map[string]bool{}
		for _, s := range rc.Deployments {
			assert.False(t, ids[s.ID], "%s recorded twice", s.ID)
			ids[s.ID] = true
			if s.Status == deploy.Succeeded {
				succeeded++
			}
			assert.True(t, s.Status.Final(), "%s left in %s", s.ID, s.Status)
		}
		assert.Equal(t, 1, succeeded, "exactly one apply of %s succeeds", env)
		reported := 0
		for _, r := range runs {
			if r.env != env {
				continue
			}
			switch r.code {
			case 0:
				require.True(t, r.id != "" || regexp.MustCompile(`Nothing to deploy`).MatchString(r.stdout), r.stdout)
			case 4:
				require.Contains(t, r.stdout, "state moved", r.stdout)
			default:
				t.Fatalf("unexpected exit %d:\n%s", r.code, r.stdout)
			}
			if r.id != "" {
				reported++
				assert.True(t, ids[r.id], "deployment %s is on the branch", r.id)
			}
		}
		assert.Equal(t, reported, ix.Count, "every deployment a process reported is recorded, and nothing else")
		assert.Len(t, rc.Deployments, ix.Count)
		_, claimErr := exec.Command("git", "-C", verify, "show", "origin/honua-gitops/state:"+deploy.ClaimPath(env)).CombinedOutput()
		assert.Error(t, claimErr, "no claim is left behind")

		snap, err := snapshot.Parse(show(deploy.SnapshotPath(env)))
		require.NoError(t, err)
		c, err := honua.New(honua.Config{BaseURL: servers[env].URL, Credential: key})
		require.NoError(t, err)
		live, err := c.ListResources(context.Background(), "", "")
		require.NoError(t, err)
		require.Len(t, live, len(snap.Resources))
		byID := map[string]*honua.Object{}
		for i := range live {
			byID[live[i].Resource.ID().String()] = &live[i]
		}
		for _, r := range snap.Resources {
			l := byID[r.ID().String()]
			require.NotNil(t, l, "%s recorded but not on the server", r.ID())
			assert.Empty(t, apply.Differences(r, l.Resource), "%s", r.ID())
		}
	}
	gittest.FsckClean(t, remote.Dir)
}
