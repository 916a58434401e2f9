// Package action is honua-gitops as a GitHub Action: it reads the
// action.yml inputs and the workflow event, picks what to do (plan on a
// pull request, apply on a push to the default branch, what the inputs say
// on workflow_dispatch, drift on a schedule), and runs the same use cases
// as the CLI, reporting through one sticky PR comment, the job summary,
// annotations, outputs, GitHub Deployments and drift issues.
package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/githubapi"
	"github.com/honua-io/honua-gitops/internal/interrupt"
	"github.com/honua-io/honua-gitops/internal/prcomment"
	"github.com/honua-io/honua-gitops/internal/redact"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// Deps are the Action's dependencies; tests replace them.
type Deps struct {
	Getenv  func(string) string
	Stdout  io.Writer
	Now     func() time.Time
	Logger  *slog.Logger
	Version string
	// NewGitHub builds the GitHub client; nil uses githubapi.New.
	NewGitHub func(githubapi.Config) (GitHub, error)
	// Connect opens Honua targets; nil uses the real drivers.
	Connect usecase.Connector
	// Interrupt stops deployments gracefully on a signal (GitHub cancels a
	// job with SIGINT, then SIGTERM); nil in tests.
	Interrupt *interrupt.Controller
}

// runner carries one Action run.
type runner struct {
	deps    Deps
	gha     *githubactions.Action
	masker  *githubactions.Action
	in      Inputs
	ev      event
	ws      *usecase.Workspace
	dir     string
	gh      GitHub
	ghErr   error
	red     *redact.Redactor
	getenv  func(string) string
	outputs map[string]string
	// summaryBudget is shared by every job summary write.
	summaryBudget *prcomment.SummaryBudget
}

// Run runs the Action. The returned error carries the exit code (see
// app.CodeFor); its message has already been reported as an annotation.
func Run(ctx context.Context, deps Deps) error {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	red := &redact.Redactor{}
	out := red.Writer(deps.Stdout)
	gha := githubactions.New(githubactions.WithGetenv(deps.Getenv), githubactions.WithWriter(out))
	// ::add-mask:: must carry the raw value for the runner to mask it, so it
	// goes around the redactor; everything else goes through it.
	raw := githubactions.New(githubactions.WithGetenv(deps.Getenv), githubactions.WithWriter(deps.Stdout))
	r := &runner{deps: deps, gha: gha, masker: raw, red: red, outputs: map[string]string{}, summaryBudget: prcomment.NewSummaryBudget(0)}
	err := r.run(ctx)
	r.flushOutputs()
	if err != nil && !errors.Is(err, app.ErrChangesPresent) {
		r.gha.Errorf("%s", red.String(err.Error()))
	}
	return err
}

func (r *runner) run(ctx context.Context) error {
	in, err := readInputs(r.gha.GetInput)
	if err != nil {
		return err
	}
	r.in = in
	r.mask(in.HonuaAPIKey, in.GitHubToken)
	ghctx, err := r.gha.Context()
	if err != nil {
		return fmt.Errorf("read the workflow context: %w", err)
	}
	r.ev = readEvent(ghctx)
	if err := refuseEvent(r.ev); err != nil {
		r.setOutput("result", "refused")
		return err
	}
	r.getenv = r.environment()
	// config-dir is relative to the workspace (where actions/checkout put
	// the repository), whatever the process's working directory is.
	r.dir = in.ConfigDir
	if r.ev.Workspace != "" && !filepath.IsAbs(in.ConfigDir) {
		r.dir = filepath.Join(r.ev.Workspace, in.ConfigDir)
	}
	cmd := resolveCommand(in, r.ev)
	r.gha.Infof("honua-gitops %s: %s on %s event", r.deps.Version, cmd, r.ev.Name)
	r.connectGitHub(ghctx)

	ws, err := usecase.OpenWorkspace(r.dir)
	if err != nil {
		return r.invalid(ctx, err)
	}
	if in.StateBranch != "" {
		ws.Config.StateBranch = in.StateBranch
	}
	r.ws = ws
	switch cmd {
	case CommandPlan:
		return r.plan(ctx)
	case CommandApply:
		return r.apply(ctx)
	case CommandRollback:
		return r.rollback(ctx)
	case CommandDrift:
		return r.drift(ctx)
	case CommandStatus:
		return r.status(ctx)
	case CommandImport:
		return r.importPR(ctx)
	case CommandAcceptDrift:
		return r.acceptDriftPR(ctx)
	}
	return fmt.Errorf("unknown command %q", cmd)
}

