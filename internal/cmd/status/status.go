// Package status is the `honua-gitops status` command.
package status

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmdutil"
	"github.com/honua-io/honua-gitops/internal/iostreams"
	"github.com/honua-io/honua-gitops/internal/redact"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/state"
	"github.com/honua-io/honua-gitops/internal/statebranch"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// Options are the inputs of status.
type Options struct {
	IO      *iostreams.IOStreams
	Getenv  func(string) string
	Logger  *slog.Logger
	Version string
	Now     func() time.Time
	Env     cmdutil.EnvFlags
	Targets cmdutil.TargetFlags
	Branch  cmdutil.BranchFlags
	Format  string
	Connect usecase.Connector
}

// NewCmdStatus builds the command.
func NewCmdStatus(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv, Logger: f.Logger, Version: f.Version, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what is deployed where, and how far git is ahead of it",
		Long: `For each environment (or one, with --env): the deployed source commit and how
many commits the default branch is ahead of it, the last deployment and its
result and age, whether a deployment holds the environment now, and drift
when a target is given or its credential is set.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(opts.Targets.Targets) > 0 && opts.Env.Env == "" {
				// A --target is one server of one environment: checking
				// every environment against it would report the others'
				// differences as drift.
				return app.FlagErrorf("`--target` names a server of one environment: add `--env NAME`")
			}
			return run(cmd.Context(), opts)
		},
	}
	cmdutil.AddEnvFlags(cmd, &opts.Env, "")
	cmdutil.AddTargetFlags(cmd, &opts.Targets)
	cmd.Flags().BoolVar(&opts.Branch.Push, "fetch", false, "read the state branch from origin (always in GitHub Actions)")
	cmdutil.AddFormatFlag(cmd, &opts.Format, "output `format`: text or json", "text", "json")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	red := &redact.Redactor{}
	out := red.Writer(opts.IO.Out)
	h, err := cmdutil.OpenHistory(opts.Env, opts.Branch, opts.Getenv)
	if err != nil {
		return err
	}
	ws, store := h.Workspace, h.Branch
	statuses, err := usecase.Status(ctx, store, h.Environments, func(c string) (string, int) { return cmdutil.Ahead(opts.Env.Dir, c) })
	if err != nil {
		return err
	}
	for i := range statuses {
		checkDrift(ctx, opts, ws, store, red, &statuses[i])
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		// An object, not a bare array, so fields can be added later.
		return enc.Encode(struct {
			Environments []usecase.EnvironmentStatus `json:"environments"`
		}{nonNil(statuses)})
	}
	writeText(out, statuses, opts.Now())
	return nil
}

// checkDrift reads live state when a target can be reached: given with
// --target, or configured with its credential set. It never fails status.
func checkDrift(ctx context.Context, opts *Options, ws *usecase.Workspace, store *statebranch.Store, red *redact.Redactor, st *usecase.EnvironmentStatus) {
	env := ws.Config.Environment(st.Environment)
	targets, err := opts.Targets.Resolve(env, opts.Getenv, true, "honua-gitops/"+opts.Version)
	if err != nil || len(targets) == 0 {
		st.DriftNote = "not checked (no target credential)"
		return
	}
	cmdutil.MaskCredentials(red, targets, opts.IO.ErrOut)
	connect := opts.Connect
	if connect == nil {
		connect = cmdutil.Connector(opts.Logger)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	reports, err := ws.Drift(ctx, st.Environment, targets, state.Branch{Store: store, Name: ws.Config.StateBranch}, connect)
	if err != nil {
		st.DriftNote = "not checked: " + err.Error()
		return
	}
	st.Drift = map[string]int{}
	for _, r := range reports {
		if r.Error != "" {
			st.DriftNote = r.Target + " unreachable"
			continue
		}
		st.Drift[r.Target] = len(r.Drift)
	}
}

func writeText(w io.Writer, statuses []usecase.EnvironmentStatus, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENVIRONMENT\tDEPLOYED\tBEHIND\tLAST DEPLOYMENT\tRESULT\tAGE\tSERVER\tDRIFT")
	for _, s := range statuses {
		deployed, behind := "-", "-"
		if s.Deployed != nil {
			deployed = cmp.Or(render.ShortSHA(s.Deployed.SourceCommit), "-")
			if s.RolledBack() {
				deployed = "rolled back to " + s.Deployed.RollbackTo
			}
			switch {
			case s.Ahead == 0:
				behind = "up to date"
			case s.Ahead > 0:
				behind = fmt.Sprintf("%d on %s", s.Ahead, s.DefaultBranch)
			default:
				behind = "unknown"
			}
		}
		last, result, age, server := "never deployed", "-", "-", "-"
		if l := s.Latest; l != nil {
			server = cmp.Or(l.Generation(), "-")
			last = fmt.Sprintf("%s %s", l.ID, l.Kind)
			result = string(l.Status)
			at := l.FinishedAt
			if at.IsZero() {
				at = l.StartedAt
			}
			age = usecase.Age(now, at)
		}
		if s.Claim != nil {
			result += fmt.Sprintf(" (held by %s)", s.Claim.Deployment)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Environment, deployed, behind, last, result, age, server, driftText(s))
	}
	_ = tw.Flush()
}

func driftText(s usecase.EnvironmentStatus) string {
	if len(s.Drift) == 0 {
		if s.DriftNote != "" {
			return s.DriftNote
		}
		return "-"
	}
	total := 0
	for _, n := range s.Drift {
		total += n
	}
	if total == 0 {
		return "none"
	}
	return fmt.Sprintf("%d drifted", total)
}

func nonNil(s []usecase.EnvironmentStatus) []usecase.EnvironmentStatus {
	if s == nil {
		return []usecase.EnvironmentStatus{}
	}
	return s
}
