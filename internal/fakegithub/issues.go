package fakegithub

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxBody is GitHub's limit on comment and issue bodies, in characters.
const MaxBody = 65536

func (s *Server) routeIssues(mux *http.ServeMux) {
	repo := apiPrefix + "/repos/{owner}/{repo}"
	mux.HandleFunc("GET "+repo+"/issues/{number}/comments", s.listComments)
	mux.HandleFunc("POST "+repo+"/issues/{number}/comments", s.createComment)
	mux.HandleFunc("PATCH "+repo+"/issues/comments/{id}", s.editComment)
	mux.HandleFunc("DELETE "+repo+"/issues/comments/{id}", s.deleteComment)
	mux.HandleFunc("GET "+repo+"/issues", s.listIssues)
	mux.HandleFunc("POST "+repo+"/issues", s.createIssue)
	mux.HandleFunc("PATCH "+repo+"/issues/{number}", s.updateIssue)
}

func (s *Server) commentJSON(c *Comment) map[string]any {
	kind := "issues"
	if _, ok := s.st.pulls[c.IssueNumber]; ok {
		kind = "pull"
	}
	return map[string]any{
		"id":                 c.ID,
		"node_id":            c.NodeID,
		"url":                fmt.Sprintf("%s/issues/comments/%d", s.repoAPI(), c.ID),
		"html_url":           fmt.Sprintf("%s/%s/%d#issuecomment-%d", s.repoHTML(), kind, c.IssueNumber, c.ID),
		"issue_url":          fmt.Sprintf("%s/issues/%d", s.repoAPI(), c.IssueNumber),
		"body":               c.Body,
		"user":               s.user(c.Author),
		"author_association": "NONE",
		"created_at":         timestamp(c.CreatedAt),
		"updated_at":         timestamp(c.UpdatedAt),
	}
}

