// Package validate checks an environment's desired state beyond its
// structure: required spec keys per kind, value types Honua depends on,
// plaintext secrets, namespaces, and references between resources. It reads
// only the repository; nothing is contacted.
package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// Environment checks one loaded environment and returns every problem.
func Environment(cfg *config.Environment, env *loader.Environment) diag.List {
	var d diag.List
	byID := make(map[resource.Identity]*loader.Item, len(env.Items))
	byName := make(map[[2]string][]string, len(env.Items)) // (namespace, name) → kinds
	for _, it := range env.Items {
		id := it.Resource.ID()
		byID[id.Key()] = it
		k := [2]string{id.Namespace, id.Name}
		byName[k] = append(byName[k], id.Kind)
	}
	// While a file does not parse, its resources look missing: checks
	// that look up other resources would only repeat its parse error.
	skipped := env.Skipped
	for _, it := range env.Items {
		skipped += checkItem(&d, cfg, env, it, byID, byName)
	}
	if note, ok := diag.Skipped(env.Name, env.Unparsable, skipped); ok {
		d = append(d, note)
	}
	return d
}

// checkItem checks one resource and returns how many findings of checks
// that depend on other files it withheld because some files do not parse.
func checkItem(d *diag.List, cfg *config.Environment, env *loader.Environment, it *loader.Item, byID map[resource.Identity]*loader.Item, byName map[[2]string][]string) (skipped int) {
	envName := env.Name
	r := it.Resource
	id := r.ID()
	kind := resource.LookupKind(r.Kind)
	spec := it.Node.Get("spec")
	if spec == nil || kind == nil {
		return 0
	}
	if len(cfg.Namespaces) > 0 && !slices.Contains(cfg.Namespaces, id.Namespace) {
		pos := it.Pos
		if md := it.Node.Get("metadata"); md != nil && md.Get("namespace") != nil {
			pos = md.Get("namespace").Pos
		}
		d.Addf(pos, "allowed: "+strings.Join(cfg.Namespaces, ", ")+" (set in "+config.FileName+")",
			"%s uses namespace %q, which environment %s does not allow", id, id.Namespace, envName)
	}
	// An environment document that matches no common resource may be an
	// override of one in a common file that does not parse.
	partial := it.Added && env.CommonUnparsable
	for _, key := range kind.RequiredSpec {
		if spec.Get(key) == nil && partial {
			skipped++
			continue
		}
		if spec.Get(key) == nil {
			d.Addf(spec.Pos, fmt.Sprintf("add spec.%s; a %s needs %s", key, kind.Name, strings.Join(kind.RequiredSpec, ", ")),
				"%s is missing required field spec.%s", id, key)
		}
	}
	if srid := spec.Get("srid"); srid != nil {
		if _, ok := srid.Value.(int64); !ok || srid.Kind != document.Scalar {
			d.Addf(srid.Pos, "write an EPSG code such as 4326 or 3857, unquoted", "%s: spec.srid must be an integer, got %s", id, srid.TypeName())
		}
	}
	checkSecrets(d, id, "spec", spec, credentialVariables(cfg), cfg.Secrets)
	checkUnknownKeys(d, id, spec)
	for _, ref := range kind.Refs {
		v := spec.Get(ref.Field)
		if v == nil || v.IsNull() {
			continue
		}
		s, ok := v.String()
		if !ok || s == "" {
			d.Addf(v.Pos, fmt.Sprintf("name the %s by its metadata.name, or namespace/name", ref.Kind), "%s: spec.%s must be the name of a %s, got %s", id, ref.Field, ref.Kind, v.TypeName())
			continue
		}
		ns, name := resource.ParseRef(s, id.Namespace)
		if resource.ValidateName(ns) != nil || resource.ValidateName(name) != nil {
			d.Addf(v.Pos, "write name or namespace/name", "%s: spec.%s %q is not a valid reference", id, ref.Field, s)
			continue
		}
		target := resource.Identity{Kind: ref.Kind, Namespace: ns, Name: name}
		if _, found := byID[target.Key()]; found {
			continue
		}
		if len(env.Unparsable) > 0 {
			skipped++
			continue
		}
		hint := fmt.Sprintf("define %s in environments/common or the environment's directory, or fix the name", target)
		if others := byName[[2]string{ns, name}]; len(others) > 0 {
			hint = fmt.Sprintf("%s/%s/%s exists, but spec.%s must name a %s", others[0], ns, name, ref.Field, ref.Kind)
		}
		d.Addf(v.Pos, hint, "%s: spec.%s refers to %s, which is not defined in environment %s", id, ref.Field, target, envName)
	}
	return skipped
}

