package action

import (
	"fmt"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/honua-io/honua-gitops/internal/app"
)

// event is what the Action needs from the workflow run's context.
type event struct {
	Name       string
	Repository string
	SHA        string
	Ref        string
	RunURL     string
	RunID      int64
	Actor      string
	Workspace  string
	// pull_request
	PR       int
	HeadSHA  string
	HeadRef  string
	BaseRef  string
	HeadRepo string
	// push
	DefaultBranch string
	// workflow_dispatch
	Inputs map[string]string
}

func readEvent(gh *githubactions.GitHubContext) event {
	e := event{Name: gh.EventName, Repository: gh.Repository, SHA: gh.SHA, Ref: gh.Ref, Actor: gh.Actor, Workspace: gh.Workspace, Inputs: map[string]string{}}
	if gh.ServerURL != "" && gh.Repository != "" && gh.RunID != 0 {
		e.RunURL = fmt.Sprintf("%s/%s/actions/runs/%d", strings.TrimSuffix(gh.ServerURL, "/"), gh.Repository, gh.RunID)
		e.RunID = gh.RunID
	}
	ev := gh.Event
	if pr, ok := ev["pull_request"].(map[string]any); ok {
		e.PR = num(pr["number"])
		if head, ok := pr["head"].(map[string]any); ok {
			e.HeadSHA, _ = head["sha"].(string)
			e.HeadRef, _ = head["ref"].(string)
			if repo, ok := head["repo"].(map[string]any); ok {
				e.HeadRepo, _ = repo["full_name"].(string)
			}
		}
		if base, ok := pr["base"].(map[string]any); ok {
			e.BaseRef, _ = base["ref"].(string)
		}
	}
	if repo, ok := ev["repository"].(map[string]any); ok {
		e.DefaultBranch, _ = repo["default_branch"].(string)
	}
	if after, ok := ev["after"].(string); ok && e.Name == "push" && after != "" {
		e.SHA = after
	}
	if in, ok := ev["inputs"].(map[string]any); ok {
		for k, v := range in {
			e.Inputs[k] = fmt.Sprint(v)
		}
	}
	if e.HeadSHA == "" {
		e.HeadSHA = e.SHA
	}
	return e
}

// pushToDefaultBranch reports a push to the repository's default branch,
// whatever it is called.
func (e event) pushToDefaultBranch() bool {
	return e.Name == "push" && e.DefaultBranch != "" && e.Ref == "refs/heads/"+e.DefaultBranch
}

// fork reports a pull request from another repository: its token is read
// only and it gets no secrets.
func (e event) fork() bool {
	return e.PR > 0 && e.HeadRepo != "" && !strings.EqualFold(e.HeadRepo, e.Repository)
}

// refuseEvent refuses events the Action must never run on, whatever the
// command. pull_request_target runs with a write token and the
// repository's secrets while the workflow typically checks out the pull
// request's head, a fork's files: planning them would hand the fork's
// author the Honua credentials (a connection's secret placeholders, a
// target URL of their choosing) and a token that can push the state
// branch. pull_request gives a fork a read-only token and no secrets, and
// the Action plans into the job summary there.
func refuseEvent(e event) error {
	if e.Name == "pull_request_target" {
		return &app.RefusedError{Reason: "honua-gitops does not run on pull_request_target: it gives a fork's changes a write token and the repository's secrets; " +
			"trigger the workflow on pull_request instead (see README: \"Fork PRs and least privilege\")"}
	}
	return nil
}

func num(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case int:
		return x
	}
	return 0
}

// resolveCommand picks what to do: the command input, or in auto mode the
// event — pull_request plans, a push to the default branch applies,
// workflow_dispatch does what its inputs say, schedule checks drift.
func resolveCommand(in Inputs, e event) Command {
	if in.Command != CommandAuto {
		return in.Command
	}
	switch e.Name {
	case "pull_request":
		return CommandPlan
	case "push":
		if e.pushToDefaultBranch() {
			return CommandApply
		}
		return CommandPlan
	case "workflow_dispatch":
		if c := Command(strings.ToLower(e.Inputs["command"])); c != "" {
			switch c {
			case CommandPlan, CommandApply, CommandRollback, CommandDrift, CommandStatus, CommandImport, CommandAcceptDrift:
				return c
			}
		}
		return CommandPlan
	case "schedule":
		return CommandDrift
	}
	return CommandPlan
}
