package fakegithub

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"time"
)

// PullRequest seeds a pull request. Pull requests and issues share one
// number space, as on GitHub.
type PullRequest struct {
	Number         int // 0 picks the next free number
	Title          string
	Body           string
	HeadSHA        string
	BaseRef        string // default "main"
	HeadRef        string
	Author         string // default "octocat"
	State          string // "open" (default) or "closed"; merged pull requests are closed
	Merged         bool
	MergeCommitSHA string
	// HeadRepoFullName is the head repository, "owner/repo"; default the
	// served repository. Another value makes the pull request a fork's.
	HeadRepoFullName string
	Labels           []string
	Files            []string // changed files; see also SetPullRequestFileChanges
}

// File is one changed file of a pull request.
type File struct {
	Filename         string
	PreviousFilename string // set for renames
	Status           string // added, removed, modified (default), renamed, ...
}

// Review is a pull request review.
type Review struct {
	ID          int64 // 0 assigns one
	User        string
	State       string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
	CommitID    string // default the pull request's head SHA
	Body        string
	SubmittedAt time.Time // default now; never set for PENDING
}

// Comment is an issue or pull request comment.
type Comment struct {
	ID              int64
	NodeID          string
	IssueNumber     int
	Author          string
	Body            string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Minimized       bool
	MinimizedReason string // the classifier, e.g. OUTDATED
}

// Deployment is a deployment with its statuses, oldest status first.
type Deployment struct {
	ID                    int64
	Ref                   string
	SHA                   string
	Task                  string
	Environment           string
	Description           string
	Payload               any
	Creator               string
	ProductionEnvironment bool
	TransientEnvironment  bool
	RequiredContexts      []string // nil when the request left them unset
	AutoMerge             bool
	CreatedAt             time.Time
	Statuses              []DeploymentStatus
}

// DeploymentStatus is one status of a deployment.
type DeploymentStatus struct {
	ID             int64
	State          string
	EnvironmentURL string
	LogURL         string
	Description    string
	Creator        string
	CreatedAt      time.Time
}

// Issue is an issue with its comments, oldest first.
type Issue struct {
	Number    int
	Title     string
	Body      string
	State     string // open or closed
	Labels    []string
	Author    string
	CreatedAt time.Time
	UpdatedAt time.Time
	ClosedAt  time.Time
	Comments  []Comment
}

type pullRecord struct {
	PullRequest
	id        int64
	files     []File
	reviews   []Review
	createdAt time.Time
	updatedAt time.Time
	closedAt  time.Time // zero while open
}

// touch records a change to the pull request: GitHub moves updated_at on
// every edit, and closed_at when the state changes.
func (pr *pullRecord) touch(now time.Time) {
	pr.updatedAt = now
	if pr.State == "closed" {
		if pr.closedAt.IsZero() {
			pr.closedAt = now
		}
	} else {
		pr.closedAt = time.Time{}
	}
}

// store is the server's state; every access holds Server.mu.
type store struct {
	lastID      int64
	lastTime    time.Time
	issues      map[int]*Issue
	pulls       map[int]*pullRecord
	comments    map[int64]*Comment
	byNode      map[string]int64
	commits     map[string][]int             // sha → pull request numbers
	deployments []*Deployment                // oldest first
	graph       map[string]*commitNode       // sha → commit, see AddCommit
	graphSeq    int                          // commits added so far
	runs        map[int64]*workflowRun       // run id → run, see SetRun
	permissions map[string]string            // lower-case login → role, see SetPermission
	teams       map[string]map[string]string // lower-case org/slug → lower-case login → state, see SetTeamMembers
}

func (st *store) init() {
	st.lastID = 1_000_000_000
	st.issues = map[int]*Issue{}
	st.pulls = map[int]*pullRecord{}
	st.comments = map[int64]*Comment{}
	st.byNode = map[string]int64{}
	st.commits = map[string][]int{}
	st.graph = map[string]*commitNode{}
	st.runs = map[int64]*workflowRun{}
	st.permissions = map[string]string{}
	st.teams = map[string]map[string]string{}
}

