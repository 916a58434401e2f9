package validate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/app"
	"github.com/honua-io/honua-gitops/internal/cmd/cmdtest"
)

// layerHead is the start of a valid resource document; the tests append the
// lines that carry the mistake, so line numbers are easy to count.
const layerHead = `apiVersion: honua.io/v1alpha1
kind: Layer
metadata:
  name: scratch
  namespace: planning
spec:
`

// writeFile writes content to rel in the example copy dir.
func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
}

// editFile replaces old, which must occur in rel, with new.
func editFile(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Contains(t, string(data), old)
	require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
}

func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// The common indentation mistakes are reported at the line and column of the
// mistake, not at the start of the enclosing mapping or document.
func TestValidateReportsExactYAMLPositions(t *testing.T) {
	const file = "environments/staging/scratch.yaml"
	tests := []struct {
		name    string
		content string
		want    string // prefix of the first output line
	}{
		{
			name:    "dedent: a key falls back to no open block",
			content: layerHead + "    title: Scratch\n    tableName: scratch\n  srid: 4326\n",
			want:    file + ":9:3: invalid YAML: did not find expected key",
		},
		{
			name:    "dedent in a later document",
			content: "# first\n" + layerHead + "  title: A\n---\n" + layerHead + "    title: Scratch\n    tableName: scratch\n  srid: 4326\n",
			want:    file + ":18:3: invalid YAML: did not find expected key",
		},
		{
			name:    "over-indent",
			content: layerHead + "  title: Scratch\n    tableName: scratch\n",
			want:    file + ":8:5: invalid YAML: mapping values are not allowed in this context",
		},
		{
			name:    "tab in indentation",
			content: layerHead + "  title: Scratch\n\ttableName: scratch\n",
			want:    file + ":8:1: invalid YAML: found a tab character that violates indentation",
		},
		{
			name:    "list item at the wrong level",
			content: layerHead + "  fields:\n    - name: a\n    - name: b\n   - name: c\n",
			want:    file + ":10:4: invalid YAML: did not find expected key",
		},
		{
			name:    "list item where a key belongs",
			content: layerHead + "  fields:\n  - name: a\n    - name: b\n",
			want:    file + ":9:5: invalid YAML: did not find expected key",
		},
		{
			name:    "unclosed flow sequence before the next key",
			content: layerHead + "  title: Scratch\n  keywords: [a, b\n  srid: 4326\n",
			want:    file + ":8:13: invalid YAML: did not find expected ',' or ']'",
		},
		{
			name:    "unclosed flow mapping at end of file",
			content: layerHead + "  title: Scratch\n  extent: {xmin: 1, ymin: 2\n",
			want:    file + ":8:11: invalid YAML: did not find expected ',' or '}'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := cmdtest.CopyExample(t)
			writeFile(t, dir, file, tt.content)
			r := cmdtest.Run(t, nil, "validate", "--dir", dir)
			assert.Equal(t, app.ExitInvalid, r.Code)
			require.NotEmpty(t, r.Stdout)
			assert.True(t, strings.HasPrefix(lines(r.Stdout)[0], tt.want), "first line %q, want prefix %q", lines(r.Stdout)[0], tt.want)
			assert.Equal(t, 1, strings.Count(r.Stdout, "invalid YAML"), r.Stdout)
		})
	}
}

