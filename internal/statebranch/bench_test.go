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
	for _, n := range []int{10, 1000, 10000} {
		dir := newRepo(b)
		s := open(b, statebranch.Options{RepoDir: dir})
		changes := make([]statebranch.Change, n)
		for i := range changes {
			changes[i] = put(shardPath(i), fmt.Sprintf(`{"record": %d}`, i))
		}
		commit(b, s, "seed", changes...)
		gittest.Git(b, dir, "repack", "-adq") // as after a fetch: a pack, not loose objects
		ctx := context.Background()

		// Sub-benchmarks rerun (-count, calibration) without this setup, so
		// the next record number lives out here: every commit is a real one.
		next := n
		b.Run(fmt.Sprintf("read+commit+file/files=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				v, err := s.Read(ctx)
				require.NoError(b, err)
				h, err := s.Commit(ctx, v, statebranch.Commit{
					Subject:  "record",
					Trailers: []statebranch.Trailer{{Key: "Honua-Deployment", Value: fmt.Sprint(next)}},
					Changes:  []statebranch.Change{put(shardPath(next), fmt.Sprintf(`{"record": %d}`, next))},
				})
				require.NoError(b, err)
				require.NotEqual(b, v.Tip, h, "a commit was made")
				next++
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

// BenchmarkRemoteReadCommit is one Read (fetch) and one Commit (push) in a
// depth-1 clone against git http-backend. Unlike the local path this is not
// flat: to work out what the server already has, go-git's push walks every
// commit and tree reachable from the remote's refs that the clone holds, so
// it grows with the files at the tip and with the history in the clone.
//
//	go test -run '^$' -bench RemoteReadCommit -benchtime 50x ./internal/statebranch/
func BenchmarkRemoteReadCommit(b *testing.B) {
	for _, n := range []int{10, 10000} {
		r := gittest.NewRemote(b)
		r.Seed(b, map[string]string{"README.md": "demo\n"})
		seeder := open(b, statebranch.Options{RepoDir: r.Checkout(b), Remote: "origin", Auth: r.Auth()})
		changes := make([]statebranch.Change, n)
		for i := range changes {
			changes[i] = put(shardPath(i), fmt.Sprintf(`{"record": %d}`, i))
		}
		commit(b, seeder, "seed", changes...)
		s := open(b, statebranch.Options{RepoDir: r.Checkout(b), Remote: "origin", Auth: r.Auth()})
		read(b, s) // the first fetch brings the whole tip; not what is measured
		ctx := context.Background()
		next := n
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				v, err := s.Read(ctx)
				require.NoError(b, err)
				h, err := s.Commit(ctx, v, statebranch.Commit{
					Subject: "record",
					Changes: []statebranch.Change{put(shardPath(next), fmt.Sprintf(`{"record": %d}`, next))},
				})
				require.NoError(b, err)
				require.NotEqual(b, v.Tip, h, "a commit was made")
				next++
			}
		})
	}
}