// id returns a new id, unique across every kind of object.
func (st *store) id() int64 {
	st.lastID++
	return st.lastID
}

// now is the wall clock at second precision (as GitHub reports it), made
// strictly increasing so objects created in a row sort by time.
func (st *store) now() time.Time {
	t := time.Now().UTC().Truncate(time.Second)
	if !t.After(st.lastTime) {
		t = st.lastTime.Add(time.Second)
	}
	st.lastTime = t
	return t
}

func (st *store) nextNumber() int {
	n := 0
	for k := range st.issues {
		n = max(n, k)
	}
	for k := range st.pulls {
		n = max(n, k)
	}
	return n + 1
}

func (st *store) numberTaken(n int) bool {
	_, issue := st.issues[n]
	_, pull := st.pulls[n]
	return issue || pull
}

// addComment stores a new comment on issue or pull request number.
func (s *Server) addComment(number int, author, body string) *Comment {
	st := &s.st
	id := st.id()
	now := st.now()
	c := &Comment{
		ID: id, IssueNumber: number, Author: author, Body: body, CreatedAt: now, UpdatedAt: now,
		NodeID: "IC_kwDO" + base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s/%s:%d", s.opts.Owner, s.opts.Repo, id)),
	}
	st.comments[id] = c
	st.byNode[c.NodeID] = id
	return c
}

// commentsOf returns the comments of issue number, oldest first.
func (st *store) commentsOf(number int) []*Comment {
	var out []*Comment
	for _, c := range st.comments {
		if c.IssueNumber == number {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *Comment) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// AddPullRequest seeds a pull request and returns its number. It panics if
// the number is taken by another issue or pull request.
func (s *Server) AddPullRequest(pr PullRequest) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.st
	if pr.Number == 0 {
		pr.Number = st.nextNumber()
	}
	if st.numberTaken(pr.Number) {
		panic(fmt.Sprintf("fakegithub: number #%d is already taken", pr.Number))
	}
	if pr.BaseRef == "" {
		pr.BaseRef = "main"
	}
	if pr.Author == "" {
		pr.Author = "octocat"
	}
	if pr.Title == "" {
		pr.Title = fmt.Sprintf("Pull request #%d", pr.Number)
	}
	if pr.State == "" {
		pr.State = "open"
	}
	if pr.Merged {
		pr.State = "closed"
	}
	if pr.HeadRepoFullName == "" {
		pr.HeadRepoFullName = s.opts.Owner + "/" + s.opts.Repo
	}
	pr.Labels = slices.Clone(pr.Labels)
	s.addPull(pr)
	return pr.Number
}

// addPull stores pr, whose defaults are already filled in.
func (s *Server) addPull(pr PullRequest) *pullRecord {
	st := &s.st
	now := st.now()
	rec := &pullRecord{PullRequest: pr, id: st.id(), createdAt: now}
	rec.touch(now)
	rec.files = plainFiles(pr.Files)
	rec.Files = nil
	st.pulls[pr.Number] = rec
	return rec
}

func plainFiles(names []string) []File {
	files := make([]File, len(names))
	for i, n := range names {
		files[i] = File{Filename: n, Status: "modified"}
	}
	return files
}

// SetPullRequestFiles replaces the changed files of a pull request.
func (s *Server) SetPullRequestFiles(number int, files []string) {
	s.SetPullRequestFileChanges(number, plainFiles(files))
}

// SetPullRequestFileChanges replaces the changed files of a pull request,
// with renames and statuses.
func (s *Server) SetPullRequestFileChanges(number int, files []File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustPull(number).files = slices.Clone(files)
}

// MarkMerged merges pull request number as commit sha (closed, merged, with
// that merge commit).
func (s *Server) MarkMerged(number int, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.mustPull(number)
	pr.Merged, pr.State, pr.MergeCommitSHA = true, "closed", sha
	pr.touch(s.st.now())
}

// SetHead moves pull request number's head to sha (a new push).
func (s *Server) SetHead(number int, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustPull(number).HeadSHA = sha
}

// AssociateCommit makes GET /commits/{sha}/pulls list pull request number.
// A pull request's head SHA, and the merge commit SHA of a merged one, are
// associated without this.
func (s *Server) AssociateCommit(sha string, number int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustPull(number)
	s.st.commits[sha] = append(s.st.commits[sha], number)
}

// AddReview adds a review to pull request number and returns its id.
func (s *Server) AddReview(number int, r Review) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.mustPull(number)
	if r.ID == 0 {
		r.ID = s.st.id()
	}
	if r.CommitID == "" {
		r.CommitID = pr.HeadSHA
	}
	if r.SubmittedAt.IsZero() && r.State != "PENDING" {
		r.SubmittedAt = s.st.now()
	}
	pr.reviews = append(pr.reviews, r)
	return r.ID
}

