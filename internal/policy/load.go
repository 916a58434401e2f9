package policy

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/repofile"
)

// Load reads relPath (DefaultFile when "") under root. A missing default
// file returns (nil, nil); a missing explicitly named file (explicit) is an
// error. envs are the known environment names: an environments.<name> not
// among them is an error (nil envs skips that check). The file is read
// through repofile, so one that links outside the repository, is not a
// regular file or is oversized is refused.
func Load(ctx context.Context, root, relPath string, explicit bool, envs []string) (*File, diag.List) {
	if relPath == "" {
		relPath = DefaultFile
	}
	var d diag.List
	repo, err := repofile.Open(root)
	var data []byte
	if err == nil {
		data, err = repo.ReadFile(ctx, relPath)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return nil, nil
	case errors.Is(err, fs.ErrNotExist):
		d.Addf(diag.Pos{File: relPath}, "create it, or correct policyFile in honua-gitops.yaml", "policy file %s not found", relPath)
		return nil, d
	case err != nil:
		repofile.AddTo(&d, relPath, err)
		return nil, d
	}
	docs, diags := document.Parse(relPath, data, document.YAML)
	if diags.HasErrors() {
		return nil, diags
	}
	f := &File{Path: relPath, Default: defaultRules(), Environments: map[string]Rules{}}
	f.Default.File = relPath
	switch {
	case len(docs) == 0:
		return f, diags
	case len(docs) > 1:
		diags.Addf(diag.Pos{File: relPath, Line: 1, Col: 1}, "keep a single YAML document", "%s must hold exactly one document", relPath)
		return f, diags
	}
	diags = append(diags, decodeFile(f, docs[0], envs)...)
	return f, diags
}

func decodeFile(f *File, root *document.Node, envs []string) diag.List {
	var d diag.List
	if root.Kind != document.Map {
		d.Addf(root.Pos, "", "%s must be a mapping, got %s", f.Path, root.TypeName())
		return d
	}
	known := "known keys: " + strings.Join(ruleKeys, ", ") + ", environments"
	for _, e := range root.Entries {
		switch {
		case e.Key == "$schema" || e.Key == "version":
		case e.Key == "environments":
			decodeEnvironments(f, &d, e.Value, envs)
		case slices.Contains(ruleKeys, e.Key):
			decodeRuleKey(&d, &f.Default, e)
		default:
			d.Addf(e.KeyPos, known, "unknown key %q", e.Key)
		}
	}
	return d
}

func decodeEnvironments(f *File, d *diag.List, n *document.Node, envs []string) {
	if n.IsNull() {
		return
	}
	if n.Kind != document.Map {
		d.Addf(n.Pos, "write environments as a mapping of environment name to rules", "environments must be a mapping, got %s", n.TypeName())
		return
	}
	for _, e := range n.Entries {
		if envs != nil && !slices.Contains(envs, e.Key) {
			d.Addf(e.KeyPos, "known environments: "+strings.Join(envs, ", "), "unknown environment %q", e.Key)
			continue
		}
		r := Rules{File: f.Path}
		if e.Value.Kind == document.Map {
			for _, k := range e.Value.Entries {
				if !slices.Contains(ruleKeys, k.Key) {
					d.Addf(k.KeyPos, "known keys: "+strings.Join(ruleKeys, ", "), "environments.%s: unknown key %q", e.Key, k.Key)
					continue
				}
				decodeRuleKey(d, &r, k)
			}
		} else if !e.Value.IsNull() {
			d.Addf(e.Value.Pos, "", "environments.%s must be a mapping, got %s", e.Key, e.Value.TypeName())
		}
		f.Environments[e.Key] = r
	}
}
