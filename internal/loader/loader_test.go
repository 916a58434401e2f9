package loader_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/resource"
)

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

func load(t *testing.T, dir, env string) (*loader.Environment, diag.List) {
	t.Helper()
	cfg, d := config.Load(dir)
	require.False(t, d.HasErrors(), "config: %v", d)
	return loader.New(cfg).Load(context.Background(), env)
}

func mustLoad(t *testing.T, dir, env string) map[string]*resource.Resource {
	t.Helper()
	e, d := load(t, dir, env)
	require.False(t, d.HasErrors(), "%v", d)
	out := map[string]*resource.Resource{}
	for _, r := range e.Resources() {
		out[r.ID().String()] = r
	}
	return out
}

const commonLayer = `apiVersion: honua.io/v1alpha1
kind: Layer
metadata:
  name: parcels
  labels: {tier: gold, owner: gis}
spec:
  tableName: parcels
  schemaName: public
  geometryType: Polygon
  srid: 4326
  fields: [id, owner, area]
  query: {maxRecordCount: 1000, autoFilter: "status = 'active'"}
  title: Parcels
`

func TestOverlayRules(t *testing.T) {
	dir := writeRepo(t, map[string]string{
		"environments/common/layers.yaml": commonLayer,
		"environments/staging/parcels.yaml": `apiVersion: honua.io/v1alpha1
kind: layer            # kinds compare case-insensitively
metadata:
  name: parcels
  labels: {tier: null, env: staging}
spec:
  fields: [id, area]   # lists replace
  query: {maxRecordCount: 500}  # maps merge
  title: null          # null removes a key
`,
		"environments/production/.keep": "",
	})
	got := mustLoad(t, dir, "staging")["Layer/default/parcels"]
	require.NotNil(t, got)
	assert.Equal(t, "Layer", got.Kind, "canonical spelling is kept")
	assert.Equal(t, map[string]string{"owner": "gis", "env": "staging"}, got.Metadata.Labels)
	assert.Equal(t, []any{"id", "area"}, got.Spec["fields"])
	assert.Equal(t, map[string]any{"maxRecordCount": int64(500), "autoFilter": "status = 'active'"}, got.Spec["query"])
	assert.NotContains(t, got.Spec, "title")
	assert.Equal(t, int64(4326), got.Spec["srid"])

	prod := mustLoad(t, dir, "production")["Layer/default/parcels"]
	require.NotNil(t, prod, "an environment without overrides gets common as is")
	assert.Equal(t, "Parcels", prod.Spec["title"])
	assert.Equal(t, []any{"id", "owner", "area"}, prod.Spec["fields"])
}

func TestExclusion(t *testing.T) {
	exclude := `apiVersion: honua.io/v1alpha1
kind: Layer
metadata:
  name: %s
  annotations: {gitops.honua.io/exclude: "true"}
`
	dir := writeRepo(t, map[string]string{
		"environments/common/layers.yaml":      commonLayer,
		"environments/production/exclude.yaml": strings.Replace(exclude, "%s", "parcels", 1),
		"environments/staging/exclude.yaml":    strings.Replace(exclude, "%s", "nothing-here", 1),
	})
	assert.Empty(t, mustLoad(t, dir, "production"))
	_, d := load(t, dir, "staging")
	require.True(t, d.HasErrors())
	assert.Contains(t, d.Error(), "environments/staging/exclude.yaml:1:1: Layer/default/nothing-here excludes a common resource that does not exist")
}

func TestVariables(t *testing.T) {
	dir := writeRepo(t, map[string]string{
		"environments/common/variables.yaml": "SCHEMA: public\nSRID: 3857\n",
		"environments/dev/variables.yaml":    "SRID: 4326\nHOST: db.dev.internal\n",
		"environments/dev/db.yaml": `apiVersion: honua.io/v1alpha1
kind: Connection
metadata: {name: db}
spec:
  name: db
  host: ${HOST}
  databaseName: gis
  description: "on ${HOST} in ${SCHEMA}, literal $${HOST}"
  password: ${secret:DB_PASSWORD}
---
apiVersion: honua.io/v1alpha1
kind: Layer
metadata: {name: roads}
spec: {tableName: roads, schemaName: "${SCHEMA}", geometryType: LineString, srid: "${SRID}"}
`,
	})
	rs := mustLoad(t, dir, "dev")
	db := rs["Connection/default/db"].Spec
	assert.Equal(t, "db.dev.internal", db["host"])
	assert.Equal(t, "on db.dev.internal in public, literal ${HOST}", db["description"])
	assert.Equal(t, "${secret:DB_PASSWORD}", db["password"], "secret placeholders stay unresolved until apply")
	roads := rs["Layer/default/roads"].Spec
	assert.Equal(t, int64(4326), roads["srid"], "a whole-string reference keeps the variable's type; the environment wins over common")
	assert.Equal(t, "public", roads["schemaName"])
}