// AddComment adds a comment by author to issue or pull request number and
// returns its id.
func (s *Server) AddComment(number int, author, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.numberTaken(number) {
		panic(fmt.Sprintf("fakegithub: no issue or pull request #%d", number))
	}
	return s.addComment(number, author, body).ID
}

// AddIssue seeds an issue and returns its number.
func (s *Server) AddIssue(is Issue) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addIssue(is).Number
}

func (s *Server) addIssue(is Issue) *Issue {
	st := &s.st
	if is.Number == 0 {
		is.Number = st.nextNumber()
	}
	if st.numberTaken(is.Number) {
		panic(fmt.Sprintf("fakegithub: number #%d is already taken", is.Number))
	}
	if is.State == "" {
		is.State = "open"
	}
	if is.Author == "" {
		is.Author = s.opts.Login
	}
	now := st.now()
	if is.CreatedAt.IsZero() {
		is.CreatedAt = now
	}
	is.UpdatedAt = now
	if is.State == "closed" && is.ClosedAt.IsZero() {
		is.ClosedAt = now
	}
	is.Labels = slices.Clone(is.Labels)
	is.Comments = nil
	st.issues[is.Number] = &is
	return &is
}

func (s *Server) mustPull(number int) *pullRecord {
	pr, ok := s.st.pulls[number]
	if !ok {
		panic(fmt.Sprintf("fakegithub: no pull request #%d", number))
	}
	return pr
}

// Comments returns the comments of issue or pull request number, oldest
// first.
func (s *Server) Comments(number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.st.commentsOf(number) {
		out = append(out, *c)
	}
	return out
}

// Deployments returns every deployment, oldest first, with its statuses.
func (s *Server) Deployments() []Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Deployment, len(s.st.deployments))
	for i, d := range s.st.deployments {
		out[i] = *d
		out[i].Statuses = slices.Clone(d.Statuses)
		out[i].RequiredContexts = slices.Clone(d.RequiredContexts)
	}
	return out
}

// PullRequests returns every pull request, seeded or created through the
// API, by number, with its changed files in Files. It is how a test sees
// the pull requests the Action opened.
func (s *Server) PullRequests() []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PullRequest, 0, len(s.st.pulls))
	for _, pr := range s.st.pulls {
		out = append(out, pr.snapshot())
	}
	slices.SortFunc(out, func(a, b PullRequest) int { return a.Number - b.Number })
	return out
}

// PullRequest returns pull request number, and false when there is none.
func (s *Server) PullRequest(number int) (PullRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr, ok := s.st.pulls[number]
	if !ok {
		return PullRequest{}, false
	}
	return pr.snapshot(), true
}

// snapshot copies pr for a caller outside the lock.
func (pr *pullRecord) snapshot() PullRequest {
	out := pr.PullRequest
	out.Labels = slices.Clone(pr.Labels)
	out.Files = nil
	for _, f := range pr.files {
		out.Files = append(out.Files, f.Filename)
	}
	return out
}

// Issues returns every issue (not pull requests), by number, with its
// comments.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Issue
	for _, is := range s.st.issues {
		c := *is
		c.Labels = slices.Clone(is.Labels)
		for _, cm := range s.st.commentsOf(is.Number) {
			c.Comments = append(c.Comments, *cm)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Issue) int { return a.Number - b.Number })
	return out
}
