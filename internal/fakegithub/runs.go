package fakegithub

import (
	"fmt"
	"net/http"
)

// workflowRun is a GitHub Actions run registered with SetRun.
type workflowRun struct {
	id                 int64
	status, conclusion string
}

// SetRun tells the fake that workflow run id of the served repository has
// status ("queued", "in_progress", "completed", ...) and conclusion
// ("success", "failure", "cancelled", ... or "" while it runs), so that
// GET /actions/runs/{id} can answer; setting it again replaces both, as a
// run moves on. Runs never set are 404, as on GitHub.
func (s *Server) SetRun(id int64, status, conclusion string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.runs[id] = &workflowRun{id: id, status: status, conclusion: conclusion}
}

func (s *Server) routeRuns(mux *http.ServeMux) {
	mux.HandleFunc("GET "+apiPrefix+"/repos/{owner}/{repo}/actions/runs/{run_id}", s.getWorkflowRun)
}

// getWorkflowRun answers GET /repos/{owner}/{repo}/actions/runs/{run_id}
// with the fields honua-gitops reads; conclusion is null until the run
// completes, as on GitHub.
func (s *Server) getWorkflowRun(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "run_id")
	if !ok || !s.repoOK(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	run := s.st.runs[id]
	if run == nil {
		notFound(w)
		return
	}
	var conclusion any
	if run.conclusion != "" {
		conclusion = run.conclusion
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":         run.id,
		"status":     run.status,
		"conclusion": conclusion,
		"url":        fmt.Sprintf("%s/actions/runs/%d", s.repoAPI(), run.id),
		"html_url":   fmt.Sprintf("%s/actions/runs/%d", s.repoHTML(), run.id),
	})
}