// environment is the process environment as the use cases see it: the
// honua-api-key input is HONUA_API_KEY, so targets follow the CLI's one
// credential rule (cmdutil.Credential: the target's credential.env, else
// HONUA_API_KEY), and the github-token input authenticates state-branch
// pushes.
func (r *runner) environment() func(string) string {
	return func(k string) string {
		switch {
		case k == "GITHUB_ACTIONS":
			return "true"
		case k == "HONUA_GITOPS_GIT_TOKEN" && r.in.GitHubToken != "":
			return r.in.GitHubToken
		case k == config.DefaultCredentialEnv && r.in.HonuaAPIKey != "":
			return r.in.HonuaAPIKey
		}
		return r.deps.Getenv(k)
	}
}

func (r *runner) connectGitHub(ghctx *githubactions.GitHubContext) {
	owner, repo, _ := strings.Cut(ghctx.Repository, "/")
	cfg := githubapi.Config{Token: r.in.GitHubToken, APIURL: ghctx.APIURL, GraphQLURL: ghctx.GraphqlURL, Owner: owner, Repo: repo,
		UserAgent: "honua-gitops/" + r.deps.Version, Redact: r.red.Bytes}
	if r.in.GitHubToken == "" {
		r.ghErr = errors.New("no github-token input")
		return
	}
	newGH := r.deps.NewGitHub
	if newGH == nil {
		newGH = func(c githubapi.Config) (GitHub, error) { return githubapi.New(c) }
	}
	r.gh, r.ghErr = newGH(cfg)
}

// stateBranch opens the state branch on origin.
func (r *runner) stateBranch() (*statebranch.Store, error) {
	return cmdutil.RequireStateBranch(r.dir, r.ws.Config, cmdutil.BranchFlags{Push: true}, r.getenv)
}

func (r *runner) connector() usecase.Connector {
	if r.deps.Connect != nil {
		return r.deps.Connect
	}
	return cmdutil.Connector(r.deps.Logger)
}

func (r *runner) setOutput(k, v string) { r.outputs[k] = v }

// flushOutputs writes every declared output, empty when not set, so
// workflows can test them without errors.
func (r *runner) flushOutputs() {
	if r.deps.Getenv("GITHUB_OUTPUT") == "" {
		return
	}
	for _, k := range outputNames {
		r.gha.SetOutput(k, r.red.String(r.outputs[k]))
	}
}

// summary appends to the job summary: redacted, and within the step's one
// byte budget, whichever path writes it (a plan, a refusal, a rollback, a
// fork's read-only plan).
func (r *runner) summary(md string) {
	if r.deps.Getenv("GITHUB_STEP_SUMMARY") == "" {
		return
	}
	if md = r.summaryBudget.Take(r.red.String(md)); md != "" {
		r.gha.AddStepSummary(md)
	}
}

// workspacePath resolves a path in the workspace for files other steps use
// (upload-artifact resolves relative paths from there too).
func (r *runner) workspacePath(rel string) string {
	if r.ev.Workspace != "" {
		return filepath.Join(r.ev.Workspace, rel)
	}
	return rel
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// mask hides secret values: the runner masks them in every log line, and
// the redactor in everything this process writes.
func (r *runner) mask(values ...string) {
	for _, v := range values {
		if v != "" {
			r.masker.AddMask(v)
		}
	}
	short := r.red.Short()
	r.red.Add(values...)
	if n := r.red.Short() - short; n > 0 {
		r.gha.Warningf("%s", redact.ShortWarning(n))
	}
}
