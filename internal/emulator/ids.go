package emulator

import (
	"crypto/rand"
	"fmt"
	"regexp"
)

// newID returns a random RFC 4122 version 4 UUID, the shape of Honua's
// resource, version and pending-change ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// guidPattern matches what ASP.NET binds as a Guid route value.
var guidPattern = regexp.MustCompile(`^(?i)\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$`)

// isGUID reports whether s binds as a Guid; a malformed id is a binding error
// (400 with an empty body) on the real server.
func isGUID(s string) bool {
	return guidPattern.MatchString(s)
}
