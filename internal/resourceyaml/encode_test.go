package resourceyaml

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/resource"
)

func load(t *testing.T, root, env string) []*resource.Resource {
	t.Helper()
	cfg, d := config.Load(root)
	require.False(t, d.HasErrors(), "%v", d)
	e, d := loader.New(cfg).Load(context.Background(), env)
	require.False(t, d.HasErrors(), "%v", d)
	return e.Resources()
}

// repo is a configuration repository with one environment and no files.
func repo(t *testing.T, env string) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "environments", "common"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "environments", env), 0o755))
	cfg := "environments:\n  " + env + ":\n    path: environments/" + env + "\n    namespaces: [city, planning, transportation, sandbox, default]\n"
	require.NoError(t, os.WriteFile(filepath.Join(root, "honua-gitops.yaml"), []byte(cfg), 0o644))
	return root
}

// What the writer writes, the loader reads back as the same resources:
// every environment of the example repository, variables resolved,
// overlays merged, placeholders kept.
func TestExampleEnvironmentsRoundTrip(t *testing.T) {
	for _, env := range []string{"development", "staging", "production"} {
		t.Run(env, func(t *testing.T) {
			want := load(t, filepath.Join("..", "..", "examples", "honua-config"), env)
			root := repo(t, env)
			out, err := File("Imported from a test.", want)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(root, "environments", env, "imported.yaml"), out, 0o644))
			got := load(t, root, env)
			require.Len(t, got, len(want))
			byID := map[resource.Identity]*resource.Resource{}
			for _, r := range got {
				byID[r.ID().Key()] = r
			}
			for _, w := range want {
				g := byID[w.ID().Key()]
				require.NotNil(t, g, "%s", w.ID())
				assert.Empty(t, diff.Values("", w.Object(), g.Object()), "%s", w.ID())
			}
		})
	}
}

func TestFileLooksWritten(t *testing.T) {
	want := load(t, filepath.Join("..", "..", "examples", "honua-config"), "staging")
	out, err := File("Imported from staging.\nDo not edit by hand? Edit freely.", want)
	require.NoError(t, err)
	text := string(out)
	assert.True(t, strings.HasPrefix(text, "# Imported from staging.\n# Do not edit by hand? Edit freely.\n\napiVersion: honua.io/v1alpha1\n"), text[:120])
	// A layer's fields are flow-style objects, name first.
	assert.Contains(t, text, "    - {name: parcel_id, type: string, alias: Parcel ID (APN), nullable: false}\n")
	// Top-level spec keys follow the kind's known keys: title before srid.
	assert.Less(t, strings.Index(text, "  title: Land Records"), strings.Index(text, "  srid: 3857"))
	assert.Contains(t, text, "  protocols: [ogc-api-features, ogc-api-tiles, wms]\n")
	// A MapLibre layer starts with its id; a style with its version.
	assert.Contains(t, text, "  style:\n    version: 8\n    name: parcels-default\n    layers:\n      - id: parcels-fill\n        type: fill\n")
}

func TestLiteralDollarBracesAreEscapedAndSecretsRefused(t *testing.T) {
	r := &resource.Resource{APIVersion: resource.APIVersion, Kind: "Layer", Metadata: resource.Metadata{Name: "x", Namespace: "default"},
		Spec: map[string]any{"serviceId": "s", "tableName": "t", "description": "costs ${PRICE}, or $${RAW}", "title": "yes"}}
	out, err := File("", []*resource.Resource{r})
	require.NoError(t, err)
	assert.Contains(t, string(out), `costs $${PRICE}, or $$${RAW}`)
	root := repo(t, "e")
	require.NoError(t, os.WriteFile(filepath.Join(root, "environments", "e", "x.yaml"), out, 0o644))
	got := load(t, root, "e")
	require.Len(t, got, 1)
	assert.Equal(t, "costs ${PRICE}, or $${RAW}", got[0].Spec["description"])
	assert.Equal(t, "yes", got[0].Spec["title"], "a string that looks like a boolean stays a string")

	c := &resource.Resource{APIVersion: resource.APIVersion, Kind: "Connection", Metadata: resource.Metadata{Name: "db", Namespace: "default"},
		Spec: map[string]any{"host": "h", "password": "hunter2-the-real-one"}}
	_, err = File("", []*resource.Resource{c})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Connection/default/db: spec.password holds a secret value")
	assert.NotContains(t, err.Error(), "hunter2")
	c.Spec["password"] = "${secret:DB_PASSWORD}"
	out, err = File("", []*resource.Resource{c})
	require.NoError(t, err)
	assert.Contains(t, string(out), "password: ${secret:DB_PASSWORD}")
}
