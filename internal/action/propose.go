package action

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// ProposalPrefix starts the name of every branch the Action proposes on;
// the rest is the kind and the environment, for example
// honua-gitops/import-staging.
const ProposalPrefix = "honua-gitops/"

// proposalKinds are the deployment kinds a proposal branch records when its
// pull request merges, by the branch name's kind.
var proposalKinds = map[string]deploy.Kind{"import": deploy.KindImport, "accept-drift": deploy.KindAcceptDrift}

// proposalBranch names the branch of kind ("import" or "accept-drift") for
// env.
func proposalBranch(kind, env string) string { return ProposalPrefix + kind + "-" + env }

// proposalOf reads a head ref back: the kind it records and the
// environment, or ok false for any other branch. The longer kind is tried
// first, so "accept-drift-x" is never read as an import.
func proposalOf(ref string) (deploy.Kind, string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(ref, "refs/heads/"), ProposalPrefix)
	if !ok {
		return "", "", false
	}
	for _, kind := range []string{"accept-drift", "import"} {
		if env, ok := strings.CutPrefix(rest, kind+"-"); ok && env != "" {
			return proposalKinds[kind], env, true
		}
	}
	return "", "", false
}

// proposal is a pull request the Action proposes.
type proposal struct {
	kind, env   string
	files       []usecase.ImportFile
	title, body string
	message     string
}

// oneEnvironment is the environment a proposing command acts on: the
// environments input, or the dispatch input environment, naming exactly
// one that honua-gitops.yaml defines.
func (r *runner) oneEnvironment(cmd Command) (string, error) {
	envs := r.in.Environments
	if len(envs) == 0 && r.ev.Inputs["environment"] != "" {
		envs = []string{r.ev.Inputs["environment"]}
	}
	if len(envs) != 1 {
		return "", app.FlagErrorf("%s needs exactly one environment (input `environments`, or the dispatch input `environment`), not %d", cmd, len(envs))
	}
	if r.ws.Config.Environment(envs[0]) == nil {
		return "", app.FlagErrorf("input `environments` names %q, which honua-gitops.yaml does not define (known: %s)", envs[0], strings.Join(r.ws.Config.EnvironmentNames(), ", "))
	}
	return envs[0], nil
}

// baseBranch is the branch the pull request merges into: the repository's
// default branch, else the dispatched branch.
func (r *runner) baseBranch() string {
	if r.ev.DefaultBranch != "" {
		return r.ev.DefaultBranch
	}
	if b, ok := strings.CutPrefix(r.ev.Ref, "refs/heads/"); ok {
		return b
	}
	return "main"
}

// propose commits p's files on top of the checked-out commit, pushes them
// to p's branch and opens the pull request (or refreshes the open one). It
// returns the pull request's URL, or "" when the files change nothing.
func (r *runner) propose(ctx context.Context, p proposal) (string, error) {
	if r.gh == nil {
		return "", &app.InputError{Err: fmt.Errorf("%s needs the github-token input to open a pull request (%v)", p.kind, r.ghErr)}
	}
	if r.ev.SHA == "" {
		return "", errors.New("no commit to propose on: GITHUB_SHA is empty")
	}
	store, err := r.stateBranch()
	if err != nil {
		return "", err
	}
	files := map[string][]byte{}
	for _, f := range p.files {
		// The checkout's paths are relative to config-dir; the commit's to
		// the repository root. No secret value belongs in a file, and none
		// leaves this process.
		files[path.Clean(r.repoPath(f.Path))] = r.red.Bytes([]byte(f.Content))
	}
	branch := proposalBranch(p.kind, p.env)
	commit, err := store.Propose(ctx, statebranch.Proposal{Branch: branch, Parent: r.ev.SHA, Files: files, Message: p.message})
	if errors.Is(err, statebranch.ErrNoChanges) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("push the proposal to %s: %w", branch, err)
	}
	r.gha.Infof("pushed %s to %s", render.ShortHash(commit), branch)
	base := r.baseBranch()
	open, err := r.gh.OpenPullRequestFor(ctx, branch, base)
	if err != nil {
		return "", err
	}
	if open != nil {
		pr, err := r.gh.UpdatePullRequest(ctx, open.Number, p.title, p.body)
		if err != nil {
			return "", err
		}
		r.gha.Noticef("updated pull request #%d from %s: %s", pr.Number, branch, pr.URL)
		return pr.URL, nil
	}
	pr, err := r.gh.CreatePullRequest(ctx, branch, base, p.title, p.body)
	if err != nil {
		return "", fmt.Errorf("the files are on branch %s; open the pull request from it by hand, or run again: %w", branch, err)
	}
	r.gha.Noticef("opened pull request #%d from %s: %s", pr.Number, branch, pr.URL)
	return pr.URL, nil
}

// proposed sets the outputs of a proposing command.
func (r *runner) proposed(url string) {
	if url == "" {
		r.setOutput("result", "no-changes")
		return
	}
	r.setOutput("result", "proposed")
	r.setOutput("pull-request-url", url)
}

// mdList renders items as a Markdown list, each escaped, or "none".
func mdList(items []string, code bool) string {
	if len(items) == 0 {
		return "_none_\n"
	}
	var b strings.Builder
	for _, it := range items {
		if code {
			b.WriteString("- " + render.CodeSpan(it) + "\n")
		} else {
			b.WriteString("- " + render.EscapeMarkdown(it) + "\n")
		}
	}
	return b.String()
}
