package fakegithub

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

func (s *Server) routePulls(mux *http.ServeMux) {
	repo := apiPrefix + "/repos/{owner}/{repo}"
	mux.HandleFunc("GET "+repo+"/pulls", s.listPulls)
	mux.HandleFunc("POST "+repo+"/pulls", s.createPull)
	mux.HandleFunc("GET "+repo+"/pulls/{number}", s.getPull)
	mux.HandleFunc("PATCH "+repo+"/pulls/{number}", s.updatePull)
	mux.HandleFunc("GET "+repo+"/pulls/{number}/reviews", s.listReviews)
	mux.HandleFunc("GET "+repo+"/pulls/{number}/files", s.listFiles)
	mux.HandleFunc("GET "+repo+"/commits/{sha}/pulls", s.pullsForCommit)
}

func (s *Server) repoJSON(fullName string) map[string]any {
	owner, name, _ := strings.Cut(fullName, "/")
	return map[string]any{
		"full_name": fullName,
		"name":      name,
		"owner":     map[string]any{"login": owner},
		"fork":      !strings.EqualFold(fullName, s.opts.Owner+"/"+s.opts.Repo),
		"html_url":  "https://github.com/" + fullName,
	}
}

func (s *Server) pullJSON(pr *pullRecord) map[string]any {
	self := s.opts.Owner + "/" + s.opts.Repo
	out := map[string]any{
		"id":               pr.id,
		"node_id":          fmt.Sprintf("PR_kwDOfake%d", pr.Number),
		"number":           pr.Number,
		"state":            pr.State,
		"title":            pr.Title,
		"body":             nilIfEmpty(pr.Body),
		"draft":            false,
		"user":             s.user(pr.Author),
		"labels":           s.labelsJSON(pr.Labels),
		"url":              fmt.Sprintf("%s/pulls/%d", s.repoAPI(), pr.Number),
		"html_url":         fmt.Sprintf("%s/pull/%d", s.repoHTML(), pr.Number),
		"merged":           pr.Merged,
		"merge_commit_sha": nilIfEmpty(pr.MergeCommitSHA),
		"head": map[string]any{
			"ref": pr.HeadRef, "sha": pr.HeadSHA, "repo": s.repoJSON(pr.HeadRepoFullName),
			"label": strings.Split(pr.HeadRepoFullName, "/")[0] + ":" + pr.HeadRef,
		},
		"base":       map[string]any{"ref": pr.BaseRef, "repo": s.repoJSON(self), "label": s.opts.Owner + ":" + pr.BaseRef},
		"created_at": timestamp(pr.createdAt),
		"updated_at": timestamp(pr.updatedAt),
		"closed_at":  timestamp(pr.closedAt),
	}
	if pr.Merged {
		out["merged_at"] = timestamp(pr.closedAt)
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// pull looks up pull request {number}, answering 404 when there is none.
func (s *Server) pull(w http.ResponseWriter, r *http.Request) (*pullRecord, bool) {
	n, ok := pathInt(w, r, "number")
	if !ok || !s.repoOK(w, r) {
		return nil, false
	}
	pr, ok := s.st.pulls[int(n)]
	if !ok {
		notFound(w)
	}
	return pr, ok
}

func (s *Server) getPull(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pr, ok := s.pull(w, r); ok {
		writeJSON(w, http.StatusOK, s.pullJSON(pr))
	}
}

func (s *Server) listReviews(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr, ok := s.pull(w, r)
	if !ok {
		return
	}
	page := paginate(s, w, r, pr.reviews)
	out := make([]any, len(page))
	for i, rv := range page {
		out[i] = map[string]any{
			"id":                 rv.ID,
			"node_id":            fmt.Sprintf("PRR_kwDOfake%d", rv.ID),
			"user":               s.user(rv.User),
			"body":               rv.Body,
			"state":              rv.State,
			"commit_id":          rv.CommitID,
			"submitted_at":       timestamp(rv.SubmittedAt),
			"author_association": "MEMBER",
			"html_url":           fmt.Sprintf("%s/pull/%d#pullrequestreview-%d", s.repoHTML(), pr.Number, rv.ID),
			"pull_request_url":   fmt.Sprintf("%s/pulls/%d", s.repoAPI(), pr.Number),
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr, ok := s.pull(w, r)
	if !ok {
		return
	}
	page := paginate(s, w, r, pr.files)
	out := make([]any, len(page))
	for i, f := range page {
		status := f.Status
		if status == "" {
			status = "modified"
			if f.PreviousFilename != "" {
				status = "renamed"
			}
		}
		file := map[string]any{"filename": f.Filename, "status": status, "additions": 1, "deletions": 1, "changes": 2}
		if f.PreviousFilename != "" {
			file["previous_filename"] = f.PreviousFilename
		}
		out[i] = file
	}
	writeJSON(w, http.StatusOK, out)
}

// pullsForCommit lists the pull requests associated with a commit: those
// seeded with AssociateCommit, those whose head is the commit and merged
// ones whose merge commit it is.
func (s *Server) pullsForCommit(w http.ResponseWriter, r *http.Request) {
	if !s.repoOK(w, r) {
		return
	}
	sha := r.PathValue("sha")
	s.mu.Lock()
	defer s.mu.Unlock()
	numbers := slices.Clone(s.st.commits[sha])
	for n, pr := range s.st.pulls {
		if pr.HeadSHA == sha || (pr.Merged && pr.MergeCommitSHA == sha) {
			numbers = append(numbers, n)
		}
	}
	slices.Sort(numbers)
	numbers = slices.Compact(numbers)
	all := make([]any, len(numbers))
	for i, n := range numbers {
		all[i] = s.pullJSON(s.st.pulls[n])
	}
	writeJSON(w, http.StatusOK, paginate(s, w, r, all))
}

// selfRepo is the served repository's "owner/repo".
func (s *Server) selfRepo() string { return s.opts.Owner + "/" + s.opts.Repo }

// openDuplicate returns the open pull request other than except from the
// served repository's branch head into base, or nil: GitHub allows only one.
func (s *Server) openDuplicate(head, base string, except int) *pullRecord {
	for n, pr := range s.st.pulls {
		if n != except && pr.State == "open" && pr.HeadRef == head && pr.BaseRef == base &&
			strings.EqualFold(pr.HeadRepoFullName, s.selfRepo()) {
			return pr
		}
	}
	return nil
}

// alreadyExists answers GitHub's 422 for a second open pull request from
// the same head into the same base.
func (s *Server) alreadyExists(w http.ResponseWriter, head string) {
	validationFailed(w, fieldError{Resource: "PullRequest", Code: "custom",
		Message: fmt.Sprintf("A pull request already exists for %s:%s.", s.opts.Owner, head)})
}

// createPull answers POST /repos/{owner}/{repo}/pulls for a head branch in
// the served repository, given as "branch" or "owner:branch". The fake
// knows no branches, so the head SHA is left empty (a test that needs it
// calls SetHead) and no "No commits between" check is made beyond head ==
// base. Forks (another owner) and converting an issue are not supported.
func (s *Server) createPull(w http.ResponseWriter, r *http.Request) {
	if !s.repoOK(w, r) {
		return
	}
	var req struct {
		Title *string `json:"title"`
		Head  string  `json:"head"`
		Base  string  `json:"base"`
		Body  string  `json:"body"`
		Issue *int    `json:"issue"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	head := req.Head
	if owner, branch, ok := strings.Cut(head, ":"); ok {
		if !strings.EqualFold(owner, s.opts.Owner) {
			validationFailed(w, fieldError{Resource: "PullRequest", Code: "invalid", Field: "head"})
			return
		}
		head = branch
	}
	switch {
	case req.Issue != nil:
		validationFailed(w, fieldError{Resource: "PullRequest", Code: "invalid", Field: "issue",
			Message: "fakegithub: converting an issue to a pull request is not supported"})
		return
	case head == "":
		validationFailed(w, fieldError{Resource: "PullRequest", Code: "missing_field", Field: "head"})
		return
	case req.Base == "":
		validationFailed(w, fieldError{Resource: "PullRequest", Code: "missing_field", Field: "base"})
		return
	case req.Title == nil || *req.Title == "":
		validationFailed(w, fieldError{Resource: "PullRequest", Code: "missing_field", Field: "title"})
		return
	case head == req.Base:
		validationFailed(w, fieldError{Resource: "PullRequest", Code: "custom",
			Message: fmt.Sprintf("No commits between %s and %s", req.Base, head)})
		return
	}
	if !checkBody(w, "PullRequest", req.Body, false) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.openDuplicate(head, req.Base, 0) != nil {
		s.alreadyExists(w, head)
		return
	}
	pr := s.addPull(PullRequest{
		Number: s.st.nextNumber(), Title: *req.Title, Body: req.Body, HeadRef: head, BaseRef: req.Base,
		Author: s.opts.Login, State: "open", HeadRepoFullName: s.selfRepo(),
	})
	w.Header().Set("Location", fmt.Sprintf("%s/pulls/%d", s.repoAPI(), pr.Number))
	writeJSON(w, http.StatusCreated, s.pullJSON(pr))
}

// listPulls answers GET /repos/{owner}/{repo}/pulls with GitHub's filters:
// state (open by default, closed, all), head as "owner:branch" and base,
// newest first unless direction=asc. As on GitHub, a head without the
// owner prefix filters nothing, so a client that forgets it finds out here
// rather than in production.
func (s *Server) listPulls(w http.ResponseWriter, r *http.Request) {
	if !s.repoOK(w, r) {
		return
	}
	q := r.URL.Query()
	state := cmp.Or(q.Get("state"), "open")
	if state != "open" && state != "closed" && state != "all" {
		validationFailed(w, fieldError{Resource: "PullRequest", Code: "invalid", Field: "state"})
		return
	}
	headOwner, headRef, byHead := strings.Cut(q.Get("head"), ":")
	base := q.Get("base")

	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*pullRecord
	for _, pr := range s.st.pulls {
		owner, _, _ := strings.Cut(pr.HeadRepoFullName, "/")
		switch {
		case state != "all" && pr.State != state,
			byHead && (!strings.EqualFold(owner, headOwner) || pr.HeadRef != headRef),
			base != "" && pr.BaseRef != base:
			continue
		}
		all = append(all, pr)
	}
	slices.SortFunc(all, func(a, b *pullRecord) int { return b.Number - a.Number })
	if q.Get("direction") == "asc" {
		slices.Reverse(all)
	}
	page := paginate(s, w, r, all)
	out := make([]any, len(page))
	for i, pr := range page {
		out[i] = s.pullJSON(pr)
	}
	writeJSON(w, http.StatusOK, out)
}

// updatePull answers PATCH /repos/{owner}/{repo}/pulls/{number}: title,
// body, state and base, each only when sent.
func (s *Server) updatePull(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		State *string `json:"state"`
		Base  *string `json:"base"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	switch {
	case req.State != nil && *req.State != "open" && *req.State != "closed":
		validationFailed(w, fieldError{Resource: "PullRequest", Code: "invalid", Field: "state"})
		return
	case req.Title != nil && *req.Title == "":
		validationFailed(w, fieldError{Resource: "PullRequest", Code: "missing_field", Field: "title"})
		return
	case req.Base != nil && *req.Base == "":
		validationFailed(w, fieldError{Resource: "PullRequest", Code: "missing_field", Field: "base"})
		return
	case req.Body != nil && !checkBody(w, "PullRequest", *req.Body, false):
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pr, ok := s.pull(w, r)
	if !ok {
		return
	}
	state, base := pr.State, pr.BaseRef
	if req.State != nil {
		state = *req.State
	}
	if req.Base != nil {
		base = *req.Base
	}
	switch {
	case pr.Merged && state != pr.State:
		validationFailed(w, fieldError{Resource: "PullRequest", Code: "custom", Field: "state",
			Message: "state cannot be changed. The pull request has been merged."})
		return
	case state == "open" && s.openDuplicate(pr.HeadRef, base, pr.Number) != nil:
		// Reopening, or retargeting an open one, must not make a second
		// open pull request for the same head and base.
		s.alreadyExists(w, pr.HeadRef)
		return
	}
	if req.Title != nil {
		pr.Title = *req.Title
	}
	if req.Body != nil {
		pr.Body = *req.Body
	}
	pr.State, pr.BaseRef = state, base
	pr.touch(s.st.now())
	writeJSON(w, http.StatusOK, s.pullJSON(pr))
}
