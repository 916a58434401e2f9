// Package loader builds an environment's desired state from a configuration
// repository: it lists and parses the files of environments/common and the
// environment's directory, overlays the environment on common, substitutes
// variables and decodes each resource into the canonical model. It reports
// structural problems as diagnostics; semantic checks live in validate.
package loader

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/repofile"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Item is one resource of an environment's desired state.
type Item struct {
	Resource *resource.Resource
	// Node is the resource after overlay and variables, with the position of
	// every value, for diagnostics.
	Node *document.Node
	// Pos is where the resource is defined: the environment's document when
	// it overrides a common one.
	Pos diag.Pos
	// Overrides is the common document this one overlays, if any.
	Overrides *diag.Pos
	// Added marks an environment document that overlays no common resource.
	// While a common file does not parse, it may be an override of a
	// resource in that file, so checks of its completeness are skipped.
	Added bool
}

// Environment is the desired state of one environment.
type Environment struct {
	Name  string
	Items []*Item // sorted by identity
	// Unparsable are the environment's files that do not parse, sorted.
	// They contribute their parse errors only, and while there are any the
	// checks that depend on other files (references, overrides, duplicates,
	// unused variables) are skipped: a resource in such a file would look
	// missing, and every check involving it would repeat the parse error.
	Unparsable []string
	// CommonUnparsable tells whether one of Unparsable is in the common
	// directory.
	CommonUnparsable bool
	// Skipped counts the findings of cross-file checks the loader withheld
	// because of Unparsable.
	Skipped int
}

// Resources returns the environment's resources in identity order.
func (e *Environment) Resources() []*resource.Resource {
	out := make([]*resource.Resource, len(e.Items))
	for i, it := range e.Items {
		out[i] = it.Resource
	}
	return out
}

// Loader loads environments of one repository.
type Loader struct {
	// Retain keeps parsed files between Load calls, so that loading several
	// environments parses shared files once. Without it the parse trees are
	// released after each Load, which halves peak memory for one environment.
	Retain bool

	cfg   *config.Config
	mu    sync.Mutex
	cache map[string]*parsedFile

	rootOnce sync.Once
	root     *repofile.Root
	rootErr  error
}

type parsedFile struct {
	once    sync.Once
	missing bool
	// broken marks a file with parse errors; its docs are dropped, so that
	// it contributes its parse errors only.
	broken bool
	docs   []*document.Node
	diags  diag.List
}

// New returns a loader for the repository described by cfg.
func New(cfg *config.Config) *Loader {
	return &Loader{cfg: cfg, cache: map[string]*parsedFile{}}
}

