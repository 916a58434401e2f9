package fakegithub

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

func (s *Server) routePulls(mux *http.ServeMux) {
	repo := apiPrefix + "/repos/{owner}/{repo}"
	mux.HandleFunc("GET "+repo+"/pulls/{number}", s.getPull)
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
		"updated_at": timestamp(pr.createdAt),
	}
	if pr.State == "closed" {
		out["closed_at"] = timestamp(pr.createdAt)
	}
	if pr.Merged {
		out["merged_at"] = timestamp(pr.createdAt)
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
