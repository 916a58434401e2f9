package fakegithub

import (
	"net/http"
	"strings"
)

// SetTeamMembers makes logins active members of the team org/slug (adding
// to those already set), so that GET
// /orgs/{org}/teams/{slug}/memberships/{username} answers them. Anyone
// else, and any team never set, answers 404, as GitHub does.
func (s *Server) SetTeamMembers(org, slug string, logins ...string) {
	for _, l := range logins {
		s.SetTeamMembership(org, slug, l, "active")
	}
}

// SetTeamMembership sets login's membership state in the team org/slug:
// "active", or "pending" for an invitation not yet accepted.
func (s *Server) SetTeamMembership(org, slug, login, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := teamKey(org, slug)
	if s.st.teams[key] == nil {
		s.st.teams[key] = map[string]string{}
	}
	s.st.teams[key][strings.ToLower(login)] = state
}

func teamKey(org, slug string) string { return strings.ToLower(org + "/" + slug) }

func (s *Server) routeTeams(mux *http.ServeMux) {
	mux.HandleFunc("GET "+apiPrefix+"/orgs/{org}/teams/{slug}/memberships/{username}", s.getTeamMembership)
}

func (s *Server) getTeamMembership(w http.ResponseWriter, r *http.Request) {
	org, slug, login := r.PathValue("org"), r.PathValue("slug"), r.PathValue("username")
	s.mu.Lock()
	defer s.mu.Unlock()
	state, ok := s.st.teams[teamKey(org, slug)][strings.ToLower(login)]
	if !ok {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"url":   s.URL + apiPrefix + "/teams/1/memberships/" + login,
		"role":  "member",
		"state": state,
	})
}