// A file that does not parse contributes its parse error only: the checks
// that depend on other files are skipped, in the environments that include
// it, with a closing line saying so; every other problem is still reported,
// parse errors first and warnings last.
func TestValidateDoesNotCascadeFromAParseError(t *testing.T) {
	t.Run("common file: every environment skips cross-file checks", func(t *testing.T) {
		dir := cmdtest.CopyExample(t)
		// Line 15: description falls back from indent 2 to indent 1.
		editFile(t, dir, "environments/common/layers/planning.yaml", "\n  description: Tax parcels", "\n description: Tax parcels")
		// An unrelated problem in a file that parses must still be reported.
		writeFile(t, dir, "environments/staging/leaky.yaml", "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: leaky, namespace: city}\nspec:\n  name: leaky\n  host: db\n  databaseName: gis\n  password: hunter2\n")
		r := cmdtest.Run(t, nil, "validate", "--dir", dir)
		assert.Equal(t, app.ExitInvalid, r.Code)
		assert.Equal(t, []string{
			"environments/common/layers/planning.yaml:15:2: invalid YAML: did not find expected key (check indentation and quoting on this line or the one before it)",
			"environments/staging/leaky.yaml:8:13: Connection/city/leaky: spec.password holds a plaintext secret (store the secret outside git: use secretReference with secretType, or ${secret:NAME} resolved from the environment at apply time)",
			"checks that depend on other files were skipped in development, staging, production because environments/common/layers/planning.yaml does not parse",
		}, stripCount(lines(r.Stdout)), r.Stdout)
		assert.Contains(t, r.Stderr, "error: 2 problems in 2 files")
	})

	t.Run("environment file: other environments are checked in full", func(t *testing.T) {
		dir := cmdtest.CopyExample(t)
		writeFile(t, dir, "environments/staging/broken.yaml", layerHead+"    title: Scratch\n  srid: 4326\n")
		// A dangling reference in production and an unused variable in
		// development: both environments parse, so both are reported.
		writeFile(t, dir, "environments/production/style.yaml",
			"apiVersion: honua.io/v1alpha1\nkind: Style\nmetadata:\n  name: orphan\n  namespace: planning\nspec:\n  layerId: nowhere\n  style: {renderer: simple}\n")
		editFile(t, dir, "environments/development/variables.yaml", "MAX_RECORD_COUNT: 10000", "MAX_RECORD_COUNT: 10000\nNEVER_USED: 1")
		// staging has its own unused variable, but its warning depends on
		// the file that does not parse, so it is skipped.
		editFile(t, dir, "environments/staging/variables.yaml", "\n", "\nSTAGING_NEVER_USED: 1\n")
		r := cmdtest.Run(t, nil, "validate", "--dir", dir)
		assert.Equal(t, app.ExitInvalid, r.Code)
		out := stripCount(lines(r.Stdout))
		require.Len(t, out, 4, r.Stdout)
		assert.Equal(t, "environments/staging/broken.yaml:8:3: invalid YAML: did not find expected key (check indentation and quoting on this line or the one before it)", out[0])
		assert.True(t, strings.HasPrefix(out[1], "environments/production/style.yaml:7:12: Style/planning/orphan: spec.layerId refers to Layer/planning/nowhere, which is not defined in environment production"), out[1])
		assert.True(t, strings.HasPrefix(out[2], "environments/development/variables.yaml:"), out[2])
		assert.Contains(t, out[2], ": warning: variable NEVER_USED is never used in environment development")
		assert.Equal(t, "checks that depend on other files were skipped in staging because environments/staging/broken.yaml does not parse", out[3])
	})
}

// stripCount removes the number from the closing "N checks ... were skipped"
// line, which counts findings the tests do not want to pin, after checking
// it is a positive number.
func stripCount(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		n, rest, ok := strings.Cut(l, " ")
		if ok && strings.Trim(n, "0123456789") == "" && n != "0" {
			rest = strings.Replace(rest, "check that depends on other files was", "checks that depend on other files were", 1)
			if strings.HasPrefix(rest, "checks that depend") {
				l = rest
			}
		}
		out[i] = l
	}
	return out
}

// Empty YAML documents (--- followed by ---, a trailing ---, the ... end
// marker, a file of only empty documents) are valid and ignored.
func TestValidateIgnoresEmptyDocuments(t *testing.T) {
	doc := "apiVersion: honua.io/v1alpha1\nkind: Style\nmetadata:\n  name: empty-docs\n  namespace: planning\nspec:\n  layerId: parcels\n  style: {renderer: simple}\n"
	tests := []struct {
		name    string
		content string
	}{
		{"--- followed by ---", "---\n---\n" + doc},
		{"trailing ---", doc + "---\n"},
		{"... end marker", doc + "...\n"},
		{"... then more documents", doc + "...\n---\n...\n"},
		{"comment-only document", "# nothing yet\n---\n" + doc + "---\n# nothing here either\n"},
		{"only empty documents", "---\n---\n...\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := cmdtest.CopyExample(t)
			writeFile(t, dir, "environments/common/empty-docs.yaml", tt.content)
			r := cmdtest.Run(t, nil, "validate", "--dir", dir)
			assert.Equal(t, app.ExitOK, r.Code, r.Stdout+r.Stderr)
			assert.Equal(t, "valid: development, staging, production\n", r.Stdout)
		})
	}
}
