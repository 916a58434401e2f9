package action

import (
	"path"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/config"
)

// ChangedEnvironments maps a pull request's changed files (paths from the
// repository root) to the environments they affect: a file under an
// environment's directory affects it; a file under the common directory,
// honua-gitops.yaml or a variables file used by all affects every
// environment. dir is the configuration directory within the repository.
func ChangedEnvironments(cfg *config.Config, dir string, files []string) []string {
	prefix := strings.Trim(path.Clean(strings.TrimPrefix(dir, "./")), "/")
	if prefix == "." {
		prefix = ""
	}
	affected := map[string]bool{}
	all := false
	for _, f := range files {
		rel := f
		if prefix != "" {
			if !strings.HasPrefix(f, prefix+"/") {
				continue
			}
			rel = strings.TrimPrefix(f, prefix+"/")
		}
		switch {
		case rel == config.FileName, under(rel, cfg.CommonPath):
			all = true
		default:
			for _, e := range cfg.Environments {
				if under(rel, e.Path) || rel == e.VariablesFile {
					affected[e.Name] = true
				}
			}
		}
	}
	var out []string
	for _, e := range cfg.Environments {
		if all || affected[e.Name] {
			out = append(out, e.Name)
		}
	}
	return slices.Clip(out)
}

func under(file, dir string) bool {
	return dir != "" && (file == dir || strings.HasPrefix(file, strings.TrimSuffix(dir, "/")+"/"))
}
