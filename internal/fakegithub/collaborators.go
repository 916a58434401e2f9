package fakegithub

import (
	"net/http"
	"strings"
)

// SetPermission makes login a collaborator of the served repository with
// role "admin", "maintain", "write", "triage" or "read" (or "none"), so
// that GET /repos/{owner}/{repo}/collaborators/{login}/permission answers
// it. Logins never set answer 404, as GitHub does for someone who is not a
// collaborator.
func (s *Server) SetPermission(login, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.permissions[strings.ToLower(login)] = role
}

func (s *Server) routeCollaborators(mux *http.ServeMux) {
	mux.HandleFunc("GET "+apiPrefix+"/repos/{owner}/{repo}/collaborators/{username}/permission", s.getPermission)
}

// getPermission answers with GitHub's two fields: role_name, the role as
// set, and permission, its legacy base level, in which maintain reads as
// write and triage as read.
func (s *Server) getPermission(w http.ResponseWriter, r *http.Request) {
	if !s.repoOK(w, r) {
		return
	}
	login := r.PathValue("username")
	s.mu.Lock()
	defer s.mu.Unlock()
	role, ok := s.st.permissions[strings.ToLower(login)]
	if !ok {
		notFound(w)
		return
	}
	legacy := role
	switch role {
	case "maintain":
		legacy = "write"
	case "triage":
		legacy = "read"
	}
	writeJSON(w, http.StatusOK, map[string]any{"permission": legacy, "role_name": role, "user": s.user(login)})
}
