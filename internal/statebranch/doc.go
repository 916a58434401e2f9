// Package statebranch is the storage layer of the honua-gitops state branch:
// a branch (by default honua-gitops/state) in the configuration repository
// itself that records every deployment.
//
// It reads files at the branch tip and writes commits built directly in the
// object store, then moves the branch by compare-and-swap: locally with the
// repository's reference storer under a lock file, remotely with a push that
// carries a lease on the tip that was read. It never touches the user's work
// tree, index or HEAD.
//
// The usual loop is read, change, commit, and on ErrConflict read again:
//
//	for {
//		v, err := store.Read(ctx)
//		...
//		_, err = store.Commit(ctx, v, statebranch.Commit{...})
//		if errors.Is(err, statebranch.ErrConflict) {
//			continue
//		}
//		...
//	}
//
// Reads decode only the trees along the requested path and commits rewrite
// only the trees along the changed paths, so the cost of both is flat in the
// number of files on the branch as long as every directory stays small.
package statebranch
