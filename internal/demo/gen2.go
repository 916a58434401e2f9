package demo

import (
	"context"
	"fmt"
	"strings"
)

// runGen2 is the walkthrough against a Generation 2 ("Metadata v2") server,
// the generation every current Honua release is. The emulator starts from a
// seed holding the city's services (with settings that differ from git) and
// its database, so the first apply adopts a server that already runs.
func runGen2(ctx context.Context, s *session) error {
	s.title("honua-gitops demo: GitOps for Honua geospatial servers (Generation 2)")
	s.say("A git repository holds the city's Honua configuration (examples/honua-config);")
	s.say("a local Honua emulator stands in for the staging server at " + s.url + ":")
	s.say("a Generation 2 (Metadata v2) server that already runs the city's services, configured facet by facet.")

	s.step("1. Validate every environment (nothing is contacted)")
	if err := s.run(ctx, 0, "validate"); err != nil {
		return err
	}

	s.step("2. Plan staging against the live server: honua-gitops detects Generation 2")
	if err := s.runGen2Plan(ctx, false, "plan", "--env", "staging", "--target", s.url); err != nil {
		return err
	}

	s.step("3. First apply: adopt the existing services, publish the layers, record what was applied")
	before, err := readGen2Log(ctx, s.url)
	if err != nil {
		return err
	}
	if err := s.runGen2Apply(ctx, 0, "apply", "--env", "staging", "--target", s.url); err != nil {
		return err
	}
	after, err := readGen2Log(ctx, s.url)
	if err != nil {
		return err
	}
	s.say(fmt.Sprintf("(emulator log: revision %d → %d, %d facet writes)", before.Revision, after.Revision, len(after.Writes)-len(before.Writes)))

	s.step("4. Edit a field alias in git; plan → apply writes exactly that facet")
	if err := s.edit("environments/common/layers/planning.yaml", "alias: Site address}", "alias: Street address}"); err != nil {
		return err
	}
	if err := s.runGen2Plan(ctx, true, "plan", "--env", "staging", "--target", s.url); err != nil {
		return err
	}
	if err := s.git(ctx, "commit", "-qam", "Rename the parcels address field"); err != nil {
		return err
	}
	if err := s.runGen2Apply(ctx, 0, "apply", "--env", "staging", "--target", s.url); err != nil {
		return err
	}

	s.step("5. Apply again: nothing changed in git, so nothing is written")
	before, err = readGen2Log(ctx, s.url)
	if err != nil {
		return err
	}
	if err := s.runGen2Apply(ctx, 0, "apply", "--env", "staging", "--target", s.url); err != nil {
		return err
	}
	after, err = readGen2Log(ctx, s.url)
	if err != nil {
		return err
	}
	s.say(fmt.Sprintf("(GET /__emulator/gen2/log before and after: %s)", revisionLine(before, after)))
	if after.Revision != before.Revision {
		return fmt.Errorf("demo: a no-op apply wrote to the server: %s", revisionLine(before, after))
	}

	s.step("6. Someone changes a service in Honua's admin UI; drift is detected")
	protocols := []string{"FeatureServer"}
	if err := setServiceProtocols(ctx, s.url, "streets", protocols); err != nil {
		return err
	}
	s.say(`(PUT /api/v1/admin/services/streets/protocols: enabledProtocols = ["FeatureServer"])`)
	if err := s.run(ctx, 0, "drift", "--env", "staging", "--target", s.url); err != nil {
		return err
	}

	s.step("7. Roll back one step: the drift guard refuses first, then restores git's earlier state")
	if err := s.runGen2Apply(ctx, 4, "rollback", "--env", "staging", "--steps", "1", "--target", s.url); err != nil {
		return err
	}
	if err := s.runGen2Apply(ctx, 0, "rollback", "--env", "staging", "--steps", "1", "--target", s.url, "--drift-guard", "overwrite"); err != nil {
		return err
	}
	alias, err := fieldAlias(ctx, s.url, "gis-postgis", "land-records", "parcels", "situs_address")
	if err != nil {
		return err
	}
	live, err := serviceProtocols(ctx, s.url, "streets")
	if err != nil {
		return err
	}
	s.say(fmt.Sprintf("(read back from the server: parcels.situs_address alias = %q; streets protocols = %s)", alias, jsonList(live)))
	if err := s.run(ctx, 0, "deployments", "--env", "staging"); err != nil {
		return err
	}
	if err := s.run(ctx, 0, "status", "--env", "staging", "--target", s.url); err != nil {
		return err
	}
	s.say("\nExit codes: 0 ok, 1 runtime failure, 2 invalid input, 3 changes (--detailed-exitcode), 4 refused.")
	s.say("Run `make demo GENERATION=1` for the same loop against a Generation 1 (declarative) server.")
	return nil
}

func revisionLine(before, after gen2Log) string {
	if after.Revision == before.Revision {
		return fmt.Sprintf("revision %d → %d: nothing written", before.Revision, after.Revision)
	}
	return fmt.Sprintf("revision %d → %d: %d writes", before.Revision, after.Revision, len(after.Writes)-len(before.Writes))
}

// runGen2Plan shows a plan against a Generation 2 target: the resources and
// the summary, and of the notes only those that name a whole kind the
// generation cannot hold (Theme, MapTemplate), counting the per-field ones
// so the walkthrough stays on one screen. With changesOnly, resource lines
// of unchanged resources are not printed (the plan does not print them
// anyway) and the notes are left out entirely.
func (s *session) runGen2Plan(ctx context.Context, changesOnly bool, args ...string) error {
	out, err := s.exec(ctx, 0, args...)
	notes, fieldNotes := false, 0
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "Notes:"):
			notes = true
			if !changesOnly {
				fmt.Fprintln(s.cfg.Out, line)
			}
		case notes && strings.Contains(line, "has no Generation 2 surface"):
			if !changesOnly {
				fmt.Fprintln(s.cfg.Out, line)
			}
		case notes && strings.HasPrefix(line, "  - "):
			fieldNotes++
		case notes:
		case !changesOnly && strings.HasPrefix(line, "      "):
			// per-field lines of a first plan: the resource lines say enough
		default:
			fmt.Fprintln(s.cfg.Out, line)
		}
	}
	if fieldNotes > 0 && !changesOnly {
		fmt.Fprintf(s.cfg.Out, "  (and %d notes naming fields such as title and description that Generation 2 has no setting for: kept in git, never written)\n", fieldNotes)
	}
	if err != nil {
		fmt.Fprint(s.cfg.Out, out)
	}
	return err
}

// runGen2Apply shows an apply's or a rollback's journal: which server (and
// generation) it wrote to, each write, the summary and the deployment.
func (s *session) runGen2Apply(ctx context.Context, want int, args ...string) error {
	out, err := s.exec(ctx, want, args...)
	for _, line := range strings.Split(out, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(line, "Applied to") || strings.HasPrefix(line, "Rolling ") || strings.HasPrefix(line, "Deployment ") ||
			strings.HasPrefix(line, "error") || strings.HasPrefix(t, "✓") || strings.HasPrefix(t, "✗") ||
			strings.Contains(line, " applied, ") || t == "nothing to write" || strings.HasPrefix(t, "drift before apply") ||
			strings.HasPrefix(line, "Nothing to deploy") {
			fmt.Fprintln(s.cfg.Out, line)
		}
	}
	if err != nil {
		fmt.Fprint(s.cfg.Out, out)
	}
	return err
}
