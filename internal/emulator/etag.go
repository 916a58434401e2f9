package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// ETag returns the entity tag Honua sends for a resourceVersion: the quoted,
// unpadded standard base64 of SHA-256 over the version string.
func ETag(resourceVersion string) string {
	sum := sha256.Sum256([]byte(resourceVersion))
	return `"` + base64.RawStdEncoding.EncodeToString(sum[:]) + `"`
}

// ifMatchSatisfied reports whether an If-Match header value matches the
// current entity tag. "*" matches any existing resource; weak tags (W/"…")
// never match, as strong comparison requires. The header may list several
// tags separated by commas.
func ifMatchSatisfied(header, current string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		switch {
		case tag == "*":
			return true
		case strings.HasPrefix(tag, "W/"):
			continue
		case tag == current:
			return true
		}
	}
	return false
}
