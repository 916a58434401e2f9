package sourceedit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/sourceedit"
)

const layerDoc = `apiVersion: honua.io/v1alpha1
kind: Layer
metadata:
  name: %s
spec:
  serviceName: planning
  tableName: %s
  geometryType: Polygon
  srid: 4326
  title: %s   # shown in the catalogue
  fields: [{name: id, type: integer}, {name: owner, type: string, alias: Owner}]
`

func doc(name, title string) string {
	s := layerDoc
	s = strings.Replace(s, "%s", name, 1)
	s = strings.Replace(s, "%s", name, 1)
	return strings.Replace(s, "%s", title, 1)
}

type repo struct {
	t   *testing.T
	dir string
}

func newRepo(t *testing.T, files map[string]string) *repo {
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
	return &repo{t: t, dir: dir}
}

func (r *repo) load(env string) map[string]*loader.Item {
	r.t.Helper()
	cfg, d := config.Load(r.dir)
	require.False(r.t, d.HasErrors(), "%v", d)
	e, d := loader.New(cfg).Load(context.Background(), env)
	require.False(r.t, d.HasErrors(), "%v", d)
	out := map[string]*loader.Item{}
	for _, it := range e.Items {
		out[it.Resource.ID().String()] = it
	}
	return out
}

func (r *repo) read(rel string) ([]byte, error) {
	return os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(rel)))
}

func (r *repo) file(rel string) string {
	b, err := r.read(rel)
	require.NoError(r.t, err)
	return string(b)
}

// accept edits env so that each named resource reads as edit makes it,
// writes the files and returns them with what was refused.
func (r *repo) accept(env string, edits map[string]func(spec map[string]any)) (map[string]string, map[string]string) {
	r.t.Helper()
	items := r.load(env)
	ed := sourceedit.New("environments/"+env, "environments/"+env+"/accepted-drift.yaml", r.read)
	refused := map[string]string{}
	for id, edit := range edits {
		it := items[id]
		require.NotNil(r.t, it, id)
		want := *it.Resource
		want.Spec = resource.Clone(it.Resource.Spec).(map[string]any)
		edit(want.Spec)
		var re *sourceedit.RefusedError
		if err := ed.Resource(it, &want); errors.As(err, &re) {
			refused[id] = re.Reason
		} else {
			require.NoError(r.t, err)
		}
	}
	names, files, err := ed.Files()
	require.NoError(r.t, err)
	out := map[string]string{}
	for _, n := range names {
		require.NoError(r.t, os.WriteFile(filepath.Join(r.dir, filepath.FromSlash(n)), files[n], 0o644))
		out[n] = string(files[n])
	}
	return out, refused
}

func TestScalarsAreReplacedInPlace(t *testing.T) {
	src := doc("parcels", "Parcels") + "---\n" + strings.Replace(doc("zoning", `"Zoning districts"`), "tableName: zoning", "tableName: 'zoning'", 1)
	r := newRepo(t, map[string]string{"environments/staging/layers.yaml": src})
	files, refused := r.accept("staging", map[string]func(map[string]any){
		"Layer/default/parcels": func(s map[string]any) {
			s["title"] = "Parcel lots"
			s["fields"].([]any)[1].(map[string]any)["alias"] = "Owner, legal"
		},
		"Layer/default/zoning": func(s map[string]any) {
			s["title"] = `Zoning "2026"`
			s["tableName"] = "zoning_v2"
			s["srid"] = int64(3857)
		},
	})
	require.Empty(t, refused)
	want := strings.NewReplacer(
		"title: Parcels   #", "title: Parcel lots   #",
		`title: "Zoning districts"`, `title: "Zoning \"2026\""`,
		"tableName: 'zoning'", "tableName: 'zoning_v2'",
	).Replace(src)
	want = strings.Replace(want, "alias: Owner}", `alias: "Owner, legal"}`, 1)
	idx := strings.LastIndex(want, "srid: 4326")
	want = want[:idx] + "srid: 3857" + want[idx+len("srid: 4326"):]
	assert.Equal(t, want, files["environments/staging/layers.yaml"], "only the changed tokens differ; comments and quoting stay")

	got := r.load("staging")
	assert.Equal(t, "Parcel lots", got["Layer/default/parcels"].Resource.Spec["title"])
	assert.Equal(t, "Owner, legal", got["Layer/default/parcels"].Resource.Spec["fields"].([]any)[1].(map[string]any)["alias"])
	assert.Equal(t, `Zoning "2026"`, got["Layer/default/zoning"].Resource.Spec["title"])
	assert.Equal(t, int64(3857), got["Layer/default/zoning"].Resource.Spec["srid"])
}

