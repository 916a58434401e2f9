// Package synth generates synthetic configuration repositories of realistic
// shape and any size, for benchmarks and load tests: connections, services,
// layers over PostGIS tables, styles and relationships that reference each
// other, spread over many files, with environment overrides and variables.
package synth

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// Options shape a generated repository.
type Options struct {
	// Resources is the approximate number of resources in the environment.
	Resources int
	// PerFile is how many resources go in one file (default 100).
	PerFile int
	// Environment is the environment's name (default "bench").
	Environment string
	// OverridePercent of layers get an environment override (default 10).
	OverridePercent int
	// Seed makes the output reproducible.
	Seed uint64
}

// Write lays out a repository under dir and returns the resources it
// expects the environment to contain, in no particular order, as canonical
// resources (for building recorded state).
func Write(dir string, o Options) ([]*resource.Resource, error) {
	if o.PerFile == 0 {
		o.PerFile = 100
	}
	if o.Environment == "" {
		o.Environment = "bench"
	}
	if o.OverridePercent == 0 {
		o.OverridePercent = 10
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	g := &gen{rng: rng}
	docs := g.resources(o.Resources)

	common := filepath.Join(dir, "environments", "common")
	env := filepath.Join(dir, "environments", o.Environment)
	for _, d := range []string{common, env} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(env, "variables.yaml"), []byte("DB_HOST: db.bench.internal\nSCHEMA: public\nMAX_RECORDS: 2000\n"), 0o644); err != nil {
		return nil, err
	}
	for i := 0; i < len(docs); i += o.PerFile {
		var b strings.Builder
		for _, d := range docs[i:min(i+o.PerFile, len(docs))] {
			b.WriteString("---\n")
			b.WriteString(d.yaml)
		}
		name := filepath.Join(common, fmt.Sprintf("part-%05d.yaml", i/o.PerFile))
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
			return nil, err
		}
	}
	var over strings.Builder
	for _, d := range docs {
		if d.kind == "Layer" && rng.IntN(100) < o.OverridePercent {
			fmt.Fprintf(&over, "---\napiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata:\n  name: %s\n  labels: {env: %s}\nspec:\n  query: {maxRecordCount: 500}\n", d.name, o.Environment)
			d.res.Metadata.Labels["env"] = o.Environment
			d.res.Spec["query"].(map[string]any)["maxRecordCount"] = int64(500)
		}
	}
	if err := os.WriteFile(filepath.Join(env, "overrides.yaml"), []byte(over.String()), 0o644); err != nil {
		return nil, err
	}
	out := make([]*resource.Resource, len(docs))
	for i, d := range docs {
		out[i] = d.res
	}
	return out, nil
}

type doc struct {
	kind, name, yaml string
	res              *resource.Resource
}

type gen struct {
	rng *rand.Rand
}

var geometries = []string{"Point", "LineString", "Polygon", "MultiPolygon", "MultiLineString"}
var themes = []string{"parcels", "roads", "zoning", "hydrants", "permits", "addresses", "trees", "buildings", "rail", "parks"}

