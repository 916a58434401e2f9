// Package schemas holds the JSON Schemas (draft 2020-12) of the files a
// configuration repository contains and of the plan JSON the tool writes:
//
//   - resource.schema.json: a complete resource file (environments/common,
//     and resources that only one environment defines);
//   - overlay.schema.json: an environment file that overrides or excludes
//     common resources (required spec keys are not enforced, null removes a
//     key);
//   - config.schema.json: honua-gitops.yaml;
//   - variables.schema.json: an environment's variables.yaml;
//   - plan.schema.json: the output of `plan --format json`, one environment or all.
//
// Editors use them through yaml-language-server; the CLI prints them.
package schemas

import (
	"embed"
	"io/fs"
	"slices"
	"strings"
)

//go:embed *.json
var files embed.FS

// Suffix ends every schema file name.
const Suffix = ".schema.json"

// Get returns the schema called name: "resource", "resource.schema.json"
// and "resource.json" all name the same file.
func Get(name string) ([]byte, bool) {
	name = strings.TrimSuffix(strings.TrimSuffix(name, Suffix), ".json")
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, false
	}
	b, err := files.ReadFile(name + Suffix)
	if err != nil {
		return nil, false
	}
	return b, true
}

// Names lists the schemas by short name ("config", "overlay", "plan",
// "resource", "variables"), sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), Suffix); ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