func TestJSONShapes(t *testing.T) {
	one := `{"apiVersion":"honua.io/v1alpha1","kind":"Service","metadata":{"name":"%s"},"spec":{"description":"d","srid":4326.0}}`
	dir := writeRepo(t, map[string]string{
		"environments/dev/one.json":       strings.Replace(one, "%s", "a", 1),
		"environments/dev/array.json":     "[" + strings.Replace(one, "%s", "b", 1) + "]",
		"environments/dev/resources.json": `{"resources": [` + strings.Replace(one, "%s", "c", 1) + `]}`,
		"environments/dev/legacy.yaml":    "apiVersion: honua.io/v1alpha0\nkind: service\nmetadata: {name: d, namespace: \"\"}\nspec: {description: d, srid: 4326}\n",
	})
	rs := mustLoad(t, dir, "dev")
	for _, n := range []string{"a", "b", "c", "d"} {
		r := rs["Service/default/"+n]
		require.NotNil(t, r, n)
		assert.Equal(t, resource.APIVersion, r.APIVersion)
		assert.Equal(t, int64(4326), r.Spec["srid"], "4326.0 and 4326 are the same number")
	}
}

func TestFilesOutsideTheRepository(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte(commonLayer), 0o644))
	dir := writeRepo(t, map[string]string{"environments/dev/ok.yaml": strings.Replace(commonLayer, "parcels", "ok", -1)})
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "environments/dev/link.yaml")))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "environments/dev/linkdir")))
	// A loop: a directory linking to its parent, and a link to itself.
	require.NoError(t, os.Symlink("..", filepath.Join(dir, "environments/dev/up")))
	require.NoError(t, os.Symlink("self.yaml", filepath.Join(dir, "environments/dev/self.yaml")))

	done := make(chan diag.List)
	go func() { _, d := load(t, dir, "dev"); done <- d }()
	select {
	case d := <-done:
		msgs := d.Error()
		assert.Contains(t, msgs, "environments/dev/link.yaml: symbolic link points outside the repository")
		assert.Contains(t, msgs, "environments/dev/linkdir: symbolic link points outside the repository")
		assert.Contains(t, msgs, "environments/dev/self.yaml: broken or looping symbolic link")
	case <-time.After(10 * time.Second):
		t.Fatal("loading a repository with a symlink loop hung")
	}
}

func TestResourcesAreSortedAndPositioned(t *testing.T) {
	dir := writeRepo(t, map[string]string{
		"environments/common/layers.yaml": commonLayer,
		"environments/dev/style.yaml": `apiVersion: honua.io/v1alpha1
kind: Style
metadata: {name: parcels}
spec: {layerId: parcels, style: {}}
`,
		"environments/dev/svc.yaml": "apiVersion: honua.io/v1alpha1\nkind: Service\nmetadata: {name: cadastre}\nspec: {description: d, srid: 4326}\n",
	})
	e, d := load(t, dir, "dev")
	require.False(t, d.HasErrors(), "%v", d)
	var ids []string
	for _, it := range e.Items {
		ids = append(ids, it.Resource.ID().String())
	}
	assert.Equal(t, []string{"Service/default/cadastre", "Layer/default/parcels", "Style/default/parcels"}, ids)
	assert.Equal(t, "environments/common/layers.yaml:1:1", e.Items[1].Pos.String())
}

func TestLoaderRejectsAmbiguousInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
		warn  bool
	}{
		{"variable in a name", map[string]string{"environments/dev/a.yaml": strings.Replace(commonLayer, "name: parcels", `name: "${X}"`, 1)}, "metadata.name must not use variables", false},
		{"exclusion must say true", map[string]string{
			"environments/common/a.yaml": commonLayer,
			"environments/dev/x.yaml":    "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: parcels, annotations: {gitops.honua.io/exclude: 'yes'}}\n",
		}, `gitops.honua.io/exclude must be "true" or "false"`, false},
		{"exclusion has no spec", map[string]string{
			"environments/common/a.yaml": commonLayer,
			"environments/dev/x.yaml":    "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: parcels, annotations: {gitops.honua.io/exclude: 'true'}}\nspec: {}\n",
		}, "an excluded resource has no spec", false},
		{"explicit path must exist", map[string]string{
			"honua-gitops.yaml":          "environments:\n  dev:\n    path: environments/dve\n",
			"environments/common/a.yaml": commonLayer,
		}, "environment dev: directory environments/dve does not exist", false},
		{"unused variable is a warning", map[string]string{
			"environments/dev/a.yaml":         commonLayer,
			"environments/dev/variables.yaml": "UNUSED: 1\n",
		}, "variable UNUSED is never used in environment dev", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, d := load(t, writeRepo(t, tt.files), "dev")
			assert.Equal(t, !tt.warn, d.HasErrors(), "%v", d)
			assert.Contains(t, d.Error(), tt.want)
		})
	}
}

