package fakegithub

import (
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxStatusDescription is GitHub's documented limit on a deployment status
// description, in characters.
const MaxStatusDescription = 140

var (
	shaRE            = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
	deploymentStates = []string{"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}
)

func (s *Server) routeDeployments(mux *http.ServeMux) {
	repo := apiPrefix + "/repos/{owner}/{repo}"
	mux.HandleFunc("POST "+repo+"/deployments", s.createDeployment)
	mux.HandleFunc("GET "+repo+"/deployments", s.listDeployments)
	mux.HandleFunc("POST "+repo+"/deployments/{id}/statuses", s.createDeploymentStatus)
	mux.HandleFunc("GET "+repo+"/deployments/{id}/statuses", s.listDeploymentStatuses)
}

func (s *Server) deploymentJSON(d *Deployment) map[string]any {
	url := fmt.Sprintf("%s/deployments/%d", s.repoAPI(), d.ID)
	return map[string]any{
		"id":                     d.ID,
		"node_id":                fmt.Sprintf("DE_kwDOfake%d", d.ID),
		"url":                    url,
		"sha":                    d.SHA,
		"ref":                    d.Ref,
		"task":                   d.Task,
		"payload":                cmp.Or[any](d.Payload, map[string]any{}),
		"original_environment":   d.Environment,
		"environment":            d.Environment,
		"description":            d.Description,
		"creator":                s.user(d.Creator),
		"created_at":             timestamp(d.CreatedAt),
		"updated_at":             timestamp(d.CreatedAt),
		"statuses_url":           url + "/statuses",
		"repository_url":         s.repoAPI(),
		"transient_environment":  d.TransientEnvironment,
		"production_environment": d.ProductionEnvironment,
	}
}

func (s *Server) statusJSON(d *Deployment, st *DeploymentStatus) map[string]any {
	url := fmt.Sprintf("%s/deployments/%d", s.repoAPI(), d.ID)
	return map[string]any{
		"id":              st.ID,
		"node_id":         fmt.Sprintf("DES_kwDOfake%d", st.ID),
		"url":             fmt.Sprintf("%s/statuses/%d", url, st.ID),
		"state":           st.State,
		"creator":         s.user(st.Creator),
		"description":     st.Description,
		"environment":     d.Environment,
		"environment_url": st.EnvironmentURL,
		"log_url":         st.LogURL,
		"target_url":      st.LogURL,
		"created_at":      timestamp(st.CreatedAt),
		"updated_at":      timestamp(st.CreatedAt),
		"deployment_url":  url,
		"repository_url":  s.repoAPI(),
	}
}

// resolveRef turns a deployment ref into a commit: a SHA is itself, a pull
// request's head branch is its head SHA, anything else gets a stable
// made-up SHA.
func (s *Server) resolveRef(ref string) string {
	if shaRE.MatchString(ref) {
		return strings.ToLower(ref)
	}
	for _, pr := range s.st.pulls {
		if pr.HeadRef == ref && pr.HeadSHA != "" {
			return pr.HeadSHA
		}
	}
	sum := sha1.Sum([]byte("ref:" + ref))
	return hex.EncodeToString(sum[:])
}

func (s *Server) createDeployment(w http.ResponseWriter, r *http.Request) {
	if !s.repoOK(w, r) {
		return
	}
	var req struct {
		Ref                   string    `json:"ref"`
		Task                  string    `json:"task"`
		AutoMerge             *bool     `json:"auto_merge"`
		RequiredContexts      *[]string `json:"required_contexts"`
		Payload               any       `json:"payload"`
		Environment           string    `json:"environment"`
		Description           string    `json:"description"`
		TransientEnvironment  bool      `json:"transient_environment"`
		ProductionEnvironment *bool     `json:"production_environment"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if req.Ref == "" {
		validationFailed(w, fieldError{Resource: "Deployment", Code: "missing_field", Field: "ref"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &Deployment{
		ID:                   s.st.id(),
		Ref:                  req.Ref,
		SHA:                  s.resolveRef(req.Ref),
		Task:                 cmp.Or(req.Task, "deploy"),
		Environment:          cmp.Or(req.Environment, "production"),
		Description:          req.Description,
		Payload:              req.Payload,
		Creator:              s.opts.Login,
		TransientEnvironment: req.TransientEnvironment,
		AutoMerge:            req.AutoMerge == nil || *req.AutoMerge,
		CreatedAt:            s.st.now(),
	}
	d.ProductionEnvironment = d.Environment == "production"
	if req.ProductionEnvironment != nil {
		d.ProductionEnvironment = *req.ProductionEnvironment
	}
	if req.RequiredContexts != nil {
		d.RequiredContexts = append([]string{}, *req.RequiredContexts...)
	}
	s.st.deployments = append(s.st.deployments, d)
	writeJSON(w, http.StatusCreated, s.deploymentJSON(d))
}

func (s *Server) listDeployments(w http.ResponseWriter, r *http.Request) {
	if !s.repoOK(w, r) {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []any
	for _, d := range slices.Backward(s.st.deployments) {
		if (q.Get("environment") == "" || q.Get("environment") == d.Environment) &&
			(q.Get("ref") == "" || q.Get("ref") == d.Ref) &&
			(q.Get("sha") == "" || q.Get("sha") == d.SHA) &&
			(q.Get("task") == "" || q.Get("task") == d.Task) {
			all = append(all, s.deploymentJSON(d))
		}
	}
	writeJSON(w, http.StatusOK, paginate(s, w, r, all))
}

// deployment looks up deployment {id}, answering 404 when there is none.
func (s *Server) deployment(w http.ResponseWriter, r *http.Request) (*Deployment, bool) {
	id, ok := pathInt(w, r, "id")
	if !ok || !s.repoOK(w, r) {
		return nil, false
	}
	for _, d := range s.st.deployments {
		if d.ID == id {
			return d, true
		}
	}
	notFound(w)
	return nil, false
}

func (s *Server) createDeploymentStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		State          string `json:"state"`
		LogURL         string `json:"log_url"`
		TargetURL      string `json:"target_url"`
		Description    string `json:"description"`
		Environment    string `json:"environment"`
		EnvironmentURL string `json:"environment_url"`
		AutoInactive   *bool  `json:"auto_inactive"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deployment(w, r)
	if !ok || !decodeBody(w, r, &req) {
		return
	}
	if !slices.Contains(deploymentStates, req.State) {
		validationFailed(w, fieldError{Resource: "DeploymentStatus", Code: "invalid", Field: "state"})
		return
	}
	if utf8.RuneCountInString(req.Description) > MaxStatusDescription {
		validationFailed(w, fieldError{Resource: "DeploymentStatus", Code: "custom", Field: "description",
			Message: fmt.Sprintf("description is too long (maximum is %d characters)", MaxStatusDescription)})
		return
	}
	if req.Environment != "" {
		d.Environment = req.Environment
	}
	st := DeploymentStatus{
		ID: s.st.id(), State: req.State, EnvironmentURL: req.EnvironmentURL,
		LogURL: cmp.Or(req.LogURL, req.TargetURL), Description: req.Description,
		Creator: s.opts.Login, CreatedAt: s.st.now(),
	}
	d.Statuses = append(d.Statuses, st)
	if req.State == "success" && (req.AutoInactive == nil || *req.AutoInactive) {
		s.inactivatePrior(d)
	}
	writeJSON(w, http.StatusCreated, s.statusJSON(d, &st))
}

// inactivatePrior adds an inactive status to every earlier deployment of
// d's environment whose latest status is success, as auto_inactive does.
func (s *Server) inactivatePrior(d *Deployment) {
	for _, old := range s.st.deployments {
		if old.ID >= d.ID || old.Environment != d.Environment || len(old.Statuses) == 0 ||
			old.Statuses[len(old.Statuses)-1].State != "success" {
			continue
		}
		old.Statuses = append(old.Statuses, DeploymentStatus{
			ID: s.st.id(), State: "inactive", Creator: s.opts.Login, CreatedAt: s.st.now(),
		})
	}
}

func (s *Server) listDeploymentStatuses(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deployment(w, r)
	if !ok {
		return
	}
	var all []any
	for i := len(d.Statuses) - 1; i >= 0; i-- {
		all = append(all, s.statusJSON(d, &d.Statuses[i]))
	}
	writeJSON(w, http.StatusOK, paginate(s, w, r, all))
}