// checkBody answers 422 as GitHub does for a missing or too long body.
func checkBody(w http.ResponseWriter, resource, body string, required bool) bool {
	switch {
	case required && body == "":
		validationFailed(w, fieldError{Resource: resource, Code: "missing_field", Field: "body"})
		return false
	case utf8.RuneCountInString(body) > MaxBody:
		validationFailed(w, fieldError{Resource: resource, Code: "custom", Field: "body",
			Message: fmt.Sprintf("Body is too long (maximum is %d characters)", MaxBody)})
		return false
	}
	return true
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	n, ok := pathInt(w, r, "number")
	if !ok || !s.repoOK(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.numberTaken(int(n)) {
		notFound(w)
		return
	}
	page := paginate(s, w, r, s.st.commentsOf(int(n)))
	out := make([]any, len(page))
	for i, c := range page {
		out[i] = s.commentJSON(c)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	n, ok := pathInt(w, r, "number")
	if !ok || !s.repoOK(w, r) {
		return
	}
	var req struct {
		Body string `json:"body"`
	}
	if !decodeBody(w, r, &req) || !checkBody(w, "IssueComment", req.Body, true) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.numberTaken(int(n)) {
		notFound(w)
		return
	}
	c := s.addComment(int(n), s.opts.Login, req.Body)
	if is, ok := s.st.issues[int(n)]; ok {
		is.UpdatedAt = c.CreatedAt
	}
	w.Header().Set("Location", fmt.Sprintf("%s/issues/comments/%d", s.repoAPI(), c.ID))
	writeJSON(w, http.StatusCreated, s.commentJSON(c))
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "id")
	if !ok || !s.repoOK(w, r) {
		return
	}
	var req struct {
		Body string `json:"body"`
	}
	if !decodeBody(w, r, &req) || !checkBody(w, "IssueComment", req.Body, true) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.st.comments[id]
	if !ok {
		notFound(w)
		return
	}
	c.Body = req.Body
	c.UpdatedAt = s.st.now()
	writeJSON(w, http.StatusOK, s.commentJSON(c))
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "id")
	if !ok || !s.repoOK(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.st.comments[id]
	if !ok {
		notFound(w)
		return
	}
	delete(s.st.comments, id)
	delete(s.st.byNode, c.NodeID)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) labelsJSON(labels []string) []any {
	out := make([]any, len(labels))
	for i, l := range labels {
		out[i] = map[string]any{"name": l, "id": len(l)*97 + 1, "color": "ededed", "default": false}
	}
	return out
}

func (s *Server) issueJSON(is *Issue) map[string]any {
	return map[string]any{
		"id":         int64(is.Number) * 1009,
		"node_id":    fmt.Sprintf("I_kwDOfake%d", is.Number),
		"number":     is.Number,
		"title":      is.Title,
		"body":       is.Body,
		"state":      is.State,
		"labels":     s.labelsJSON(is.Labels),
		"user":       s.user(is.Author),
		"comments":   len(s.st.commentsOf(is.Number)),
		"url":        fmt.Sprintf("%s/issues/%d", s.repoAPI(), is.Number),
		"html_url":   fmt.Sprintf("%s/issues/%d", s.repoHTML(), is.Number),
		"created_at": timestamp(is.CreatedAt),
		"updated_at": timestamp(is.UpdatedAt),
		"closed_at":  timestamp(is.ClosedAt),
	}
}

// pullAsIssueJSON is a pull request as the issues endpoints show it.
func (s *Server) pullAsIssueJSON(pr *pullRecord) map[string]any {
	is := Issue{Number: pr.Number, Title: pr.Title, Body: pr.Body, State: pr.State, Labels: pr.Labels, Author: pr.Author,
		CreatedAt: pr.createdAt, UpdatedAt: pr.updatedAt, ClosedAt: pr.closedAt}
	out := s.issueJSON(&is)
	out["html_url"] = fmt.Sprintf("%s/pull/%d", s.repoHTML(), pr.Number)
	out["pull_request"] = map[string]any{
		"url":      fmt.Sprintf("%s/pulls/%d", s.repoAPI(), pr.Number),
		"html_url": fmt.Sprintf("%s/pull/%d", s.repoHTML(), pr.Number),
	}
	return out
}

func (s *Server) listIssues(w http.ResponseWriter, r *http.Request) {
	if !s.repoOK(w, r) {
		return
	}
	q := r.URL.Query()
	state := cmp.Or(q.Get("state"), "open")
	var labels []string
	if l := q.Get("labels"); l != "" {
		labels = strings.Split(l, ",")
	}
	match := func(st string, have []string) bool {
		if state != "all" && state != st {
			return false
		}
		for _, l := range labels {
			if !slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, strings.TrimSpace(l)) }) {
				return false
			}
		}
		return true
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	type entry struct {
		number int
		json   map[string]any
	}
	var all []entry
	for _, is := range s.st.issues {
		if match(is.State, is.Labels) {
			all = append(all, entry{is.Number, s.issueJSON(is)})
		}
	}
	for _, pr := range s.st.pulls {
		if match(pr.State, pr.Labels) {
			all = append(all, entry{pr.Number, s.pullAsIssueJSON(pr)})
		}
	}
	// GitHub's default order: newest first.
	slices.SortFunc(all, func(a, b entry) int { return b.number - a.number })
	page := paginate(s, w, r, all)
	out := make([]any, len(page))
	for i, e := range page {
		out[i] = e.json
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request) {
	if !s.repoOK(w, r) {
		return
	}
	var req struct {
		Title  string   `json:"title"`
		Body   string   `json:"body"`
		Labels []string `json:"labels"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if req.Title == "" {
		validationFailed(w, fieldError{Resource: "Issue", Code: "missing_field", Field: "title"})
		return
	}
	if !checkBody(w, "Issue", req.Body, false) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.addIssue(Issue{Title: req.Title, Body: req.Body, Labels: req.Labels})
	w.Header().Set("Location", fmt.Sprintf("%s/issues/%d", s.repoAPI(), is.Number))
	writeJSON(w, http.StatusCreated, s.issueJSON(is))
}

// updateIssue edits an issue. Pull requests (which GitHub also lets this
// endpoint edit) are not supported and answer 404.
func (s *Server) updateIssue(w http.ResponseWriter, r *http.Request) {
	n, ok := pathInt(w, r, "number")
	if !ok || !s.repoOK(w, r) {
		return
	}
	var req struct {
		Title  *string   `json:"title"`
		Body   *string   `json:"body"`
		State  *string   `json:"state"`
		Labels *[]string `json:"labels"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		validationFailed(w, fieldError{Resource: "Issue", Code: "invalid", Field: "state"})
		return
	}
	if req.Title != nil && *req.Title == "" {
		validationFailed(w, fieldError{Resource: "Issue", Code: "missing_field", Field: "title"})
		return
	}
	if req.Body != nil && !checkBody(w, "Issue", *req.Body, false) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.st.issues[int(n)]
	if !ok {
		notFound(w)
		return
	}
	now := s.st.now()
	if req.Title != nil {
		is.Title = *req.Title
	}
	if req.Body != nil {
		is.Body = *req.Body
	}
	if req.Labels != nil {
		is.Labels = slices.Clone(*req.Labels)
	}
	if req.State != nil && *req.State != is.State {
		is.State = *req.State
		is.ClosedAt = time.Time{}
		if is.State == "closed" {
			is.ClosedAt = now
		}
	}
	is.UpdatedAt = now
	writeJSON(w, http.StatusOK, s.issueJSON(is))
}