// checkSecrets finds secret fields with literal values anywhere under n,
// secretReference entries without a secretType, and ${secret:NAME}
// placeholders where they must not be: outside secret fields (the value
// would be sent to the server as plain configuration, readable by anyone
// with the layer's URL), or naming a credential of the deployment itself.
// Values are never echoed.
func checkSecrets(d *diag.List, id resource.Identity, path string, n *document.Node, credentials, allowed []string) {
	(&secretCheck{d: d, id: id, credentials: credentials, allowed: allowed}).walk(path, n, false)
}

type secretCheck struct {
	d           *diag.List
	id          resource.Identity
	credentials []string
	// allowed is the secrets allow-list of honua-gitops.yaml; nil allows
	// every name that is not reserved.
	allowed []string
}

func (c *secretCheck) walk(path string, n *document.Node, inSecret bool) {
	switch n.Kind {
	case document.Map:
		if ref := n.Entry("secretReference"); ref != nil && !ref.Value.IsNull() && n.Get("secretType") == nil {
			c.d.Addf(ref.KeyPos, "add secretType next to it (for example secretType: password)", "%s: %s.secretReference needs a secretType", c.id, path)
		}
		for _, e := range n.Entries {
			p := path + "." + e.Key
			secretKey := resource.IsSecretKey(c.id.Kind, e.Key)
			if secretKey && isPlaintext(e.Key, e.Value) {
				c.d.Addf(e.Value.Pos, "store the secret outside git: use secretReference with secretType, or ${secret:NAME} resolved from the environment at apply time",
					"%s: %s holds a plaintext secret", c.id, p)
				continue
			}
			c.walk(p, e.Value, inSecret || secretKey)
		}
	case document.List:
		for i, it := range n.Items {
			c.walk(fmt.Sprintf("%s[%d]", path, i), it, inSecret)
		}
	case document.Scalar:
		s, ok := n.Value.(string)
		if !ok {
			return
		}
		for _, name := range secret.Refs(s) {
			switch {
			case !inSecret:
				c.d.Addf(n.Pos, "move it to a secret field (password, token, apiKey, secret, connectionString, …), or write $${secret:"+name+"} for the literal text",
					"%s: %s uses ${secret:%s}, but secret placeholders may only stand in secret fields: here the value would reach the server as plain configuration", c.id, path, name)
			case secret.Reserved(name, c.credentials):
				c.d.Addf(n.Pos, "name a variable that holds this secret only; credentials of honua-gitops itself and GITHUB_*, ACTIONS_*, RUNNER_* variables are never resolvable",
					"%s: %s names ${secret:%s}, which is never resolved", c.id, path, name)
			case c.allowed != nil && !slices.Contains(c.allowed, name):
				c.d.Addf(n.Pos, "add "+name+" to secrets: in "+config.FileName+" (the allow-list), or use a secret it lists",
					"%s: %s names ${secret:%s}, which is not in the secrets allow-list", c.id, path, name)
			}
		}
	}
}

// credentialVariables are the variables the environment's targets take
// their credentials from.
func credentialVariables(cfg *config.Environment) []string {
	var out []string
	for _, t := range cfg.Targets {
		if t.CredentialEnv != "" {
			out = append(out, t.CredentialEnv)
		}
	}
	return out
}

// isPlaintext reports a secret field holding a literal value. Empty values
// and placeholders are fine: the whole value must be one ${secret:NAME}
// placeholder, except in a connection string, where the placeholder stands
// for the password inside it.
func isPlaintext(key string, n *document.Node) bool {
	if n.Kind != document.Scalar || n.Value == nil {
		return false
	}
	s, ok := n.Value.(string)
	if !ok {
		return true
	}
	if s == "" {
		return false
	}
	if strings.EqualFold(key, "connectionString") {
		return len(secret.Refs(s)) == 0
	}
	return !secret.IsWhole(s)
}
