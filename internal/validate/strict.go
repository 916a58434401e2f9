package validate

import "github.com/honua-io/honua-gitops/internal/diag"

// Strict returns the diagnostics with every warning made an error, for
// --strict: a repository that must be clean fails on anything it is warned
// about. Other severities are kept as they are.
func Strict(d diag.List) diag.List {
	out := make(diag.List, len(d))
	for i, x := range d {
		if x.Severity == diag.Warning {
			x.Severity = diag.Error
		}
		out[i] = x
	}
	return out
}
