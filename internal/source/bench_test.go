package source_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/source"
)

// BenchmarkInspect inspects a repository of 10,000 files under
// environments/ (100 directories of 100 files).
func BenchmarkInspect(b *testing.B) {
	files := map[string]string{"honua-gitops.yaml": "environments: environments\n"}
	for d := range 100 {
		for f := range 100 {
			files[fmt.Sprintf("environments/env-%02d/layer-%03d.yaml", d, f)] =
				fmt.Sprintf("name: layer-%d-%d\nsource: postgis\ntable: public.t_%d_%d\nstyle: default\n", d, f, d, f)
		}
	}
	dir := newRepo(b, files)
	ctx := context.Background()
	inspect := func(b *testing.B, wantChanges int) {
		for b.Loop() {
			info, err := source.Inspect(ctx, dir, configPaths)
			require.NoError(b, err)
			require.Len(b, info.Changes, wantChanges)
		}
	}

	b.Run("clean, index stat data fresh", func(b *testing.B) { inspect(b, 0) })
	b.Run("go-git Worktree.Status for comparison", func(b *testing.B) {
		for b.Loop() {
			repo, err := git.PlainOpen(dir)
			require.NoError(b, err)
			wt, err := repo.Worktree()
			require.NoError(b, err)
			_, err = wt.Status()
			require.NoError(b, err)
		}
	})
	b.Run("100 files modified", func(b *testing.B) {
		for i := range 100 {
			write(b, dir, fmt.Sprintf("environments/env-%02d/layer-000.yaml", i), fmt.Sprintf("edited: %d\n", i))
		}
		inspect(b, 100)
	})
	b.Run("clean, every file read (stale stat data)", func(b *testing.B) {
		for i := range 100 {
			p := fmt.Sprintf("environments/env-%02d/layer-000.yaml", i)
			write(b, dir, p, files[p])
		}
		backdate(b, dir, "environments")
		inspect(b, 0)
	})
}