// Load builds the desired state of the named environment.
func (l *Loader) Load(ctx context.Context, name string) (*Environment, diag.List) {
	var d diag.List
	env := l.cfg.Environment(name)
	if env == nil {
		d.Addf(diag.Pos{File: l.cfg.File}, "", "unknown environment %q", name)
		return nil, d
	}
	skip := map[string]bool{env.VariablesFile: true, path.Join(l.cfg.CommonPath, config.DefaultVariablesFile): true}
	// variables.yaml is reserved in every environment directory, even where
	// variablesFile points elsewhere, so it is never read as resources.
	for _, e := range l.cfg.Environments {
		skip[e.VariablesFile] = true
		skip[path.Join(e.Path, config.DefaultVariablesFile)] = true
	}
	if env.PathSet && !dirExists(filepath.Join(l.cfg.Root, filepath.FromSlash(env.Path))) {
		d.Addf(env.Pos, "create the directory or fix `path` in "+config.FileName, "environment %s: directory %s does not exist", name, env.Path)
	}
	commonFiles, cd := l.listFiles(l.cfg.CommonPath, skip)
	envFiles, ed := l.listFiles(env.Path, skip)
	d = append(d, cd...)
	d = append(d, ed...)

	varFiles := []string{path.Join(l.cfg.CommonPath, config.DefaultVariablesFile), env.VariablesFile}
	all := slices.Concat(commonFiles, envFiles, varFiles)
	l.parseAll(ctx, all)
	out := &Environment{Name: name}
	varsBroken := false
	for i, f := range all {
		if p := l.parsed(ctx, f); p != nil && p.broken {
			out.Unparsable = append(out.Unparsable, f)
			out.CommonUnparsable = out.CommonUnparsable || i < len(commonFiles) || f == varFiles[0]
			varsBroken = varsBroken || i >= len(commonFiles)+len(envFiles)
		}
	}
	slices.Sort(out.Unparsable)
	out.Unparsable = slices.Compact(out.Unparsable)
	crossFile := &skipper{skip: len(out.Unparsable) > 0}

	vars := map[string]variable{}
	ownVars := map[string]diag.Pos{}
	for i, f := range varFiles {
		p := l.parsed(ctx, f)
		if p == nil {
			continue
		}
		d = append(d, p.diags...)
		layer := map[string]variable{}
		parseVariables(f, p.docs, layer, &d)
		for k, v := range layer {
			vars[k] = v
			if i == len(varFiles)-1 {
				ownVars[k] = v.pos
			}
		}
	}

	common := l.collect(ctx, commonFiles, crossFile, &d)
	own := l.collect(ctx, envFiles, crossFile, &d)
	items := overlay(common, own, crossFile, &d)

	used := map[string]bool{}
	out.Items = make([]*Item, 0, len(items))
	for _, it := range items {
		var sd diag.List
		it.node = substitute(it.node, vars, used, &sd)
		for _, x := range sd {
			// With a variables file unparsable, its variables look
			// undefined wherever they are used.
			if varsBroken && strings.HasPrefix(x.Message, "undefined variable") {
				crossFile.count++
				continue
			}
			d = append(d, x)
		}
		r, ok := toResource(it.node, it.id, &d)
		if !ok {
			continue
		}
		out.Items = append(out.Items, &Item{Resource: r, Node: it.node, Pos: it.pos, Overrides: it.overrides, Added: it.added})
	}
	for _, n := range sortedKeys(ownVars) {
		// A file that does not parse may be the one using it.
		if !used[n] && !crossFile.skipped() {
			d.Warnf(ownVars[n], "remove it, or use it as ${"+n+"}", "variable %s is never used in environment %s", n, name)
		}
	}
	out.Skipped = crossFile.count
	if !l.Retain {
		l.mu.Lock()
		l.cache = map[string]*parsedFile{}
		l.mu.Unlock()
	}
	slices.SortFunc(out.Items, func(a, b *Item) int { return a.Resource.ID().Compare(b.Resource.ID()) })
	return out, d
}

// parsed returns the parse result of a file, or nil if it does not exist.
func (l *Loader) parsed(ctx context.Context, rel string) *parsedFile {
	p := l.entry(rel)
	p.once.Do(func() { l.parseFile(ctx, rel, p) })
	if p.missing {
		return nil
	}
	return p
}

func (l *Loader) entry(rel string) *parsedFile {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.cache[rel]
	if p == nil {
		p = &parsedFile{}
		l.cache[rel] = p
	}
	return p
}

func (l *Loader) parseFile(ctx context.Context, rel string, p *parsedFile) {
	data, missing, d := l.readFile(ctx, rel)
	if missing || d != nil {
		p.missing, p.diags = missing, d
		return
	}
	format, _ := document.FormatOf(rel)
	p.docs, p.diags = document.Parse(rel, data, format)
	if p.diags.HasErrors() {
		// The documents before a syntax error, or beside a document
		// with an error, are an arbitrary part of the file: loading them
		// would report problems that only exist because the rest is
		// missing.
		p.docs, p.broken = nil, true
	}
}

// parseAll parses the files on every core; results are cached.
func (l *Loader) parseAll(ctx context.Context, files []string) {
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				l.parsed(ctx, f)
			}
		}()
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		work <- f
	}
	close(work)
	wg.Wait()
}

// skipper withholds the findings of checks that depend on other files
// while some file does not parse, and counts them.
type skipper struct {
	skip  bool
	count int
}

// skipped reports whether to withhold a finding, counting it if so.
func (s *skipper) skipped() bool {
	if s.skip {
		s.count++
	}
	return s.skip
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
