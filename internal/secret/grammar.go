package secret

import (
	"regexp"
	"slices"
	"strings"
)

// The placeholder grammar, owned here: ${secret:NAME}, NAME of letters,
// digits and underscores, not starting with a digit; $${secret:NAME} is the
// literal text ${secret:NAME}. The loader keeps that escape (it resolves
// ${NAME} variables, not secrets), so it reaches Resolve, which unescapes
// it instead of resolving it. Every package that finds, checks, masks or
// resolves placeholders calls these functions.

// Prefix is what marks a ${...} reference as a secret: the loader, which
// resolves ${NAME} variables, leaves ${secret:NAME} (and its escape) alone.
const Prefix = "secret:"

// Marker starts every placeholder; no output shows a value containing it.
const Marker = "${" + Prefix

var (
	// refRe matches a placeholder with the $ that escapes it, if any, in
	// group 1 (Go's regexp has no look-behind).
	refRe   = regexp.MustCompile(`(\$?)\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}`)
	wholeRe = regexp.MustCompile(`^\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}$`)
)

// Has reports whether s contains the start of a placeholder (well formed or
// not, escaped or not: none of them is shown).
func Has(s string) bool { return strings.Contains(s, Marker) }

// IsWhole reports whether s is exactly one placeholder.
func IsWhole(s string) bool { return wholeRe.MatchString(s) }

// Refs returns the names s refers to, in order of first use; escaped
// ones ($${secret:NAME}) refer to nothing.
func Refs(s string) []string {
	var out []string
	for _, m := range refRe.FindAllStringSubmatch(s, -1) {
		if m[1] == "" && !slices.Contains(out, m[2]) {
			out = append(out, m[2])
		}
	}
	return out
}

// expand replaces every placeholder in s with resolve(name) and every
// escaped one with its literal text.
func expand(s string, resolve func(name, ref string) string) string {
	return refRe.ReplaceAllStringFunc(s, func(ref string) string {
		if strings.HasPrefix(ref, "$$") {
			return ref[1:]
		}
		return resolve(refRe.FindStringSubmatch(ref)[2], ref)
	})
}

// NamesIn returns the names referred to anywhere in v (strings, map keys
// and values, list items), sorted.
func NamesIn(v any) []string {
	var out []string
	add := func(s string) {
		for _, n := range Refs(s) {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	var walkAny func(any)
	walkAny = func(v any) {
		switch x := v.(type) {
		case string:
			add(x)
		case map[string]any:
			for k, e := range x {
				add(k)
				walkAny(e)
			}
		case []any:
			for _, e := range x {
				walkAny(e)
			}
		}
	}
	walkAny(v)
	slices.Sort(out)
	return out
}

// HasIn reports whether v holds a placeholder anywhere (keys included).
func HasIn(v any) bool {
	switch x := v.(type) {
	case string:
		return Has(x)
	case map[string]any:
		for k, e := range x {
			if Has(k) || HasIn(e) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(x, HasIn)
	}
	return false
}

// reservedPrefixes name variables of the runner and of GitHub itself:
// never a secret of the configuration.
var reservedPrefixes = []string{"GITHUB_", "ACTIONS_", "RUNNER_"}

// reservedNames are the tool's own credentials.
var reservedNames = []string{"HONUA_API_KEY", "HONUA_GITOPS_GIT_TOKEN", "GITHUB_TOKEN"}

// Reserved reports whether name may never be resolved: the tool's own
// credentials (and the credential variables of the configured targets,
// given as credentials), and the GITHUB_*, ACTIONS_* and RUNNER_*
// variables. Resolving one would send a credential of the deployment
// itself to Honua as configuration.
func Reserved(name string, credentials []string) bool {
	if slices.Contains(reservedNames, name) || slices.Contains(credentials, name) {
		return true
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// maxRefBytes bounds how far Mask looks for a placeholder's closing brace.
const maxRefBytes = 256

// Mask replaces every placeholder in free text (a message, a path, a name)
// with with, escaped or not, well formed or not. An unterminated one is
// replaced up to the end of its line when that is near, and only its
// marker otherwise.
func Mask(s, with string) string {
	if !Has(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.Index(s, Marker)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(with)
		rest := s[i+len(Marker):]
		end := len(rest)
		if j := strings.IndexAny(rest, "}\n"); j >= 0 && j < maxRefBytes {
			end = j
			if rest[j] == '}' {
				end++
			}
		} else if end > maxRefBytes {
			end = 0 // only the marker itself is dropped
		}
		s = rest[end:]
	}
}
