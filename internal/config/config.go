// Package config reads honua-gitops.yaml, the optional file at the root of a
// configuration repository that names environments, their paths and Honua
// targets, and the state branch. Without it, every directory under
// environments/ (except common) is an environment.
package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/repofile"
)

// FileName is the configuration file at the repository root.
const FileName = "honua-gitops.yaml"

// Defaults.
const (
	DefaultStateBranch   = "honua-gitops/state"
	DefaultEnvironments  = "environments"
	DefaultCommonPath    = "environments/common"
	DefaultVariablesFile = "variables.yaml"
	DefaultCredentialEnv = "HONUA_API_KEY"
	CommonName           = "common"
)

// Config is the resolved configuration of one repository.
type Config struct {
	// Root is the repository directory all paths are relative to.
	Root string
	// File is the configuration file's path relative to Root, or "" when the
	// repository has none and defaults apply.
	File string
	// StateBranch is the git branch holding deployment state.
	StateBranch string
	// PushStateBranch pushes every state-branch commit to origin (always on
	// in GitHub Actions).
	PushStateBranch bool
	// PolicyFile is where deployment policies live (read by the policy engine).
	PolicyFile string
	// Secrets, when set, are the only names ${secret:NAME} may use: an
	// allow-list, so a pull request cannot make the deployment read some
	// other variable of the runner. Nil allows any name that is not
	// reserved (see package secret).
	Secrets []string
	// CommonPath holds resources shared by every environment.
	CommonPath string
	// Environments in the order they are declared (or conventional order:
	// development, staging, production, then by name).
	Environments []Environment
}

// Environment is one deployment environment.
type Environment struct {
	Name string
	// Path is the environment's directory, relative to Root.
	Path string
	// VariablesFile holds ${NAME} values, relative to Root.
	VariablesFile string
	// Namespaces, when set, are the only namespaces the environment may use.
	Namespaces []string
	// Targets are the Honua instances the environment deploys to.
	Targets []Target
	// Pos is where the environment is declared.
	Pos diag.Pos
	// PathSet is true when Path was written in the configuration file, so a
	// missing directory is a mistake rather than "common only".
	PathSet bool
	// ReplanOnMerge lets the GitHub Action apply a plan that changed since
	// the pull request was reviewed (default: refuse, exit code 4).
	ReplanOnMerge bool
	// Secrets is the repository's allow-list of ${secret:NAME} names (nil:
	// any name that is not reserved).
	Secrets []string
	// RequiredApprovals, for repositories that cannot use GitHub environment
	// protection, is how many approving reviews on the pull request's final
	// head commit the Action requires before applying (0: off).
	RequiredApprovals int
}

// CredentialType is how a target's credential is sent.
type CredentialType string

// Credential types.
const (
	APIKey CredentialType = "api-key"
	Bearer CredentialType = "bearer"
)

// Target is one Honua instance.
type Target struct {
	Name string
	URL  string
	// CredentialEnv names the environment variable holding the credential.
	CredentialEnv string
	// CredentialType is api-key (X-API-Key header) or bearer.
	CredentialType CredentialType
	// MetadataEnvironment is the Generation 2 metadata environment this
	// target writes; "" means the server's own (its capability manifest's
	// environment.environmentId, "default" on a stock server).
	MetadataEnvironment string
}

// Environment returns the environment named name, or nil.
func (c *Config) Environment(name string) *Environment {
	for i := range c.Environments {
		if c.Environments[i].Name == name {
			return &c.Environments[i]
		}
	}
	return nil
}

// EnvironmentNames lists the environment names in order.
func (c *Config) EnvironmentNames() []string {
	out := make([]string, len(c.Environments))
	for i, e := range c.Environments {
		out[i] = e.Name
	}
	return out
}

var envNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// ValidateEnvironmentName checks that a name is safe as a directory, a git
// path and a GitHub environment name.
func ValidateEnvironmentName(name string) error {
	if name == CommonName {
		return fmt.Errorf("%q is reserved for resources shared by every environment", name)
	}
	if !envNameRe.MatchString(name) || strings.Contains(name, "..") {
		return fmt.Errorf("environment name %q must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// Load reads the configuration of the repository at root. A missing
// honua-gitops.yaml is not an error. Problems come back as diagnostics.
func Load(root string) (*Config, diag.List) {
	return LoadContext(context.Background(), root)
}

// LoadContext is Load that stops reading when ctx is cancelled. The file is
// read through repofile, so a honua-gitops.yaml that links outside the
// repository, is not a regular file or is oversized is refused.
func LoadContext(ctx context.Context, root string) (*Config, diag.List) {
	cfg := &Config{Root: root, StateBranch: DefaultStateBranch, CommonPath: DefaultCommonPath}
	repo, err := repofile.Open(root)
	var data []byte
	if err == nil {
		data, err = repo.ReadFile(ctx, FileName)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return cfg, discover(cfg)
	case err != nil:
		var d diag.List
		repofile.AddTo(&d, FileName, err)
		return cfg, d
	}
	cfg.File = FileName
	docs, diags := document.Parse(FileName, data, document.YAML)
	if diags.HasErrors() {
		return cfg, diags
	}
	if len(docs) != 1 {
		diags.Addf(diag.Pos{File: FileName, Line: 1, Col: 1}, "keep a single YAML document", "%s must hold exactly one document", FileName)
		return cfg, diags
	}
	diags = append(diags, decode(cfg, docs[0])...)
	if len(cfg.Environments) == 0 && !diags.HasErrors() {
		diags = append(diags, discover(cfg)...)
	}
	for i := range cfg.Environments {
		cfg.Environments[i].Secrets = cfg.Secrets
	}
	return cfg, diags
}

func decode(cfg *Config, root *document.Node) diag.List {
	var d diag.List
	if root.Kind != document.Map {
		d.Addf(root.Pos, "", "%s must be a mapping, got %s", FileName, root.TypeName())
		return d
	}
	for _, e := range root.Entries {
		switch e.Key {
		case "$schema", "version":
		case "stateBranch":
			cfg.StateBranch = str(&d, e, cfg.StateBranch)
			if err := validateBranch(cfg.StateBranch); err != nil {
				d.Addf(e.Value.Pos, "", "stateBranch: %v", err)
			}
		case "pushStateBranch":
			if b, ok := e.Value.Value.(bool); ok && e.Value.Kind == document.Scalar {
				cfg.PushStateBranch = b
			} else {
				d.Addf(e.Value.Pos, "write true or false", "pushStateBranch must be a boolean, got %s", e.Value.TypeName())
			}
		case "policyFile":
			cfg.PolicyFile = relPath(&d, e)
		case "secrets":
			cfg.Secrets = secretNames(&d, e.Value)
		case "commonPath":
			cfg.CommonPath = relPath(&d, e)
		case "environments":
			decodeEnvironments(cfg, &d, e.Value)
		default:
			d.Addf(e.KeyPos, "known keys: stateBranch, pushStateBranch, policyFile, secrets, commonPath, environments", "unknown key %q", e.Key)
		}
	}
	return d
}

// secretNames reads the secrets allow-list: a list of variable names.
func secretNames(d *diag.List, n *document.Node) []string {
	if n.Kind != document.List {
		d.Addf(n.Pos, "write secrets as a list of variable names, for example [PARCELS_DB_PASSWORD]", "secrets must be a list, got %s", n.TypeName())
		return nil
	}
	out := []string{}
	for _, it := range n.Items {
		s, ok := it.String()
		if !ok || !secretNameRe.MatchString(s) {
			d.Addf(it.Pos, "use letters, digits and _, not starting with a digit", "secrets: %q is not a variable name", it.Value)
			continue
		}
		out = append(out, s)
	}
	return out
}

var secretNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func decodeEnvironments(cfg *Config, d *diag.List, n *document.Node) {
	if n.Kind != document.Map {
		d.Addf(n.Pos, "write environments as a mapping of name to settings", "environments must be a mapping, got %s", n.TypeName())
		return
	}
	for _, e := range n.Entries {
		env := Environment{Name: e.Key, Pos: e.KeyPos, Path: path.Join(DefaultEnvironments, e.Key)}
		if err := ValidateEnvironmentName(e.Key); err != nil {
			d.Addf(e.KeyPos, "", "%v", err)
			continue
		}
		if e.Value.Kind == document.Map {
			for _, f := range e.Value.Entries {
				switch f.Key {
				case "path":
					env.Path = relPath(d, f)
					env.PathSet = true
				case "variablesFile":
					env.VariablesFile = relPath(d, f)
				case "namespaces":
					env.Namespaces = strList(d, f)
				case "targets":
					env.Targets = decodeTargets(d, f.Value)
				case "replanOnMerge":
					if b, ok := f.Value.Value.(bool); ok && f.Value.Kind == document.Scalar {
						env.ReplanOnMerge = b
					} else {
						d.Addf(f.Value.Pos, "write true or false", "replanOnMerge must be a boolean, got %s", f.Value.TypeName())
					}
				case "requiredApprovals":
					if n, ok := f.Value.Value.(int64); ok && f.Value.Kind == document.Scalar && n >= 0 && n <= 20 {
						env.RequiredApprovals = int(n)
					} else {
						d.Addf(f.Value.Pos, "write a number from 0 to 20", "requiredApprovals must be a whole number from 0 to 20, got %s", f.Value.TypeName())
					}
				default:
					d.Addf(f.KeyPos, "known keys: path, variablesFile, namespaces, targets, replanOnMerge, requiredApprovals", "environment %s: unknown key %q", e.Key, f.Key)
				}
			}
		} else if !e.Value.IsNull() {
			d.Addf(e.Value.Pos, "", "environment %s must be a mapping, got %s", e.Key, e.Value.TypeName())
		}
		if env.VariablesFile == "" {
			env.VariablesFile = path.Join(env.Path, DefaultVariablesFile)
		}
		cfg.Environments = append(cfg.Environments, env)
	}
}

func decodeTargets(d *diag.List, n *document.Node) []Target {
	if n.Kind != document.List {
		d.Addf(n.Pos, "write targets as a list of {name, url, credential}", "targets must be a list, got %s", n.TypeName())
		return nil
	}
	var out []Target
	names := map[string]bool{}
	for i, it := range n.Items {
		t := Target{CredentialEnv: DefaultCredentialEnv, CredentialType: APIKey}
		if it.Kind != document.Map {
			d.Addf(it.Pos, "", "target must be a mapping, got %s", it.TypeName())
			continue
		}
		for _, f := range it.Entries {
			switch f.Key {
			case "name":
				t.Name = str(d, f, "")
			case "url":
				t.URL = str(d, f, "")
				if !strings.HasPrefix(t.URL, "http://") && !strings.HasPrefix(t.URL, "https://") {
					d.Addf(f.Value.Pos, "for example https://honua.example.org", "target url %q must start with http:// or https://", t.URL)
				}
			case "credential":
				decodeCredential(d, f.Value, &t)
			case "metadataEnvironment":
				t.MetadataEnvironment = str(d, f, "")
			default:
				d.Addf(f.KeyPos, "known keys: name, url, credential, metadataEnvironment", "target: unknown key %q", f.Key)
			}
		}
		if t.URL == "" {
			d.Addf(it.Pos, "", "target needs a url")
		}
		if t.Name == "" {
			t.Name = fmt.Sprintf("target-%d", i+1)
		}
		if names[t.Name] {
			d.Addf(it.Pos, "give each target a distinct name", "target name %q is used twice", t.Name)
		}
		names[t.Name] = true
		out = append(out, t)
	}
	return out
}

func decodeCredential(d *diag.List, n *document.Node, t *Target) {
	if n.Kind != document.Map {
		d.Addf(n.Pos, "write credential: {env: HONUA_API_KEY, type: api-key}", "credential must be a mapping, got %s", n.TypeName())
		return
	}
	for _, f := range n.Entries {
		switch f.Key {
		case "env":
			t.CredentialEnv = str(d, f, DefaultCredentialEnv)
		case "type":
			switch v := CredentialType(str(d, f, "")); v {
			case APIKey, Bearer:
				t.CredentialType = v
			default:
				d.Addf(f.Value.Pos, "use api-key or bearer", "unknown credential type %q", v)
			}
		case "value", "key", "token", "apiKey":
			d.Addf(f.KeyPos, "store the credential as a secret and name its environment variable with `env`", "credentials must not be written in %s", FileName)
		default:
			d.Addf(f.KeyPos, "known keys: env, type", "credential: unknown key %q", f.Key)
		}
	}
}

func str(d *diag.List, e document.Entry, def string) string {
	s, ok := e.Value.String()
	if !ok {
		d.Addf(e.Value.Pos, "", "%s must be a string, got %s", e.Key, e.Value.TypeName())
		return def
	}
	return s
}

func strList(d *diag.List, e document.Entry) []string {
	if e.Value.Kind != document.List {
		d.Addf(e.Value.Pos, "", "%s must be a list of strings, got %s", e.Key, e.Value.TypeName())
		return nil
	}
	var out []string
	for _, it := range e.Value.Items {
		s, ok := it.String()
		if !ok {
			d.Addf(it.Pos, "", "%s entries must be strings, got %s", e.Key, it.TypeName())
			continue
		}
		out = append(out, s)
	}
	return out
}

func relPath(d *diag.List, e document.Entry) string {
	p := str(d, e, "")
	if err := ValidateRelPath(p); err != nil {
		d.Addf(e.Value.Pos, "paths are relative to the repository root, with forward slashes", "%s: %v", e.Key, err)
		return ""
	}
	return path.Clean(p)
}

// ValidateRelPath checks that p stays inside the repository.
func ValidateRelPath(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("path is empty")
	case path.IsAbs(p) || filepath.IsAbs(p) || strings.Contains(p, `\`):
		return fmt.Errorf("path %q must be relative", p)
	case slices.Contains(strings.Split(path.Clean(p), "/"), ".."):
		return fmt.Errorf("path %q leaves the repository", p)
	}
	return nil
}

func validateBranch(b string) error {
	if b == "" || strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") || strings.Contains(b, "..") ||
		strings.ContainsAny(b, " ~^:?*[\\") || strings.HasSuffix(b, ".lock") {
		return fmt.Errorf("%q is not a valid git branch name", b)
	}
	return nil
}

// conventionalOrder puts the usual promotion path first.
var conventionalOrder = []string{"development", "dev", "test", "staging", "stage", "production", "prod"}

func discover(cfg *Config) diag.List {
	var d diag.List
	entries, err := os.ReadDir(filepath.Join(cfg.Root, DefaultEnvironments))
	if errors.Is(err, fs.ErrNotExist) {
		d.Addf(diag.Pos{File: DefaultEnvironments}, "create environments/<name>/ directories, or list environments in "+FileName, "no environments: directory %s/ not found", DefaultEnvironments)
		return d
	}
	if err != nil {
		d.Addf(diag.Pos{File: DefaultEnvironments}, "", "cannot read: %v", err)
		return d
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == CommonName || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := ValidateEnvironmentName(e.Name()); err != nil {
			d.Addf(diag.Pos{File: path.Join(DefaultEnvironments, e.Name())}, "rename the directory", "%v", err)
			continue
		}
		names = append(names, e.Name())
	}
	slices.SortFunc(names, func(a, b string) int {
		ia, ib := slices.Index(conventionalOrder, a), slices.Index(conventionalOrder, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, n := range names {
		p := path.Join(DefaultEnvironments, n)
		cfg.Environments = append(cfg.Environments, Environment{Name: n, Path: p, VariablesFile: path.Join(p, DefaultVariablesFile), Pos: diag.Pos{File: p}})
	}
	if len(cfg.Environments) == 0 {
		d.Addf(diag.Pos{File: DefaultEnvironments}, "create environments/<name>/ directories", "no environments found under %s/", DefaultEnvironments)
	}
	return d
}
