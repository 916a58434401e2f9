package usecase

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/deploy"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/resourceyaml"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// Discoverer is implemented by drivers that read a server's resources on
// their own rather than those the repository names (Generation 2); other
// drivers are read with an empty scope, which reads everything.
type Discoverer interface {
	Discover(ctx context.Context) ([]*resource.Resource, []string, error)
}

// ImportRequest says what to import from where.
type ImportRequest struct {
	Environment string
	Target      driver.Target
	Connect     Connector
	// Kinds, Namespace and Select narrow what is imported (all when empty).
	Kinds     []string
	Namespace string
	Select    []string
	// Force overwrites existing files; DryRun writes nothing anywhere.
	Force, DryRun bool
	// Observe records the imported resources as observed, not owned: the
	// plan makes no operation for them until one is adopted.
	Observe    bool
	Branch     StateBranch
	BranchName string
	Actor      string
	Now        func() time.Time
	Rand       io.Reader
	Log        *slog.Logger
}

// ImportFile is one file import writes.
type ImportFile struct {
	// Path is relative to the repository root.
	Path      string   `json:"path"`
	Resources []string `json:"resources"`
	Content   string   `json:"-"`
}

// ImportReport is what an import did.
type ImportReport struct {
	Environment string       `json:"environment"`
	Target      string       `json:"target"`
	Files       []ImportFile `json:"files"`
	// Skipped says what was not imported, and why.
	Skipped []string `json:"skipped,omitempty"`
	// Secrets are the ${secret:NAME} placeholders written where the server
	// holds a secret it never returns: set them before an apply needs them.
	Secrets []string `json:"secrets,omitempty"`
	// Observed is set when the resources were recorded as observed, not
	// owned (import --observe).
	Observed   bool               `json:"observed,omitempty"`
	Deployment *deploy.Deployment `json:"deployment,omitempty"`
	Commit     string             `json:"commit,omitempty"`
}

// importFileNames names the file of each kind.
var importFileNames = map[string]string{
	"Connection": "connections", "Service": "services", "Layer": "layers", "Style": "styles",
	"Relationship": "relationships", "Theme": "themes", "MapTemplate": "map-templates",
}

// Import reads what a target holds and writes it into the environment's
// directory in the repository format, then records an import deployment
// whose snapshot is exactly what was imported, so the next plan is empty.
// It writes nothing to the server, and refuses to overwrite a file unless
// Force is set; every file is checked before any is written.
func (w *Workspace) Import(ctx context.Context, req ImportRequest) (*ImportReport, error) {
	if req.Now == nil {
		req.Now = time.Now
	}
	env := w.Config.Environment(req.Environment)
	if env == nil {
		return nil, app.FlagErrorf("environment %q is not defined in honua-gitops.yaml (known: %s)", req.Environment, strings.Join(w.Config.EnvironmentNames(), ", "))
	}
	d, err := req.Connect(ctx, req.Target)
	if err != nil {
		return nil, fmt.Errorf("target %s (%s): %w", req.Target.Name, req.Target.URL, err)
	}
	found, skipped, err := discover(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", d.Describe(), err)
	}
	report := &ImportReport{Environment: req.Environment, Target: d.Describe(), Skipped: skipped, Files: []ImportFile{}, Observed: req.Observe}
	var imported []*resource.Resource
	for _, r := range found {
		if why := excluded(r, req, env.Namespaces); why != "" {
			if why != "-" {
				report.Skipped = append(report.Skipped, r.ID().String()+": "+why)
			}
			continue
		}
		r, names := withPlaceholders(r)
		report.Secrets = append(report.Secrets, names...)
		imported = append(imported, r)
	}
	if len(imported) == 0 {
		return report, &app.InputError{Err: fmt.Errorf("%s holds nothing to import with these filters", d.Describe())}
	}
	files, err := importFiles(w, env.Path, req, d, imported)
	if err != nil {
		return report, err
	}
	report.Files = files
	if req.DryRun {
		return report, nil
	}
	for _, f := range files {
		p := filepath.Join(w.Config.Root, f.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return report, err
		}
		if err := os.WriteFile(p, []byte(f.Content), 0o644); err != nil {
			return report, err
		}
	}
	return report, w.recordImport(ctx, req, d, imported, report)
}

// discover reads everything d's server holds.
func discover(ctx context.Context, d apply.Driver) ([]*resource.Resource, []string, error) {
	if ds, ok := d.(Discoverer); ok {
		return ds.Discover(ctx)
	}
	live, err := d.Live(ctx, apply.Scope{})
	if err != nil {
		return nil, nil, err
	}
	out := make([]*resource.Resource, 0, len(live))
	for _, l := range live {
		out = append(out, apply.Comparable(l.Resource))
	}
	return out, nil, nil
}

