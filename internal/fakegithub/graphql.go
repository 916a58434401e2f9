package fakegithub

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// The GraphQL endpoint understands three operations, recognised by name
// rather than parsed: the minimizeComment mutation, a nodes(ids:) query
// that reports isMinimized of issue comments, and viewer { login }, which
// answers the token's login even for installation tokens (App and
// GITHUB_TOKEN), as GitHub does, unless Options.HideGraphQLViewer is set. Arguments come from variables
// or from string literals in the query. Like GitHub it answers 200 and puts
// failures in the "errors" array.

var (
	gqlSubjectRE    = regexp.MustCompile(`subjectId:\s*"([^"]+)"`)
	gqlClassifierRE = regexp.MustCompile(`classifier:\s*([A-Z_]+)`)
	gqlIDsRE        = regexp.MustCompile(`ids:\s*\[([^\]]*)\]`)
	gqlStringRE     = regexp.MustCompile(`"([^"]+)"`)
	classifiers     = []string{"SPAM", "ABUSE", "OFF_TOPIC", "OUTDATED", "DUPLICATE", "RESOLVED"}
)

type gqlError struct {
	Type    string   `json:"type,omitempty"`
	Path    []string `json:"path,omitempty"`
	Message string   `json:"message"`
}

func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case strings.Contains(req.Query, "minimizeComment"):
		writeJSON(w, http.StatusOK, s.minimizeComment(req.Query, req.Variables))
	case strings.Contains(req.Query, "nodes("):
		writeJSON(w, http.StatusOK, s.nodes(req.Query, req.Variables))
	case strings.Contains(req.Query, "viewer"):
		writeJSON(w, http.StatusOK, s.viewer())
	default:
		writeJSON(w, http.StatusOK, map[string]any{"errors": []gqlError{{Message: "fakegithub: unsupported GraphQL operation"}}})
	}
}

// gqlArg returns argument name: the variable the query binds to it, or a
// literal matched by re.
func gqlArg(query string, vars map[string]any, name string, re *regexp.Regexp) string {
	if m := regexp.MustCompile(name + `:\s*\$(\w+)`).FindStringSubmatch(query); m != nil {
		v, _ := vars[m[1]].(string)
		return v
	}
	if m := re.FindStringSubmatch(query); m != nil {
		return m[1]
	}
	return ""
}

func (s *Server) minimizeComment(query string, vars map[string]any) map[string]any {
	fail := func(typ, msg string) map[string]any {
		return map[string]any{
			"data":   map[string]any{"minimizeComment": nil},
			"errors": []gqlError{{Type: typ, Path: []string{"minimizeComment"}, Message: msg}},
		}
	}
	id := gqlArg(query, vars, "subjectId", gqlSubjectRE)
	classifier := gqlArg(query, vars, "classifier", gqlClassifierRE)
	if !slices.Contains(classifiers, classifier) {
		return map[string]any{"errors": []gqlError{{Message: fmt.Sprintf(
			"Argument 'classifier' on InputObject 'MinimizeCommentInput' has an invalid value (%s). Expected type 'ReportedContentClassifiers!'.", classifier)}}}
	}
	if s.opts.ReadOnly {
		return fail("FORBIDDEN", "Resource not accessible by integration")
	}
	cid, ok := s.st.byNode[id]
	if !ok {
		return fail("NOT_FOUND", fmt.Sprintf("Could not resolve to a node with the global id of '%s'.", id))
	}
	c := s.st.comments[cid]
	c.Minimized, c.MinimizedReason = true, classifier
	return map[string]any{"data": map[string]any{"minimizeComment": map[string]any{
		"minimizedComment": map[string]any{"isMinimized": true, "minimizedReason": strings.ToLower(classifier)},
	}}}
}

func (s *Server) nodes(query string, vars map[string]any) map[string]any {
	var ids []string
	if m := regexp.MustCompile(`ids:\s*\$(\w+)`).FindStringSubmatch(query); m != nil {
		list, _ := vars[m[1]].([]any)
		for _, v := range list {
			id, _ := v.(string)
			ids = append(ids, id)
		}
	} else if m := gqlIDsRE.FindStringSubmatch(query); m != nil {
		for _, lit := range gqlStringRE.FindAllStringSubmatch(m[1], -1) {
			ids = append(ids, lit[1])
		}
	}
	nodes := make([]any, len(ids))
	var errs []gqlError
	for i, id := range ids {
		cid, ok := s.st.byNode[id]
		if !ok {
			errs = append(errs, gqlError{Type: "NOT_FOUND", Path: []string{"nodes", fmt.Sprint(i)},
				Message: fmt.Sprintf("Could not resolve to a node with the global id of '%s'.", id)})
			continue
		}
		c := s.st.comments[cid]
		var reason any
		if c.Minimized {
			reason = strings.ToLower(c.MinimizedReason)
		}
		nodes[i] = map[string]any{"__typename": "IssueComment", "id": c.NodeID, "databaseId": c.ID,
			"isMinimized": c.Minimized, "minimizedReason": reason}
	}
	out := map[string]any{"data": map[string]any{"nodes": nodes}}
	if len(errs) > 0 {
		out["errors"] = errs
	}
	return out
}

func (s *Server) viewer() map[string]any {
	if s.opts.HideGraphQLViewer {
		return map[string]any{"data": map[string]any{"viewer": nil},
			"errors": []gqlError{{Type: "FORBIDDEN", Path: []string{"viewer"}, Message: "Resource not accessible by integration"}}}
	}
	return map[string]any{"data": map[string]any{"viewer": map[string]any{"login": s.opts.Login, "databaseId": userID(s.opts.Login)}}}
}
