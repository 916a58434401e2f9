package statebranch_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/gittest"
	"github.com/honua-io/honua-gitops/internal/statebranch"
)

// BenchmarkCommitAndFile shows that reading the branch, committing one file
// and reading one file back costs the same on a branch with 10 files as on
// one with 10,000 files spread over 256 shard directories
// (a/b/<shard>/<file>).
//
//	go test -run '^$' -bench CommitAndFile -benchtime 200x ./internal/statebranch/
func BenchmarkCommitAndFile(b *testing.B) {
	for _, n := range []int{10, 10000} {
		dir := newRepo(b)
		s := open(b, statebranch.Options{RepoDir: dir})
		changes := make([]statebranch.Change, n)
		for i := range changes {
			changes[i] = put(shardPath(i), fmt.Sprintf(`{"record": %d}`, i))
		}
		commit(b, s, "seed", changes...)
		gittest.Git(b, dir, "repack", "-adq") // as after a fetch: a pack, not loose objects
		ctx := context.Background()

		b.Run(fmt.Sprintf("read+commit+file/files=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				v, err := s.Read(ctx)
				require.NoError(b, err)
				p := shardPath(n + i)
				_, err = s.Commit(ctx, v, statebranch.Commit{
					Subject:  "record",
					Trailers: []statebranch.Trailer{{Key: "Honua-Deployment", Value: fmt.Sprint(i)}},
					Changes:  []statebranch.Change{put(p, fmt.Sprintf(`{"record": %d}`, n+i))},
				})
				require.NoError(b, err)
				if _, ok, err := v.File(shardPath(i % n)); err != nil || !ok {
					b.Fatalf("file %s: %v %v", shardPath(i%n), ok, err)
				}
			}
		})
		b.Run(fmt.Sprintf("file/files=%d", n), func(b *testing.B) {
			v, err := s.Read(ctx)
			require.NoError(b, err)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, ok, err := v.File(shardPath(i % n)); err != nil || !ok {
					b.Fatalf("file %s: %v %v", shardPath(i%n), ok, err)
				}
			}
		})
	}
}

func shardPath(i int) string {
	return fmt.Sprintf("a/b/%02x/rec-%06d.json", i%256, i)
}
