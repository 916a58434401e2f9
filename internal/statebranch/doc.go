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
// In remote mode Read never drops local commits that were never pushed (an
// apply without --push makes them): a local branch ahead of the remote is
// read as it is and pushed with the next Commit, and one that diverged is
// replayed on the remote's tip, with Options.Merge combining files both
// sides changed, or Read fails with ErrDiverged and changes nothing.
//
// Reads decode only the trees along the requested path and commits rewrite
// only the trees along the changed paths, so the cost of both is flat in the
// number of files on the branch as long as every directory stays small.
package statebranch
