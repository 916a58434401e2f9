// Package emulator is a faithful, in-process emulator of the Honua
// Generation 1 control plane (the 2026.3-era /api/v1/admin surface).
//
// It reproduces the contract in shared/reference/honua-control-plane.md,
// including the behaviour Honua's own clients depend on (Appendix A) and the
// traps a client author falls into (Appendix B): response envelopes, bare-array
// lists, ETag and If-Match rules, kind case-sensitivity, the namespace ""
// trap, last-applied annotations, manifest apply with dry-run and prune,
// drift, versions, minimal approvals, edition gating, and API-key auth.
//
// On top of the contract it adds what a test harness needs: an optional JSON
// state file written atomically, and deterministic fault injection (latency,
// error rate, failed writes, dropped connections) that can strike before or
// after a write commits.
//
// Use New for an http.Handler, or Start to listen on 127.0.0.1:0 in tests.
// README.md in this directory lists where the emulator differs from Honua.
package emulator
