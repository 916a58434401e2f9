package action

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/render"
	"github.com/honua-io/honua-gitops/internal/usecase"
)

// importPR is the dispatch `command: import`: it reads what the target of
// one environment holds, as `honua-gitops import --dry-run` would, and
// proposes the files in a pull request. Nothing is recorded now: the
// resources stay unowned until the pull request merges, and the merge's
// apply records them (see adopt.go), so an unreviewed import never makes a
// plan on main delete anything.
func (r *runner) importPR(ctx context.Context) error {
	env, err := r.oneEnvironment(CommandImport)
	if err != nil {
		return err
	}
	target, err := r.importTarget(env)
	if err != nil {
		return err
	}
	// Force: files of the environment may be replaced, because the pull
	// request's diff is reviewed before anything counts. DryRun: the
	// checkout and the state branch stay as they are.
	report, err := r.ws.Import(ctx, usecase.ImportRequest{Environment: env, Target: target, Connect: r.connector(),
		Force: true, DryRun: true, Actor: r.ev.Actor, Now: r.deps.Now, Log: r.deps.Logger})
	if err != nil {
		var in *app.InputError
		if report != nil && len(report.Files) == 0 && errors.As(err, &in) {
			r.gha.Noticef("%s: %v", env, r.red.String(err.Error()))
			r.summary(fmt.Sprintf("### honua-gitops import of %s: nothing to import\n\n%s\n", render.EscapeMarkdown(env), render.EscapeMarkdown(err.Error())))
			r.proposed("")
			return nil
		}
		return err
	}
	server := target.Name
	if server == "" {
		server = target.URL
	}
	url, err := r.propose(ctx, proposal{
		kind: "import", env: env, files: report.Files,
		title:   fmt.Sprintf("honua-gitops: import %s from %s", env, server),
		body:    importBody(report),
		message: fmt.Sprintf("Import %s from %s\n\nWhat %s holds, in the repository format, written by honua-gitops import.\nMerging records an import deployment that writes nothing to the server.", env, server, report.Target),
	})
	if err != nil {
		return err
	}
	r.summary(importSummary(report, url))
	r.proposed(url)
	return nil
}

// importTarget is the one target import reads: the environment's only
// target, or the one the honua-url input names.
func (r *runner) importTarget(env string) (driver.Target, error) {
	targets, err := r.targets(r.ws.Config.Environment(env))
	if err != nil {
		return driver.Target{}, err
	}
	if len(targets) == 1 {
		return targets[0], nil
	}
	_, named, _ := parseHonuaURL(r.in.HonuaURL)
	if len(named) == 1 {
		for _, t := range targets {
			if _, ok := named[t.Name]; ok {
				return t, nil
			}
		}
	}
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.Name
	}
	return driver.Target{}, app.FlagErrorf("import reads one target, and %s has %d (%s): name the one to read with `honua-url: NAME=URL`", env, len(targets), strings.Join(names, ", "))
}

// importBody is the pull request's description. Every value from the
// server is escaped; the GitHub client redacts secrets from it.
func importBody(rep *usecase.ImportReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nhonua-gitops read what %s holds and wrote it into **%s** in the repository format: server defaults and server-owned values left out, secrets only as placeholders.\n\n",
		proposalMarker("import", rep.Environment), render.CodeSpan(rep.Target), render.EscapeMarkdown(rep.Environment))
	fmt.Fprintf(&b, "**Merging this pull request records an `import` deployment of %s that writes nothing to the server**: the imported resources become owned, so the next plan says \"No changes\". Until it merges they are not owned, and no plan deletes them. Resources edited in this pull request before the merge are applied as usual.\n\n",
		render.EscapeMarkdown(rep.Environment))
	b.WriteString("### Files\n\n| File | Resources |\n| --- | --- |\n")
	total := 0
	for _, f := range rep.Files {
		total += len(f.Resources)
		fmt.Fprintf(&b, "| %s | %d |\n", render.CodeCell(f.Path), len(f.Resources))
	}
	fmt.Fprintf(&b, "\n%d resources in %d files.\n\n", total, len(rep.Files))
	b.WriteString("### Not imported\n\n" + mdList(rep.Skipped, false) + "\n")
	b.WriteString("### Secrets to set\n\n")
	if len(rep.Secrets) == 0 {
		b.WriteString("None: no secret value had to be left out.\n")
		return b.String()
	}
	b.WriteString("The server never returns secret values, so these placeholders stand for them; set each as a secret of the workflow before an apply needs it:\n\n")
	var ph []string
	for _, s := range rep.Secrets {
		ph = append(ph, "${secret:"+s+"}")
	}
	b.WriteString(mdList(ph, true))
	return b.String()
}

func importSummary(rep *usecase.ImportReport, url string) string {
	if url == "" {
		return fmt.Sprintf("### honua-gitops import of %s: no changes\n\nThe repository already holds what %s holds.\n", render.EscapeMarkdown(rep.Environment), render.EscapeMarkdown(rep.Target))
	}
	return fmt.Sprintf("### honua-gitops import of %s\n\nProposed in %s: %d files.\n", render.EscapeMarkdown(rep.Environment), url, len(rep.Files))
}

// proposalMarker identifies the pull request's body as the Action's.
func proposalMarker(kind, env string) string {
	return "<!-- honua-gitops:proposal kind=" + kind + " env=" + env + " -->"
}
