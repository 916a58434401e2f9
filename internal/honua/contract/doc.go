// Package contract holds behaviour tests of the honua client against a
// Honua Generation 1 control plane: the emulator (package
// internal/emulator, enterprise and community editions, started by go
// test) and, when configured, a real server.
//
// The real-server run needs HONUA_URL (the server root) and HONUA_API_KEY;
// optional HONUA_AUTH=bearer sends the credential as a Bearer token and
// HONUA_CA_FILE names a PEM bundle. It works in a namespace of its own,
// honua-gitops-contract-<random>-<n> per test, and deletes every resource
// it created. A Generation 2 server is detected and the Generation 1 run is
// skipped with a message naming the generation.
//
// The Generation 2 suite (gen2_*_test.go) runs against a seeded Generation 2
// emulator (always; it never skips) and, when HONUA_URL names a Generation 2
// server, that server; a Generation 1 server makes it skip with a message
// naming the generation. Against a real server it is read-only: capabilities,
// the environment, the inventory's revision and quoted-SHA-256 ETag, the
// services list and settings, the connections list (no secret members,
// canonical sslMode), the layers list, the facet GETs of the first layer
// found (no ETag, PascalCase field types, 404 for an unknown layer) and its
// OGC style (404 or MapLibre v8). Writes to a real server need
// HONUA_CONTRACT_WRITES=1 as well, and are then only round trips that write
// back exactly what was read; even these create graph revisions (every
// Generation 2 save does). Checks of traps whose outcome is the
// emulator's reading of the contract (kind-case collisions, namespace "",
// approvals) run against the emulator only.
//
// The package has no non-test code.
package contract
