package fakegithub

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// commitNode is one commit of the graph tests describe with AddCommit.
type commitNode struct {
	sha     string
	parents []string
	seq     int // order of AddCommit, standing in for commit dates
}

// AddCommit tells the fake that commit sha exists with parents (none for a
// root commit), so that GET /compare/{base}...{head} can answer from the
// ancestry, as GitHub does from the full history whatever the depth of the
// Action's checkout. Parents must be added first; adding a commit again
// with the same parents does nothing. It panics on a conflicting repeat or
// an unknown parent.
func (s *Server) AddCommit(sha string, parents ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.st
	if old, ok := st.graph[sha]; ok {
		if !slices.Equal(old.parents, parents) {
			panic(fmt.Sprintf("fakegithub: commit %s was added with parents %v, now %v", sha, old.parents, parents))
		}
		return
	}
	for _, p := range parents {
		if _, ok := st.graph[p]; !ok {
			panic(fmt.Sprintf("fakegithub: parent %s of commit %s is unknown; add it first", p, sha))
		}
	}
	st.graphSeq++
	st.graph[sha] = &commitNode{sha: sha, parents: slices.Clone(parents), seq: st.graphSeq}
}

func (s *Server) routeCompare(mux *http.ServeMux) {
	// go-github query-escapes base and head, so a branch name with a slash
	// stays within this one segment.
	mux.HandleFunc("GET "+apiPrefix+"/repos/{owner}/{repo}/compare/{basehead}", s.compareCommits)
}

// compareCommits answers GET /repos/{owner}/{repo}/compare/{base}...{head}:
// status, ahead_by and behind_by from the commit graph, and the commits head
// has that base lacks, oldest first and paginated. Commits it was not told
// about are 404, as on GitHub.
func (s *Server) compareCommits(w http.ResponseWriter, r *http.Request) {
	if !s.repoOK(w, r) {
		return
	}
	baseSHA, headSHA, ok := strings.Cut(r.PathValue("basehead"), "...")
	if !ok {
		notFound(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	base, head := s.st.graph[baseSHA], s.st.graph[headSHA]
	if base == nil || head == nil {
		notFound(w)
		return
	}
	fromBase, fromHead := s.st.ancestors(base), s.st.ancestors(head)
	var ahead, behind []*commitNode
	for sha := range fromHead {
		if !fromBase[sha] {
			ahead = append(ahead, s.st.graph[sha])
		}
	}
	for sha := range fromBase {
		if !fromHead[sha] {
			behind = append(behind, s.st.graph[sha])
		}
	}
	slices.SortFunc(ahead, func(a, b *commitNode) int { return a.seq - b.seq })

	status := "identical"
	switch {
	case len(ahead) > 0 && len(behind) > 0:
		status = "diverged"
	case len(ahead) > 0:
		status = "ahead"
	case len(behind) > 0:
		status = "behind"
	}
	page := paginate(s, w, r, ahead)
	commits := make([]any, len(page))
	for i, c := range page {
		commits[i] = s.commitJSON(c)
	}
	html := fmt.Sprintf("%s/compare/%s...%s", s.repoHTML(), baseSHA, headSHA)
	out := map[string]any{
		"url":           fmt.Sprintf("%s/compare/%s...%s", s.repoAPI(), baseSHA, headSHA),
		"html_url":      html,
		"permalink_url": html,
		"diff_url":      html + ".diff",
		"patch_url":     html + ".patch",
		"base_commit":   s.commitJSON(base),
		"status":        status,
		"ahead_by":      len(ahead),
		"behind_by":     len(behind),
		"total_commits": len(ahead),
		"commits":       commits,
		"files":         []any{},
	}
	if mb := s.st.mergeBase(fromBase, fromHead); mb != nil {
		out["merge_base_commit"] = s.commitJSON(mb)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) commitJSON(c *commitNode) map[string]any {
	parents := make([]any, len(c.parents))
	for i, p := range c.parents {
		parents[i] = map[string]any{"sha": p, "url": s.repoAPI() + "/commits/" + p}
	}
	return map[string]any{
		"sha":      c.sha,
		"node_id":  "C_kwDOfake" + c.sha[:min(len(c.sha), 12)],
		"url":      s.repoAPI() + "/commits/" + c.sha,
		"html_url": s.repoHTML() + "/commit/" + c.sha,
		"commit":   map[string]any{"message": "commit " + c.sha},
		"parents":  parents,
	}
}

// ancestors returns c and every commit reachable from it.
func (st *store) ancestors(c *commitNode) map[string]bool {
	seen := map[string]bool{c.sha: true}
	queue := []*commitNode{c}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, p := range n.parents {
			if !seen[p] {
				seen[p] = true
				queue = append(queue, st.graph[p])
			}
		}
	}
	return seen
}

// mergeBase picks the last added common ancestor, nil when the histories
// are unrelated. Parents are added before their children, so no other
// common ancestor descends from it; with criss-cross merges GitHub may pick
// another of the best ones.
func (st *store) mergeBase(a, b map[string]bool) *commitNode {
	var best *commitNode
	for sha := range a {
		if c := st.graph[sha]; b[sha] && (best == nil || c.seq > best.seq) {
			best = c
		}
	}
	return best
}