// excluded says why r is not imported ("-" when filtered out silently).
func excluded(r *resource.Resource, req ImportRequest, namespaces []string) string {
	switch {
	case len(req.Kinds) > 0 && !slices.ContainsFunc(req.Kinds, func(k string) bool { return strings.EqualFold(k, r.Kind) }):
		return "-"
	case req.Namespace != "" && r.Metadata.Namespace != req.Namespace:
		return "-"
	case len(req.Select) > 0 && !slices.Contains(req.Select, r.Metadata.Name):
		return "-"
	case len(namespaces) > 0 && !slices.Contains(namespaces, r.Metadata.Namespace):
		return fmt.Sprintf("namespace %q is not one of the environment's namespaces (add it to honua-gitops.yaml to import it)", r.Metadata.Namespace)
	}
	return ""
}

// withPlaceholders replaces every secret value with a ${secret:NAME}
// placeholder, so no value reaches a file; servers never return secrets
// as written, so the value read is never the value.
func withPlaceholders(r *resource.Resource) (*resource.Resource, []string) {
	c := *r
	c.Spec = resource.Clone(r.Spec).(map[string]any)
	var names []string
	for k, v := range c.Spec {
		if !resource.IsSecretKey(r.Kind, k) || v == nil || v == "" {
			continue
		}
		if s, ok := v.(string); ok && secret.IsWhole(s) {
			continue
		}
		name := placeholderName(r, k)
		c.Spec[k] = "${secret:" + name + "}"
		names = append(names, name)
	}
	slices.Sort(names)
	return &c, names
}

func placeholderName(r *resource.Resource, key string) string {
	up := func(s string) string {
		return strings.Map(func(c rune) rune {
			switch {
			case c >= 'a' && c <= 'z':
				return c - 'a' + 'A'
			case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
				return c
			}
			return '_'
		}, s)
	}
	return up(r.Metadata.Name) + "_" + up(key)
}

// importFiles renders one file per kind under the environment's path and
// refuses existing files unless Force.
func importFiles(w *Workspace, envPath string, req ImportRequest, d apply.Driver, rs []*resource.Resource) ([]ImportFile, error) {
	byKind := map[string][]*resource.Resource{}
	for _, r := range rs {
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	header := fmt.Sprintf("Imported by `honua-gitops import` from %s\non %s. Edit freely: git is now the source of truth for these resources.",
		d.Describe(), req.Now().UTC().Format(time.RFC3339))
	if req.Observe {
		header = fmt.Sprintf("Imported by `honua-gitops import --observe` from %s\non %s. Observed, not owned: honua-gitops never changes or deletes these\nresources; add the annotation %s: \"true\" to one to manage it.",
			d.Describe(), req.Now().UTC().Format(time.RFC3339), resource.AnnotationAdopt)
	}
	var files []ImportFile
	var exists []string
	for _, k := range resource.KindNames() {
		list := byKind[k]
		if len(list) == 0 {
			continue
		}
		slices.SortFunc(list, func(a, b *resource.Resource) int { return a.ID().Compare(b.ID()) })
		name := importFileNames[k]
		if name == "" {
			name = strings.ToLower(k) + "s"
		}
		rel := filepath.ToSlash(filepath.Join(envPath, name+".yaml"))
		if _, err := os.Stat(filepath.Join(w.Config.Root, rel)); err == nil && !req.Force {
			exists = append(exists, rel)
		}
		content, err := resourceyaml.File(header, list)
		if err != nil {
			return nil, err
		}
		f := ImportFile{Path: rel, Content: string(content)}
		for _, r := range list {
			f.Resources = append(f.Resources, r.ID().String())
		}
		files = append(files, f)
	}
	if len(exists) > 0 {
		return nil, &app.InputError{Err: fmt.Errorf("import would overwrite %s; nothing was written: move them aside, or pass --force to replace them", strings.Join(exists, ", "))}
	}
	return files, nil
}

// recordImport records an import deployment: the snapshot is recorded
// state with the imported resources in it, now owned.
func (w *Workspace) recordImport(ctx context.Context, req ImportRequest, d apply.Driver, imported []*resource.Resource, report *ImportReport) error {
	if req.Branch == nil {
		return nil
	}
	done := fmt.Sprintf("imported %d resources from %s; nothing was written to the server", len(imported), d.Describe())
	if req.Observe {
		done = fmt.Sprintf("imported %d resources from %s as observed, not owned; nothing was written to the server", len(imported), d.Describe())
	}
	dep, commit, err := recordWithoutWrites(ctx, unwritten{
		Environment: req.Environment, Kind: deploy.KindImport, Actor: req.Actor, Observe: req.Observe, Adopt: true,
		Targets: []deploy.TargetResult{{Name: req.Target.Name, URL: req.Target.URL, Generation: d.Generation()}},
		Upsert:  imported,
		Start:   "importing what " + d.Describe() + " holds",
		Claim:   fmt.Sprintf("claimed %s to record %d imported resources", req.Environment, len(imported)),
		Done:    done,
		Branch:  req.Branch, BranchName: req.BranchName, Now: req.Now, Rand: req.Rand, Log: req.Log,
	})
	report.Deployment, report.Commit = dep, commit
	return err
}
