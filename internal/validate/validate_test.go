package validate_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/validate"
)

// writeRepo lays out files (path → content) under a temporary directory.
func writeRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
	return dir
}

// check loads and validates env and returns the rendered diagnostics.
func check(t *testing.T, dir, env string) []string {
	t.Helper()
	cfg, d := config.Load(dir)
	require.False(t, d.HasErrors(), "config: %v", d)
	e, ld := loader.New(cfg).Load(context.Background(), env)
	all := ld
	if e != nil {
		all = append(all, validate.Environment(cfg.Environment(env), e)...)
	}
	var out []string
	for _, x := range all.Sort() {
		if x.Severity == diag.Error {
			out = append(out, x.Pos.String()+": "+x.Message)
		}
	}
	return out
}

const layer = `apiVersion: honua.io/v1alpha1
kind: Layer
metadata: {name: parcels}
spec: {tableName: parcels, schemaName: public, geometryType: Polygon, srid: 4326}
`

func TestValidationErrorClasses(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings, one per expected error, in order
	}{
		{
			name:  "valid",
			files: map[string]string{"environments/dev/layers.yaml": layer},
		},
		{
			name:  "yaml syntax error has a line",
			files: map[string]string{"environments/dev/a.yaml": "kind: Layer\n  bad: [\n"},
			want:  []string{"environments/dev/a.yaml:2:3: invalid YAML"},
		},
		{
			name:  "json trailing comma",
			files: map[string]string{"environments/dev/a.json": "{\"apiVersion\": \"honua.io/v1alpha1\",\n \"kind\": \"Layer\",\n}\n"},
			want:  []string{"environments/dev/a.json:3:1: invalid JSON"},
		},
		{
			name:  "unknown apiVersion",
			files: map[string]string{"environments/dev/a.yaml": strings.Replace(layer, "honua.io/v1alpha1", "honua.io/v9", 1)},
			want:  []string{"a.yaml:1:13: unsupported apiVersion \"honua.io/v9\""},
		},
		{
			name:  "unknown kind",
			files: map[string]string{"environments/dev/a.yaml": strings.Replace(layer, "kind: Layer", "kind: Lair", 1)},
			want:  []string{"a.yaml:2:7: unknown kind \"Lair\""},
		},
		{
			name:  "missing required spec key",
			files: map[string]string{"environments/dev/a.yaml": strings.Replace(layer, "schemaName: public, ", "", 1)},
			want:  []string{"a.yaml:4:7: Layer/default/parcels is missing required field spec.schemaName"},
		},
		{
			name:  "duplicate identity",
			files: map[string]string{"environments/dev/a.yaml": layer + "---\n" + strings.Replace(layer, "kind: Layer", "kind: layer", 1)},
			want:  []string{"a.yaml:6:1: duplicate resource Layer/default/parcels, first defined at environments/dev/a.yaml:1:1"},
		},
		{
			name: "dangling reference",
			files: map[string]string{"environments/dev/a.yaml": layer + `---
apiVersion: honua.io/v1alpha1
kind: Style
metadata: {name: roads-style}
spec: {layerId: roads, style: {version: 8}}
`},
			want: []string{"a.yaml:9:17: Style/default/roads-style: spec.layerId refers to Layer/default/roads, which is not defined in environment dev"},
		},
		{
			name: "reference to the wrong kind",
			files: map[string]string{"environments/dev/a.yaml": `apiVersion: honua.io/v1alpha1
kind: Service
metadata: {name: roads}
spec: {description: Roads, srid: 4326}
---
apiVersion: honua.io/v1alpha1
kind: Style
metadata: {name: s}
spec: {layerId: roads, style: {}}
`},
			want: []string{"spec.layerId refers to Layer/default/roads"},
		},
		{
			name:  "plaintext secret",
			files: map[string]string{"environments/dev/a.yaml": "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db}\nspec: {name: db, host: h, databaseName: gis, password: hunter2}\n"},
			want:  []string{"a.yaml:4:56: Connection/default/db: spec.password holds a plaintext secret"},
		},
		{
			name:  "secretReference without secretType",
			files: map[string]string{"environments/dev/a.yaml": "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db}\nspec: {name: db, host: h, databaseName: gis, secretReference: db-pw}\n"},
			want:  []string{"spec.secretReference needs a secretType"},
		},
		{
			name:  "srid must be an integer",
			files: map[string]string{"environments/dev/a.yaml": strings.Replace(layer, "srid: 4326", `srid: "4326"`, 1)},
			want:  []string{"spec.srid must be an integer, got a string"},
		},
		{
			name:  "name with whitespace and slash",
			files: map[string]string{"environments/dev/a.yaml": strings.Replace(layer, "name: parcels", "name: \"par cels/x\"", 1)},
			want:  []string{"metadata.name \"par cels/x\" must not contain '/'"},
		},
		{
			name:  "invalid utf-8 names its line",
			files: map[string]string{"environments/dev/a.yaml": "kind: Layer\nmetadata:\n  name: \xff\n"},
			want:  []string{"a.yaml:3:9: file is not valid UTF-8"},
		},
		{
			name:  "bom and crlf are fine",
			files: map[string]string{"environments/dev/a.yaml": "\xEF\xBB\xBF" + strings.ReplaceAll(layer, "\n", "\r\n")},
		},
		{
			name:  "other files are ignored",
			files: map[string]string{"environments/dev/a.yaml": layer, "environments/dev/README.md": "# not yaml: [", "environments/dev/.hidden.yaml": "bad: ["},
		},
		{
			name:  "undefined variable",
			files: map[string]string{"environments/dev/a.yaml": strings.Replace(layer, "tableName: parcels", `tableName: "${TABLE}"`, 1)},
			want:  []string{"undefined variable ${TABLE}"},
		},
		{
			name:  "unknown top-level key",
			files: map[string]string{"environments/dev/a.yaml": layer + "specs: {}\n"},
			want:  []string{"a.yaml:5:1: unknown top-level key \"specs\""},
		},
		{
			name:  "several problems reported in one run",
			files: map[string]string{"environments/dev/a.yaml": strings.Replace(layer, "srid: 4326", "srid: x", 1), "environments/dev/b.yaml": "kind: Nope\n"},
			want:  []string{"a.yaml:4:77: Layer/default/parcels: spec.srid must be an integer", "b.yaml:1:1: resource has no apiVersion", "b.yaml:1:1: resource has no metadata", "b.yaml:1:7: unknown kind"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(t, writeRepo(t, tt.files), "dev")
			require.Len(t, got, len(tt.want), "got: %s", strings.Join(got, "\n"))
			for i, w := range tt.want {
				assert.Contains(t, got[i], w)
			}
		})
	}
}

func TestPlaintextSecretIsNeverEchoed(t *testing.T) {
	dir := writeRepo(t, map[string]string{"environments/dev/a.yaml": "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db}\nspec: {name: db, host: h, databaseName: gis, password: s3cr3t-value}\n"})
	got := strings.Join(check(t, dir, "dev"), "\n")
	assert.Contains(t, got, "plaintext secret")
	assert.NotContains(t, got, "s3cr3t-value")
}

func TestSecretPlaceholderIsAccepted(t *testing.T) {
	dir := writeRepo(t, map[string]string{"environments/dev/a.yaml": "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db}\nspec: {name: db, host: h, databaseName: gis, password: \"${secret:DB_PASSWORD}\"}\n"})
	assert.Empty(t, check(t, dir, "dev"))
}

func TestNamespacesAllowedByConfig(t *testing.T) {
	dir := writeRepo(t, map[string]string{
		"honua-gitops.yaml":       "environments:\n  dev:\n    namespaces: [gis]\n",
		"environments/dev/a.yaml": layer,
	})
	got := check(t, dir, "dev")
	require.Len(t, got, 1)
	assert.Contains(t, got[0], `uses namespace "default", which environment dev does not allow`)
}