// Files are parsed once and shared by every environment a loader serves:
// one environment's overlay and variables must never leak into another's.
func TestSharedParsesAreNotModified(t *testing.T) {
	dir := writeRepo(t, map[string]string{
		"environments/common/layers.yaml":        strings.Replace(commonLayer, "title: Parcels", "title: \"${TITLE}\"\n  dropme: null", 1),
		"environments/staging/variables.yaml":    "TITLE: Staging parcels\n",
		"environments/staging/parcels.yaml":      "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: parcels}\nspec: {query: {maxRecordCount: 5}, fields: null}\n",
		"environments/production/variables.yaml": "TITLE: Parcels\n",
	})
	cfg, d := config.Load(dir)
	require.False(t, d.HasErrors())
	l := loader.New(cfg)
	for range 2 {
		st, d := l.Load(context.Background(), "staging")
		require.False(t, d.HasErrors(), "%v", d)
		pr, d := l.Load(context.Background(), "production")
		require.False(t, d.HasErrors(), "%v", d)
		s, p := st.Items[0].Resource.Spec, pr.Items[0].Resource.Spec
		assert.Equal(t, "Staging parcels", s["title"])
		assert.Equal(t, "Parcels", p["title"])
		assert.Equal(t, map[string]any{"maxRecordCount": int64(5), "autoFilter": "status = 'active'"}, s["query"])
		assert.Equal(t, map[string]any{"maxRecordCount": int64(1000), "autoFilter": "status = 'active'"}, p["query"])
		assert.NotContains(t, s, "fields")
		assert.Contains(t, p, "fields")
		assert.NotContains(t, p, "dropme")
	}
}

// Every file the loader reads goes through repofile: a variablesFile outside
// the repository, a FIFO and an oversized file are refused with the file
// named; a link to a file inside the repository is read.
func TestFilesAreReadOnlyInsideTheRepository(t *testing.T) {
	const cfg = "environments:\n  dev:\n    variablesFile: vars/dev.yaml\n"
	const svc = "apiVersion: honua.io/v1alpha1\nkind: Service\nmetadata: {name: s}\nspec: {description: \"${DESC}\", srid: 4326}\n"
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		message string // empty: loads cleanly
	}{
		{
			name: "variables file linked inside the repository",
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "shared.yaml"), []byte("DESC: inside\n"), 0o644))
				require.NoError(t, os.Symlink("../shared.yaml", filepath.Join(dir, "vars/dev.yaml")))
			},
		},
		{
			name: "variables file linked outside the repository",
			setup: func(t *testing.T, dir string) {
				out := filepath.Join(t.TempDir(), "v.yaml")
				require.NoError(t, os.WriteFile(out, []byte("DESC: leaked-value\n"), 0o644))
				require.NoError(t, os.Symlink(out, filepath.Join(dir, "vars/dev.yaml")))
			},
			message: "vars/dev.yaml: symbolic link points outside the repository",
		},
		{
			name: "variables file is a FIFO",
			setup: func(t *testing.T, dir string) {
				require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "vars/dev.yaml"), 0o644))
			},
			message: "vars/dev.yaml: file is a named pipe (FIFO), not a regular file",
		},
		{
			name: "variables file too large",
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.Truncate(writeFile(t, dir, "vars/dev.yaml"), 32<<20+1))
			},
			message: "vars/dev.yaml: file is 33554433 bytes, larger than the limit",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeRepo(t, map[string]string{config.FileName: cfg, "environments/dev/svc.yaml": svc, "vars/.keep": ""})
			tt.setup(t, dir)
			done := make(chan diag.List, 1)
			var env *loader.Environment
			go func() { var d diag.List; env, d = load(t, dir, "dev"); done <- d }()
			var d diag.List
			select {
			case d = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("loading blocked on a file that is not a regular file")
			}
			if tt.message == "" {
				require.False(t, d.HasErrors(), "%v", d)
				assert.Equal(t, "inside", env.Items[0].Resource.Spec["description"])
				return
			}
			require.True(t, d.HasErrors())
			assert.Contains(t, d.Error(), tt.message)
			assert.NotContains(t, d.Error(), "leaked-value")
		})
	}
}

func writeFile(t *testing.T, dir, rel string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	require.NoError(t, os.WriteFile(p, nil, 0o644))
	return p
}
