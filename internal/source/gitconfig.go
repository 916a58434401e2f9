package source

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/go-git/go-git/v5"
	format "github.com/go-git/go-git/v5/plumbing/format/config"
)

// gitConfig is the part of git's configuration that changes what counts as
// a change in the work tree.
type gitConfig struct {
	autoCRLF       string // core.autocrlf: "true", "input" or "false"
	fileMode       bool   // core.fileMode: whether the executable bit counts
	excludesFile   string // core.excludesFile, or its default
	attributesFile string // core.attributesFile, or its default
}

// readConfig reads the repository's configuration over the user's and the
// system's, honouring GIT_CONFIG_GLOBAL, GIT_CONFIG_SYSTEM and
// GIT_CONFIG_NOSYSTEM as git does. Includes are not followed.
func readConfig(repo *git.Repository) (gitConfig, error) {
	local, err := repo.Config()
	if err != nil {
		return gitConfig{}, fmt.Errorf("source: read the repository configuration: %w", err)
	}
	layers := []*format.Config{local.Raw} // highest priority first
	for _, name := range userConfigFiles() {
		data, err := readOptional(name)
		if err != nil {
			return gitConfig{}, fmt.Errorf("source: read %s: %w", name, err)
		}
		raw := format.New()
		if err := format.NewDecoder(bytes.NewReader(data)).Decode(raw); err != nil {
			return gitConfig{}, fmt.Errorf("source: parse %s: %w", name, err)
		}
		layers = append(layers, raw)
	}
	get := func(key string) (string, bool) {
		for _, l := range layers {
			if s := l.Section("core"); s.HasOption(key) {
				return s.Option(key), true
			}
		}
		return "", false
	}

	cfg := gitConfig{autoCRLF: "false", fileMode: true}
	if v, ok := get("autocrlf"); ok {
		switch strings.ToLower(v) {
		case "input":
			cfg.autoCRLF = "input"
		default:
			if parseBool(v) {
				cfg.autoCRLF = "true"
			}
		}
	}
	if v, ok := get("filemode"); ok {
		cfg.fileMode = parseBool(v)
	}
	cfg.excludesFile = xdgDefault("ignore")
	if v, ok := get("excludesfile"); ok {
		cfg.excludesFile = expandHome(v)
	}
	cfg.attributesFile = xdgDefault("attributes")
	if v, ok := get("attributesfile"); ok {
		cfg.attributesFile = expandHome(v)
	}
	return cfg, nil
}

// userConfigFiles lists the global and system configuration files, highest
// priority first.
func userConfigFiles() []string {
	var files []string
	if g, ok := os.LookupEnv("GIT_CONFIG_GLOBAL"); ok {
		files = append(files, g)
	} else {
		if home, err := os.UserHomeDir(); err == nil {
			files = append(files, filepath.Join(home, ".gitconfig"))
		}
		if x := xdgDefault("config"); x != "" {
			files = append(files, x)
		}
	}
	if v := os.Getenv("GIT_CONFIG_NOSYSTEM"); v == "" || !parseBool(v) {
		if s, ok := os.LookupEnv("GIT_CONFIG_SYSTEM"); ok {
			files = append(files, s)
		} else {
			files = append(files, "/etc/gitconfig")
		}
	}
	return files
}

// xdgDefault is $XDG_CONFIG_HOME/git/name, or ~/.config/git/name.
func xdgDefault(name string) string {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "git", name)
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".config", "git", name)
	}
	return ""
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

// parseBool reads a git boolean; a key without a value is true.
func parseBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "true", "yes", "on", "1":
		return true
	}
	return false
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