func TestStructuralChangesRewriteOnlyTheirDocument(t *testing.T) {
	second := "# the zoning layer\n" + doc("zoning", "Zoning")
	src := doc("parcels", "Parcels") + "---\n" + second
	r := newRepo(t, map[string]string{"environments/staging/layers.yaml": src})
	files, refused := r.accept("staging", map[string]func(map[string]any){
		"Layer/default/parcels": func(s map[string]any) {
			s["fields"] = append(s["fields"].([]any), map[string]any{"name": "area", "type": "double"})
			delete(s, "title")
		},
	})
	require.Empty(t, refused)
	out := files["environments/staging/layers.yaml"]
	assert.True(t, strings.HasSuffix(out, "---\n"+second), "the other document is untouched:\n%s", out)
	got := r.load("staging")["Layer/default/parcels"].Resource
	assert.NotContains(t, got.Spec, "title")
	assert.Len(t, got.Spec["fields"], 3)
}

func TestCommonResourcesGetAnOverride(t *testing.T) {
	r := newRepo(t, map[string]string{
		"environments/common/layers.yaml": doc("parcels", "Parcels"),
		"environments/staging/.keep":      "",
		"environments/production/.keep":   "",
	})
	files, refused := r.accept("staging", map[string]func(map[string]any){
		"Layer/default/parcels": func(s map[string]any) {
			s["title"] = "Parcel lots"
			s["fields"].([]any)[1].(map[string]any)["alias"] = "Holder"
		},
	})
	require.Empty(t, refused)
	assert.Equal(t, []string{"environments/staging/accepted-drift.yaml"}, keys(files))
	assert.Equal(t, doc("parcels", "Parcels"), r.file("environments/common/layers.yaml"), "common is shared: never edited")
	assert.Contains(t, files["environments/staging/accepted-drift.yaml"], "title: Parcel lots")
	assert.NotContains(t, files["environments/staging/accepted-drift.yaml"], "tableName", "only the changed keys")

	assert.Equal(t, "Parcel lots", r.load("staging")["Layer/default/parcels"].Resource.Spec["title"])
	assert.Equal(t, "Parcels", r.load("production")["Layer/default/parcels"].Resource.Spec["title"], "other environments keep their values")

	// A second accept edits the override in place.
	files, refused = r.accept("staging", map[string]func(map[string]any){
		"Layer/default/parcels": func(s map[string]any) { s["title"] = "Lots" },
	})
	require.Empty(t, refused)
	assert.Equal(t, 1, strings.Count(files["environments/staging/accepted-drift.yaml"], "kind: Layer"))
	assert.Equal(t, "Lots", r.load("staging")["Layer/default/parcels"].Resource.Spec["title"])
}

func TestEditsThatWouldLoseIntentAreRefused(t *testing.T) {
	r := newRepo(t, map[string]string{
		"environments/common/variables.yaml": "title: Parcels\n",
		"environments/staging/layers.yaml":   strings.Replace(doc("parcels", "x"), "title: x", "title: ${title}", 1),
		"environments/common/zoning.yaml":    doc("zoning", "Zoning"),
		"environments/staging/zoning.yaml":   "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata:\n  name: zoning\nspec:\n  title: Zones\n",
	})
	before := r.file("environments/staging/layers.yaml")
	files, refused := r.accept("staging", map[string]func(map[string]any){
		"Layer/default/parcels": func(s map[string]any) { s["title"] = "Lots" },
		"Layer/default/zoning":  func(s map[string]any) { s["srid"] = int64(3857) },
	})
	assert.Empty(t, files)
	assert.Contains(t, refused["Layer/default/parcels"], "variables")
	assert.Contains(t, refused["Layer/default/zoning"], "by hand")
	assert.Equal(t, before, r.file("environments/staging/layers.yaml"))
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
