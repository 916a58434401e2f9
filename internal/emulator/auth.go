package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// wwwAuthenticate is the challenge Honua's ApiKey handler sends.
const wwwAuthenticate = `ApiKey realm="Honua Admin", header="X-API-Key"`

// authenticated reports whether the request carries the admin key, as
// X-API-Key or as an Authorization Bearer token. Keys are compared in
// constant time over their SHA-256 digests, so length leaks nothing either.
func (s *Server) authenticated(r *http.Request) bool {
	if key := r.Header.Get("X-API-Key"); key != "" {
		return s.keyMatches(key)
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		return s.keyMatches(strings.TrimSpace(token))
	}
	return false
}

func (s *Server) keyMatches(key string) bool {
	got := sha256.Sum256([]byte(key))
	return subtle.ConstantTimeCompare(got[:], s.keyDigest[:]) == 1
}

// writeUnauthorized answers 401 the way Honua does: a problem document
// without a type, and the ApiKey challenge.
func (s *Server) writeUnauthorized(w http.ResponseWriter, r *http.Request) {
	detail := "A valid API key is required. Send it in the X-API-Key header."
	if r.Header.Get("X-API-Key") != "" || r.Header.Get("Authorization") != "" {
		detail = "The API key is invalid."
	}
	w.Header().Set("WWW-Authenticate", wwwAuthenticate)
	s.writeJSON(w, http.StatusUnauthorized, contentTypeProblem, problem{Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: detail})
}
