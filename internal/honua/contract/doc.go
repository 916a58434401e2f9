// Package contract holds behaviour tests of the honua client against a
// Honua Generation 1 control plane: the emulator (package
// internal/emulator, enterprise and community editions, started by go
// test) and, when configured, a real server.
//
// The real-server run needs HONUA_URL (the server root) and HONUA_API_KEY;
// optional HONUA_AUTH=bearer sends the credential as a Bearer token and
// HONUA_CA_FILE names a PEM bundle. It works in a namespace of its own,
// honua-gitops-contract-<random>-<n> per test, and deletes every resource
// it created. A Generation 2 server is detected and the run is skipped with
// a message naming the generation. Checks of traps whose outcome is the
// emulator's reading of the contract (kind-case collisions, namespace "",
// approvals) run against the emulator only.
//
// The package has no non-test code.
package contract
