package cmdutil

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/driver"
	"github.com/honua-io/honua-gitops/internal/honua"
	"github.com/honua-io/honua-gitops/internal/redact"
)

// TargetFlags select the Honua targets a command talks to. Every command
// that talks to Honua takes them.
type TargetFlags struct {
	// Targets are URLs or names of targets in honua-gitops.yaml.
	Targets []string
	// Auth overrides how the credential of a --target URL is sent.
	Auth string
	// CAFile is a PEM bundle trusted in addition to the system's.
	CAFile string
}

// AddTargetFlags registers --target, --auth and --ca-file.
func AddTargetFlags(cmd *cobra.Command, f *TargetFlags) {
	cmd.Flags().StringArrayVarP(&f.Targets, "target", "t", nil, "Honua `URL`, or a target name from honua-gitops.yaml (repeatable; default: the environment's targets)")
	cmd.Flags().StringVar(&f.Auth, "auth", "", "how to send the credential of a --target URL: api-key (X-API-Key, default) or bearer")
	cmd.Flags().StringVar(&f.CAFile, "ca-file", "", "PEM `file` of extra certificate authorities to trust")
}

// Resolve returns the targets for env: the --target values, or the
// environment's configured targets when useConfigured is true and none were
// given. Credentials follow Credential; a missing one is invalid input.
func (f TargetFlags) Resolve(env *config.Environment, getenv func(string) string, useConfigured bool, userAgent string) ([]driver.Target, error) {
	var picked []config.Target
	switch {
	case len(f.Targets) > 0:
		for _, t := range f.Targets {
			ct, err := pick(env, t)
			if err != nil {
				return nil, err
			}
			picked = append(picked, ct)
		}
	case useConfigured:
		picked = env.Targets
	}
	out := make([]driver.Target, 0, len(picked))
	for _, t := range picked {
		auth := honua.AuthType(t.CredentialType)
		if f.Auth != "" {
			switch honua.AuthType(f.Auth) {
			case honua.AuthAPIKey, honua.AuthBearer:
				auth = honua.AuthType(f.Auth)
			default:
				return nil, app.FlagErrorf("`--auth` must be api-key or bearer, not %q", f.Auth)
			}
		}
		cred, err := Credential(t, getenv)
		if err != nil {
			return nil, err
		}
		out = append(out, driver.Target{Name: t.Name, URL: t.URL, Credential: cred, Auth: auth, CAFile: f.CAFile, UserAgent: userAgent, MetadataEnvironment: t.MetadataEnvironment})
	}
	return out, nil
}

// Credential is the one credential rule every command and the Action
// share: a target uses the variable its credential.env names, else
// HONUA_API_KEY (a --target URL names HONUA_API_KEY itself). The fallback
// lets one exported key serve a desk session or a single-server setup
// without renaming it per environment; a missing credential is invalid
// input.
func Credential(t config.Target, getenv func(string) string) (string, error) {
	name := t.CredentialEnv
	if name == "" {
		name = config.DefaultCredentialEnv
	}
	if cred := getenv(name); strings.TrimSpace(cred) != "" {
		return cred, nil
	}
	if name == config.DefaultCredentialEnv {
		return "", &app.InputError{Err: fmt.Errorf("target %s: the credential variable %s is not set (export the API key or token in %s)", t.Name, name, name)}
	}
	if cred := getenv(config.DefaultCredentialEnv); strings.TrimSpace(cred) != "" {
		return cred, nil
	}
	return "", &app.InputError{Err: fmt.Errorf("target %s: neither %s nor %s is set (export the API key or token in one of them)", t.Name, name, config.DefaultCredentialEnv)}
}

func pick(env *config.Environment, s string) (config.Target, error) {
	for _, t := range env.Targets {
		if t.Name == s || t.URL == s {
			return t, nil
		}
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return config.Target{Name: s, URL: s, CredentialEnv: config.DefaultCredentialEnv, CredentialType: config.APIKey}, nil
	}
	var names []string
	for _, t := range env.Targets {
		names = append(names, t.Name)
	}
	return config.Target{}, app.FlagErrorf("`--target %s` is neither a URL nor a target of environment %s (targets: %s)", s, env.Name, strings.Join(names, ", "))
}

// MaskCredentials registers the targets' credentials with red, so that no
// output shows them, and warns on w about any too short to be masked.
func MaskCredentials(red *redact.Redactor, targets []driver.Target, w io.Writer) {
	before := red.Short()
	for _, t := range targets {
		red.Add(t.Credential)
	}
	if n := red.Short() - before; n > 0 {
		fmt.Fprintln(w, "warning: "+redact.ShortWarning(n))
	}
}
