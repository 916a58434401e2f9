// Package conformance holds the emulator's behaviour tests, written from the
// Honua Generation 1 control-plane contract (shared/reference/
// honua-control-plane.md, including Appendices A and B). The tests speak
// plain HTTP and JSON only; they import no Honua client code, so they check
// the wire contract rather than one client's reading of it.
package conformance