func (g *gen) resources(n int) []*doc {
	var out []*doc
	conns := max(1, n/500)
	services := max(1, n/20)
	for i := range conns {
		name := fmt.Sprintf("db-%03d", i)
		out = append(out, g.doc("Connection", name,
			fmt.Sprintf("  name: %s\n  host: ${DB_HOST}\n  port: 5432\n  databaseName: gis_%03d\n  username: honua\n  secretReference: %s-password\n  secretType: password\n  sslMode: require\n", name, i, name),
			map[string]any{"name": name, "host": "db.bench.internal", "port": int64(5432), "databaseName": fmt.Sprintf("gis_%03d", i), "username": "honua", "secretReference": name + "-password", "secretType": "password", "sslMode": "require"}))
	}
	for i := range services {
		name := fmt.Sprintf("svc-%04d", i)
		out = append(out, g.doc("Service", name,
			fmt.Sprintf("  description: %s service %d\n  srid: 3857\n  connectionId: db-%03d\n  protocols: [ogc-features, wms, geoservices]\n", themes[i%len(themes)], i, i%conns),
			map[string]any{"description": fmt.Sprintf("%s service %d", themes[i%len(themes)], i), "srid": int64(3857), "connectionId": fmt.Sprintf("db-%03d", i%conns), "protocols": []any{"ogc-features", "wms", "geoservices"}}))
	}
	remaining := max(n-len(out), 0)
	layers := remaining * 60 / 100
	styles := remaining * 25 / 100
	rels := remaining - layers - styles
	for i := range layers {
		name := fmt.Sprintf("layer-%05d", i)
		geom := geometries[g.rng.IntN(len(geometries))]
		table := fmt.Sprintf("%s_%05d", themes[i%len(themes)], i)
		out = append(out, g.doc("Layer", name,
			fmt.Sprintf("  tableName: %s\n  schemaName: ${SCHEMA}\n  geometryType: %s\n  srid: 4326\n  serviceId: svc-%04d\n  title: %s %d\n  fields:\n    - {name: id, type: integer}\n    - {name: name, type: string}\n    - {name: updated_at, type: datetime}\n  query:\n    maxRecordCount: ${MAX_RECORDS}\n", table, geom, i%services, themes[i%len(themes)], i),
			map[string]any{"tableName": table, "schemaName": "public", "geometryType": geom, "srid": int64(4326), "serviceId": fmt.Sprintf("svc-%04d", i%services),
				"title":  fmt.Sprintf("%s %d", themes[i%len(themes)], i),
				"fields": []any{map[string]any{"name": "id", "type": "integer"}, map[string]any{"name": "name", "type": "string"}, map[string]any{"name": "updated_at", "type": "datetime"}},
				"query":  map[string]any{"maxRecordCount": int64(2000)}}))
	}
	for i := range styles {
		name := fmt.Sprintf("style-%05d", i)
		l := fmt.Sprintf("layer-%05d", i%max(layers, 1))
		color := fmt.Sprintf("#%06x", g.rng.IntN(1<<24))
		out = append(out, g.doc("Style", name,
			fmt.Sprintf("  layerId: %s\n  style:\n    version: 8\n    layers:\n      - {id: %s, type: fill, paint: {fill-color: \"%s\", fill-opacity: 0.6}}\n", l, name, color),
			map[string]any{"layerId": l, "style": map[string]any{"version": int64(8), "layers": []any{map[string]any{"id": name, "type": "fill", "paint": map[string]any{"fill-color": color, "fill-opacity": 0.6}}}}}))
	}
	for i := range rels {
		name := fmt.Sprintf("rel-%05d", i)
		a, b := fmt.Sprintf("layer-%05d", i%max(layers, 1)), fmt.Sprintf("layer-%05d", (i+1)%max(layers, 1))
		out = append(out, g.doc("Relationship", name,
			fmt.Sprintf("  originLayerId: %s\n  relatedLayerId: %s\n  name: %s\n  relationshipType: OneToMany\n  originForeignKey: id\n  destinationForeignKey: parent_id\n", a, b, name),
			map[string]any{"originLayerId": a, "relatedLayerId": b, "name": name, "relationshipType": "OneToMany", "originForeignKey": "id", "destinationForeignKey": "parent_id"}))
	}
	return out
}

func (g *gen) doc(kind, name, specYAML string, spec map[string]any) *doc {
	team := themes[g.rng.IntN(len(themes))]
	y := fmt.Sprintf("apiVersion: honua.io/v1alpha1\nkind: %s\nmetadata:\n  name: %s\n  labels: {team: %s}\nspec:\n%s", kind, name, team, specYAML)
	r := &resource.Resource{APIVersion: resource.APIVersion, Kind: kind,
		Metadata: resource.Metadata{Name: name, Namespace: resource.DefaultNamespace, Labels: map[string]string{"team": team}}, Spec: spec}
	return &doc{kind: kind, name: name, yaml: y, res: r}
}
