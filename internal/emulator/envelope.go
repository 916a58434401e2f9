package emulator

import (
	"encoding/json"
	"net/http"
	"time"
)

// Content types.
const (
	contentTypeJSON    = "application/json; charset=utf-8"
	contentTypeProblem = "application/problem+json; charset=utf-8"
)

// envelope is Honua's ApiResponse: every 2xx answer, and some errors (with
// success false), are wrapped in it. Message is always present, null when
// there is none.
type envelope struct {
	Success   bool      `json:"success"`
	Data      any       `json:"data"`
	Message   *string   `json:"message"`
	Timestamp time.Time `json:"timestamp"`
}

// problem is an RFC 9457 problem document as ASP.NET writes it.
type problem struct {
	Type   string `json:"type,omitempty"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// problemType returns the type URI ASP.NET attaches to a problem with this
// status, or "" when it attaches none.
func problemType(status int) string {
	switch status {
	case 400:
		return "https://tools.ietf.org/html/rfc9110#section-15.5.1"
	case 402:
		return "https://tools.ietf.org/html/rfc9110#section-15.5.3"
	case 403:
		return "https://tools.ietf.org/html/rfc9110#section-15.5.4"
	case 409:
		return "https://tools.ietf.org/html/rfc9110#section-15.5.10"
	case 412:
		return "https://tools.ietf.org/html/rfc9110#section-15.5.13"
	case 422:
		return "https://tools.ietf.org/html/rfc9110#section-15.5.21"
	case 428:
		return "https://tools.ietf.org/html/rfc6585#section-3"
	case 500:
		return "https://tools.ietf.org/html/rfc9110#section-15.6.1"
	case 503:
		return "https://tools.ietf.org/html/rfc9110#section-15.6.4"
	}
	return ""
}

// writeData answers with a success envelope. An empty message is null.
func (s *Server) writeData(w http.ResponseWriter, status int, data any, message string) {
	env := envelope{Success: true, Data: data, Timestamp: s.now().UTC()}
	if message != "" {
		env.Message = &message
	}
	s.writeJSON(w, status, contentTypeJSON, env)
}

// writeFailure answers with an envelope whose success is false, the shape
// Honua uses for validation errors and conflicts.
func (s *Server) writeFailure(w http.ResponseWriter, status int, message string) {
	s.writeJSON(w, status, contentTypeJSON, envelope{Success: false, Message: &message, Timestamp: s.now().UTC()})
}

// writeProblem answers with a problem document carrying the default type
// URI for its status.
func (s *Server) writeProblem(w http.ResponseWriter, status int, title, detail string) {
	s.writeJSON(w, status, contentTypeProblem, problem{Type: problemType(status), Title: title, Status: status, Detail: detail})
}

// writeEmpty answers with a status and no body, as ASP.NET does for binding
// errors, 404 and 405.
func writeEmpty(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(status)
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode response", "error", err)
		writeEmpty(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
