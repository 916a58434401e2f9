package action

import (
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/app"
)

// Command is what the Action does.
type Command string

// Commands; auto picks one from the event.
const (
	CommandAuto     Command = "auto"
	CommandPlan     Command = "plan"
	CommandApply    Command = "apply"
	CommandRollback Command = "rollback"
	CommandDrift    Command = "drift"
	CommandStatus   Command = "status"
	// CommandImport and CommandAcceptDrift propose a pull request that
	// adopts what a server holds; merging it records the deployment.
	CommandImport      Command = "import"
	CommandAcceptDrift Command = "accept-drift"
)

// Inputs are the action.yml inputs (INPUT_* variables).
type Inputs struct {
	Command      Command
	Environments []string
	ConfigDir    string
	HonuaURL     string
	HonuaAPIKey  string
	GitHubToken  string
	StateBranch  string
	Strategy     string
	Deployment   string
	DriftGuard   string
	CommentBytes int
	// TakeOverStaleClaim takes over a claim left by a dead run.
	TakeOverStaleClaim bool
}

// inputNames lists every input action.yml declares; a test keeps them in
// step with action.yml and the test shim.
var inputNames = []string{"command", "environments", "config-dir", "honua-url", "honua-api-key", "github-token",
	"state-branch", "strategy", "deployment", "drift-guard", "take-over-stale-claim", "comment-max-bytes"}

// outputNames lists every output action.yml declares.
var outputNames = []string{"has-changes", "plan-hash", "plan-hashes", "plan-json", "summary", "deployment-id", "result", "comment-url", "pull-request-url"}

// InputNames returns the declared input names.
func InputNames() []string { return append([]string(nil), inputNames...) }

// OutputNames returns the declared output names.
func OutputNames() []string { return append([]string(nil), outputNames...) }

func readInputs(get func(string) string) (Inputs, error) {
	in := Inputs{
		Command:     Command(strings.ToLower(orDefault(get("command"), "auto"))),
		ConfigDir:   orDefault(get("config-dir"), "."),
		HonuaURL:    get("honua-url"),
		HonuaAPIKey: get("honua-api-key"),
		GitHubToken: get("github-token"),
		StateBranch: get("state-branch"),
		Strategy:    orDefault(get("strategy"), "auto"),
		Deployment:  orDefault(get("deployment"), "previous"),
		DriftGuard:  orDefault(get("drift-guard"), "fail"),
	}
	for _, e := range strings.FieldsFunc(get("environments"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		in.Environments = append(in.Environments, strings.TrimSpace(e))
	}
	switch in.Command {
	case CommandAuto, CommandPlan, CommandApply, CommandRollback, CommandDrift, CommandStatus, CommandImport, CommandAcceptDrift:
	default:
		return in, app.FlagErrorf("input `command` must be auto, plan, apply, rollback, drift, status, import or accept-drift, not %q", in.Command)
	}
	switch in.Strategy {
	case "auto", "manifest", "resources":
	default:
		return in, app.FlagErrorf("input `strategy` must be auto, manifest or resources, not %q", in.Strategy)
	}
	switch in.DriftGuard {
	case "fail", "warn", "overwrite":
	default:
		return in, app.FlagErrorf("input `drift-guard` must be fail, warn or overwrite, not %q", in.DriftGuard)
	}
	switch strings.ToLower(orDefault(get("take-over-stale-claim"), "false")) {
	case "true":
		in.TakeOverStaleClaim = true
	case "false":
	default:
		return in, app.FlagErrorf("input `take-over-stale-claim` must be true or false, not %q", get("take-over-stale-claim"))
	}
	in.CommentBytes = 60000
	if v := get("comment-max-bytes"); v != "" {
		if _, err := fmt.Sscanf(v, "%d", &in.CommentBytes); err != nil || in.CommentBytes < 4000 || in.CommentBytes > 65000 {
			return in, app.FlagErrorf("input `comment-max-bytes` must be a number from 4000 to 65000, not %q", v)
		}
	}
	return in, nil
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}
