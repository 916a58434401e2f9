package schemas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/schemas"
	"github.com/honua-io/honua-gitops/internal/validate"
)

const baseURL = "https://schemas.honua-gitops.invalid/"

// compiled compiles every embedded schema once per test.
func compiled(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	for _, n := range schemas.Names() {
		b, ok := schemas.Get(n)
		if !ok {
			t.Fatalf("Get(%q) failed", n)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if err := c.AddResource(baseURL+n+schemas.Suffix, doc); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, n := range schemas.Names() {
		s, err := c.Compile(baseURL + n + schemas.Suffix)
		if err != nil {
			t.Fatalf("compile %s: %v", n, err)
		}
		out[n] = s
	}
	return out
}

func TestNamesAndGet(t *testing.T) {
	want := []string{"config", "overlay", "plan", "resource", "variables"}
	if got := schemas.Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, n := range []string{"resource", "resource.schema.json", "resource.json"} {
		if b, ok := schemas.Get(n); !ok || !json.Valid(b) {
			t.Errorf("Get(%q) = %d bytes, %v", n, len(b), ok)
		}
	}
	for _, n := range []string{"", "nope", "../schemas/resource", "schemas.go"} {
		if _, ok := schemas.Get(n); ok {
			t.Errorf("Get(%q) succeeded", n)
		}
	}
	for _, n := range want {
		b, _ := schemas.Get(n)
		var s struct {
			Schema string `json:"$schema"`
			Title  string `json:"title"`
			Desc   string `json:"description"`
		}
		if err := json.Unmarshal(b, &s); err != nil || s.Schema != "https://json-schema.org/draft/2020-12/schema" || s.Title == "" || s.Desc == "" {
			t.Errorf("%s: $schema %q, title %q, err %v: want draft 2020-12 with title and description", n, s.Schema, s.Title, err)
		}
	}
}

// toJSON turns a yaml.v3 value into the JSON data model the validator
// expects.
func toJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = toJSON(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = toJSON(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = toJSON(e)
		}
		return x
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return v
}

// yamlDocs parses every document of a YAML stream, skipping empty ones as the
// loader does.
func yamlDocs(t *testing.T, name string, data []byte) []any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v != nil {
			out = append(out, toJSON(v))
		}
	}
}

var schemaComment = regexp.MustCompile(`(?m)^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$`)

// declaredSchema returns the schema a file names for editors (the
// yaml-language-server comment, or "$schema" in JSON), checking that the
// relative path really reaches internal/schemas.
func declaredSchema(t *testing.T, file string, data []byte, docs []any) string {
	t.Helper()
	var ref string
	if strings.HasSuffix(file, ".json") {
		if m, ok := docs[0].(map[string]any); ok {
			ref, _ = m["$schema"].(string)
		}
	} else if m := schemaComment.FindSubmatch(data); m != nil {
		ref = string(m[1])
	}
	if ref == "" {
		t.Errorf("%s: names no schema (add a yaml-language-server comment)", file)
		return ""
	}
	target, err := filepath.Abs(filepath.Join(filepath.Dir(file), filepath.FromSlash(ref)))
	if err != nil {
		t.Fatal(err)
	}
	here, _ := filepath.Abs(".")
	if filepath.Dir(target) != here {
		t.Errorf("%s: $schema=%s resolves to %s, not into internal/schemas", file, ref, target)
		return ""
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("%s: $schema=%s: %v", file, ref, err)
		return ""
	}
	return strings.TrimSuffix(filepath.Base(target), schemas.Suffix)
}

// TestExampleFilesMatchSchemas validates every file of the example
// repository against the schema it names, and checks that it names the right
// one for where it lives.
func TestExampleFilesMatchSchemas(t *testing.T) {
	sch := compiled(t)
	count := 0
	err := filepath.WalkDir(exampleDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == ".github" {
			return filepath.SkipDir // workflows, not configuration (hidden: the loader skips them too)
		}
		if err != nil || d.IsDir() {
			return err
		}
		ext := filepath.Ext(path)
		if ext != ".yaml" && ext != ".yml" && ext != ".json" {
			return nil
		}
		rel, _ := filepath.Rel(exampleDir, path)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var docs []any
		if ext == ".json" {
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			docs = []any{v}
		} else {
			docs = yamlDocs(t, rel, data)
		}
		if len(docs) == 0 {
			t.Errorf("%s: empty", rel)
			return nil
		}
		name := declaredSchema(t, path, data, docs)
		if name == "" {
			return nil
		}
		var allowed []string
		switch {
		case rel == config.FileName:
			allowed = []string{"config"}
		case filepath.Base(rel) == config.DefaultVariablesFile:
			allowed = []string{"variables"}
		case strings.HasPrefix(rel, config.DefaultCommonPath+"/"):
			allowed = []string{"resource"}
		case strings.HasPrefix(rel, config.DefaultEnvironments+"/"):
			allowed = []string{"resource", "overlay"}
		}
		if !slices.Contains(allowed, name) {
			t.Errorf("%s names %s.schema.json, want one of %v", rel, name, allowed)
		}
		for i, doc := range docs {
			count++
			if err := sch[name].Validate(doc); err != nil {
				t.Errorf("%s: document %d does not match %s.schema.json:\n%v", rel, i+1, name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count < 30 {
		t.Errorf("validated %d documents; the example should have about 30", count)
	}
}

// TestSchemasMatchResourceKinds keeps the schemas in step with
// internal/resource: kinds, required spec keys, references and secret keys.
func TestSchemasMatchResourceKinds(t *testing.T) {
	type defs struct {
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	load := func(n string) defs {
		b, _ := schemas.Get(n)
		var d defs
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	var kindDef struct {
		AnyOf []struct {
			Enum []string `json:"enum"`
		} `json:"anyOf"`
	}
	for _, n := range []string{"resource", "overlay"} {
		d := load(n)
		if err := json.Unmarshal(d.Defs["kind"], &kindDef); err != nil {
			t.Fatal(err)
		}
		if got := kindDef.AnyOf[0].Enum; !slices.Equal(got, resource.KindNames()) {
			t.Errorf("%s: kind enum %v, want %v", n, got, resource.KindNames())
		}
		var patterns map[string]struct {
			Pattern string `json:"pattern"`
		}
		if err := json.Unmarshal(d.Defs["kindPattern"], &patterns); err != nil {
			t.Fatal(err)
		}
		for _, k := range resource.Kinds() {
			re := regexp.MustCompile(patterns[k.Name].Pattern)
			for _, spelling := range []string{k.Name, strings.ToLower(k.Name), strings.ToUpper(k.Name)} {
				if !re.MatchString(spelling) {
					t.Errorf("%s: kind pattern of %s does not match %q", n, k.Name, spelling)
				}
			}
		}
	}

	d := load("resource")
	for _, k := range resource.Kinds() {
		var spec struct {
			Required   []string `json:"required"`
			Properties map[string]struct {
				Ref string `json:"$ref"`
			} `json:"properties"`
		}
		raw, ok := d.Defs[k.Name+"Spec"]
		if !ok {
			t.Errorf("resource: no $defs/%sSpec", k.Name)
			continue
		}
		if err := json.Unmarshal(raw, &spec); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(spec.Required, k.RequiredSpec) {
			t.Errorf("resource: %s requires %v, internal/resource says %v", k.Name, spec.Required, k.RequiredSpec)
		}
		for _, ref := range k.Refs {
			if got := spec.Properties[ref.Field].Ref; got != "#/$defs/reference" {
				t.Errorf("resource: %s.spec.%s is %q, want a #/$defs/reference", k.Name, ref.Field, got)
			}
		}
		if p, ok := spec.Properties["srid"]; ok && p.Ref != "#/$defs/srid" {
			t.Errorf("resource: %s.spec.srid is %q, want #/$defs/srid", k.Name, p.Ref)
		}
	}

	var secret struct {
		Pattern string `json:"pattern"`
	}
	if err := json.Unmarshal(d.Defs["secretPattern"], &secret); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(secret.Pattern)
	names := slices.Clone(resource.SecretKeyNames)
	for _, k := range resource.Kinds() {
		names = append(names, k.SecretFields...)
	}
	for _, n := range names {
		if !re.MatchString(n) || !re.MatchString(strings.ToUpper(n)) {
			t.Errorf("secret key %q is not matched by the schemas' secret pattern", n)
		}
	}
	for _, n := range []string{"secretReference", "secretType", "passwordHint", "tokens", "host"} {
		if re.MatchString(n) || resource.IsSecretKey("Connection", n) {
			t.Errorf("%q should not be a secret key", n)
		}
	}
	for _, n := range []string{"resource", "overlay"} {
		b, _ := schemas.Get(n)
		if !bytes.Contains(b, []byte(`"`+secret.Pattern+`"`)) {
			t.Errorf("%s: secret key pattern differs from resource.schema.json#/$defs/secretPattern", n)
		}
	}
}

// schemaCase is one document checked against a schema and, for the
// repository formats, against the real loader and validator.
type schemaCase struct {
	name   string
	schema string
	doc    string
	valid  bool
	// loaderValid is what the loader says when it differs from the schema
	// (the schema is deliberately stricter); nil means the same as valid.
	loaderValid *bool
}

var yes = new(bool)

func init() { *yes = true }

// base is environments/common of the scratch repository the loader cases
// run in; case documents may refer to its resources.
const base = `apiVersion: honua.io/v1alpha1
kind: Connection
metadata: {name: db}
spec: {name: db, host: pg.example.org, databaseName: gis, secretReference: gis-db, secretType: password}
---
apiVersion: honua.io/v1alpha1
kind: Service
metadata: {name: svc}
spec: {description: Service, srid: 3857, connectionId: db}
---
apiVersion: honua.io/v1alpha1
kind: Layer
metadata: {name: lyr}
spec: {tableName: t, schemaName: public, geometryType: Point, srid: 4326, serviceId: svc}
`

const layerHead = "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: parcels}\n"

var cases = []schemaCase{
	// Resources.
	{"layer", "resource", layerHead + "spec: {tableName: parcels, schemaName: public, geometryType: Polygon, srid: 4326, serviceId: svc, connectionId: default/db}", true, nil},
	{"lowercase kind and apiVersion", "resource", "apiVersion: HONUA.IO/v1alpha1\nkind: layer\nmetadata: {name: parcels}\nspec: {tableName: p, schemaName: s, geometryType: Polygon, srid: 4326}", true, nil},
	{"v1alpha0", "resource", "apiVersion: honua.io/v1alpha0\nkind: LAYER\nmetadata: {name: parcels}\nspec: {tableName: p, schemaName: s, geometryType: Polygon, srid: 4326}", true, nil},
	{"srid from a variable", "resource", layerHead + "spec: {tableName: p, schemaName: s, geometryType: Polygon, srid: '${SRID}'}", true, nil},
	{"list of resources", "resource", "- " + strings.ReplaceAll(layerHead+"spec: {tableName: p, schemaName: s, geometryType: Polygon, srid: 4326}", "\n", "\n  "), true, nil},
	{"resources wrapper", "resource", `{"$schema": "x", "resources": [{"apiVersion": "honua.io/v1alpha1", "kind": "Theme", "metadata": {"name": "t"}, "spec": {"name": "T"}}]}`, true, nil},
	{"server-owned metadata and status", "resource", "apiVersion: honua.io/v1alpha1\nkind: Theme\nmetadata: {name: t, id: 7, resourceVersion: '3', createdAt: 2026-01-02T03:04:05Z}\nspec: {name: T}\nstatus: {ready: true}", true, nil},
	{"secret placeholder", "resource", "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db2}\nspec: {name: db2, host: h, databaseName: d, password: '${secret:DB_PASSWORD}'}", true, nil},
	{"secret placeholder in a connection string", "resource", "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db2}\nspec: {name: db2, host: h, databaseName: d, connectionString: 'Host=h;Password=${secret:DB_PASSWORD}'}", true, nil},
	{"escaped variable syntax", "resource", "apiVersion: honua.io/v1alpha1\nkind: Theme\nmetadata: {name: t}\nspec: {name: T, description: 'Write $${NAME} for a variable'}", true, nil},
	{"invalid secret placeholder", "resource", "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db2}\nspec: {name: db2, host: h, databaseName: d, password: '${secret:db-password}'}", false, nil},
	{"missing required spec key", "resource", layerHead + "spec: {tableName: p, schemaName: s, geometryType: Polygon}", false, nil},
	{"missing spec", "resource", layerHead, false, nil},
	{"srid as a string", "resource", layerHead + "spec: {tableName: p, schemaName: s, geometryType: Polygon, srid: '4326'}", false, nil},
	{"srid as a number", "resource", layerHead + "spec: {tableName: p, schemaName: s, geometryType: Polygon, srid: 4326.5}", false, nil},
	{"name with a slash", "resource", "apiVersion: honua.io/v1alpha1\nkind: Theme\nmetadata: {name: a/b}\nspec: {name: T}", false, nil},
	{"name with a space", "resource", "apiVersion: honua.io/v1alpha1\nkind: Theme\nmetadata: {name: 'a b'}\nspec: {name: T}", false, nil},
	{"namespace with a slash", "resource", "apiVersion: honua.io/v1alpha1\nkind: Theme\nmetadata: {name: t, namespace: a/b}\nspec: {name: T}", false, nil},
	{"unknown kind", "resource", "apiVersion: honua.io/v1alpha1\nkind: Widget\nmetadata: {name: w}\nspec: {name: W}", false, nil},
	{"unknown apiVersion", "resource", "apiVersion: honua.io/v1\nkind: Theme\nmetadata: {name: t}\nspec: {name: T}", false, nil},
	{"unknown top-level key", "resource", "apiVersion: honua.io/v1alpha1\nkind: Theme\nmetadata: {name: t}\nspec: {name: T}\ntitle: T", false, nil},
	{"unknown metadata key", "resource", "apiVersion: honua.io/v1alpha1\nkind: Theme\nmetadata: {name: t, title: T}\nspec: {name: T}", false, nil},
	{"label that is a number", "resource", "apiVersion: honua.io/v1alpha1\nkind: Theme\nmetadata: {name: t, labels: {year: 2026}}\nspec: {name: T}", false, nil},
	{"plaintext password", "resource", "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db2}\nspec: {name: db2, host: h, databaseName: d, password: hunter2}", false, nil},
	{"plaintext token deep in a spec", "resource", "apiVersion: honua.io/v1alpha1\nkind: MapTemplate\nmetadata: {name: m}\nspec: {name: M, category: c, basemap: {url: https://tiles.example.org, Token: abc}}", false, nil},
	{"secretReference without secretType", "resource", "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db2}\nspec: {name: db2, host: h, databaseName: d, secretReference: s}", false, nil},
	{"reference with whitespace", "resource", "apiVersion: honua.io/v1alpha1\nkind: Style\nmetadata: {name: s}\nspec: {layerId: 'my layer', style: {version: 8, layers: []}}", false, nil},
	{"style that is not an object", "resource", "apiVersion: honua.io/v1alpha1\nkind: Style\nmetadata: {name: s}\nspec: {layerId: lyr, style: 'fill: red'}", false, yes},
	{"exclusion in common", "resource", "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: lyr2, annotations: {gitops.honua.io/exclude: 'true'}}\nspec: {tableName: p, schemaName: s, geometryType: Polygon, srid: 4326}", false, nil},

	// Environment overlays (run against base in environments/common).
	{"override", "overlay", "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: lyr, labels: {tier: production}}\nspec: {srid: 2227, maxRecordCount: 500}", true, nil},
	{"override removing a key", "overlay", "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db}\nspec: {secretReference: null, secretType: null, password: '${secret:DEV_DB_PASSWORD}'}", true, nil},
	{"override without spec", "overlay", "apiVersion: honua.io/v1alpha1\nkind: Service\nmetadata: {name: svc, labels: {tier: production}}", true, nil},
	{"exclusion", "overlay", "apiVersion: honua.io/v1alpha1\nkind: Service\nmetadata: {name: svc, annotations: {gitops.honua.io/exclude: 'true'}}\n---\napiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: lyr, annotations: {gitops.honua.io/exclude: true}}", true, nil},
	{"exclusion with a spec", "overlay", "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: lyr, annotations: {gitops.honua.io/exclude: 'true'}}\nspec: {srid: 4326}", false, nil},
	{"exclusion misspelt", "overlay", "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: lyr, annotations: {gitops.honua.io/exclude: 'yes'}}", false, nil},
	{"override srid as a string", "overlay", "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {name: lyr}\nspec: {srid: '2227'}", false, nil},
	{"override with a plaintext password", "overlay", "apiVersion: honua.io/v1alpha1\nkind: Connection\nmetadata: {name: db}\nspec: {password: hunter2}", false, nil},
	{"override without metadata.name", "overlay", "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata: {namespace: default}\nspec: {srid: 4326}", false, nil},

	// Variables.
	{"variables", "variables", "DB_HOST: pg.example.org\nSRID: 2227\nDEBUG: false\nRATIO: 0.5", true, nil},
	{"variable that is a mapping", "variables", "DB: {host: pg}", false, nil},
	{"variable that is null", "variables", "DB_HOST:", false, nil},
	{"variable name with a dash", "variables", "DB-HOST: pg", false, nil},
	{"variable referring to another", "variables", "A: x\nB: ${A}-y", false, nil},

	// honua-gitops.yaml.
	{"config", "config", "stateBranch: deploy/state\ncommonPath: shared\nenvironments:\n  dev:\n  prod:\n    path: envs/prod\n    variablesFile: vars/prod.yaml\n    namespaces: [default]\n    targets:\n      - {name: a, url: https://a.example.org, credential: {env: A_KEY, type: bearer}}\n      - url: http://localhost:8080", true, nil},
	{"config unknown key", "config", "statebranch: x", false, nil},
	{"config target without url", "config", "environments:\n  dev:\n    targets: [{name: a}]", false, nil},
	{"config url without scheme", "config", "environments:\n  dev:\n    targets: [{url: honua.example.org}]", false, nil},
	{"config credential value", "config", "environments:\n  dev:\n    targets: [{url: https://a.example.org, credential: {env: K, value: s3cret}}]", false, nil},
	{"config credential type", "config", "environments:\n  dev:\n    targets: [{url: https://a.example.org, credential: {type: basic}}]", false, nil},
	{"config environment named common", "config", "environments:\n  common: {}", false, nil},
	{"config environment name with capitals", "config", "environments:\n  Production: {}", false, nil},
	{"config path leaving the repository", "config", "environments:\n  dev: {path: ../elsewhere}", false, nil},
	{"config absolute path", "config", "commonPath: /etc/honua", false, nil},
	{"config state branch", "config", "stateBranch: 'a..b'", false, nil},
	{"config state branch lock", "config", "stateBranch: state.lock", false, nil},
	{"config namespaces not a list", "config", "environments:\n  dev: {namespaces: default}", false, nil},
}

func TestSchemaCases(t *testing.T) {
	sch := compiled(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs := yamlDocs(t, c.name, []byte(c.doc))
			if len(docs) == 0 {
				docs = []any{nil}
			}
			var errs []string
			for _, d := range docs {
				if err := sch[c.schema].Validate(d); err != nil {
					errs = append(errs, err.Error())
				}
			}
			if valid := len(errs) == 0; valid != c.valid {
				t.Errorf("%s.schema.json: valid = %v, want %v\n%s", c.schema, valid, c.valid, strings.Join(errs, "\n"))
			}
			want := c.valid
			if c.loaderValid != nil {
				want = *c.loaderValid
			}
			if problems := loadScratch(t, c.schema, c.doc); (len(problems) == 0) != want {
				t.Errorf("loader: valid = %v, want %v: %v", len(problems) == 0, want, problems)
			}
		})
	}
}

// loadScratch writes the document where its schema says it belongs in a
// scratch repository, then loads and validates every environment with the
// real code. It returns the error diagnostics.
func loadScratch(t *testing.T, schema, doc string) []string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"environments/common/base.yaml":      base,
		"environments/dev/.keep":             "",
		"environments/prod/.keep":            "",
		"vars/prod.yaml":                     "",
		"envs/prod/.keep":                    "",
		"shared/.keep":                       "",
		"environments/common/readme.txt":     "ignored",
		"environments/common/variables.yaml": "SRID: 2227\n",
	}
	switch schema {
	case "resource":
		files["environments/common/case.yaml"] = doc
	case "overlay":
		files["environments/dev/case.yaml"] = doc
	case "variables":
		files["environments/dev/variables.yaml"] = doc
	case "config":
		files[config.FileName] = doc
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	add := func(ds diag.List) {
		for _, d := range ds {
			if d.Severity == diag.Error {
				out = append(out, d.Pos.String()+": "+d.Message)
			}
		}
	}
	cfg, ds := config.Load(root)
	add(ds)
	if schema == "config" || len(out) > 0 {
		return out
	}
	l := loader.New(cfg)
	for _, name := range cfg.EnvironmentNames() {
		env, ds := l.Load(context.Background(), name)
		add(ds)
		if env != nil {
			add(validate.Environment(cfg.Environment(name), env))
		}
	}
	return out
}

// TestPlanSchema computes real plans between the example environments and
// validates their JSON form, alone and as a set.
func TestPlanSchema(t *testing.T) {
	sch := compiled(t)["plan"]
	cfg, ds := config.Load(exampleDir)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	l := loader.New(cfg)
	envs := map[string][]*resource.Resource{}
	for _, name := range cfg.EnvironmentNames() {
		env, _ := l.Load(context.Background(), name)
		envs[name] = env.Resources()
	}
	recorded := slices.DeleteFunc(slices.Clone(envs["development"]), func(r *resource.Resource) bool {
		return r.ID() == resource.Identity{Kind: "Service", Namespace: "transportation", Name: "streets"}
	})
	plans := []*plan.Plan{
		plan.Compute(plan.Input{Environment: "development", Desired: envs["development"],
			RecordedState: plan.RecordedState{Source: "state branch honua-gitops/state"}}),
		// Recorded: development without one service, so that production
		// creates, updates and deletes; live: staging, for drift.
		plan.Compute(plan.Input{Environment: "production", Desired: envs["production"], Recorded: recorded,
			RecordedState: plan.RecordedState{Source: "state branch honua-gitops/state", Revision: strings.Repeat("ab", 20)},
			Live:          envs["staging"], LiveRead: true}),
	}
	p := plans[1]
	if p.Summary.Create == 0 || p.Summary.Update == 0 || p.Summary.Delete == 0 || len(p.Drift) == 0 {
		t.Fatalf("want a plan with creates, updates, deletes and drift, got %+v, %d drifts", p.Summary, len(p.Drift))
	}
	sensitive := false
	for _, c := range p.Changes {
		for _, f := range c.Changes {
			sensitive = sensitive || f.Sensitive
		}
	}
	if !sensitive {
		t.Error("want a sensitive field change (the development password placeholder)")
	}
	p.Notes = []string{"example note"}
	p.Verdict = &plan.Verdict{
		Decision: plan.Blocked, Policy: ".honua/policy.yaml", Risk: plan.High,
		EvaluatedAt: time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC),
		Rules: []plan.RuleVerdict{
			{Decision: plan.Blocked, Rule: "windows", Message: "outside every deployment window",
				NextOpen: time.Date(2026, 12, 7, 9, 0, 0, 0, time.FixedZone("CST", -6*3600))},
			{Decision: plan.NeedsApproval, Rule: "approvals[0] when deletes > 0", Message: "needs 2 approvals",
				Require: 2, From: []string{"team:riverton/gis-leads", "user:alice"}},
			{Decision: plan.Warn, Rule: "warnings[0] when changes > 20", Message: "large change"},
		},
	}
	plans[0].Verdict = &plan.Verdict{Decision: plan.Allowed}

	validateJSON := func(what string, v any) {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s does not match plan.schema.json: %v\n%s", what, err, b)
		}
	}
	for _, p := range plans {
		validateJSON("plan "+p.Environment, p)
	}
	validateJSON("plan set", &plan.Set{FormatVersion: plan.FormatVersion, Plans: plans})

	bad := map[string]string{
		"short hash":     `{"formatVersion":1,"environment":"e","summary":{"create":0,"update":0,"delete":0,"unchanged":0},"changes":[],"drift":[],"liveStateRead":false,"recordedState":{"source":"s","empty":true},"hash":"abc"}`,
		"unknown action": `{"formatVersion":1,"environment":"e","summary":{"create":0,"update":0,"delete":0,"unchanged":0},"changes":[{"action":"replace","kind":"Layer","namespace":"default","name":"x","risk":"low","changes":[]}],"drift":[],"liveStateRead":false,"recordedState":{"source":"s","empty":true},"hash":"` + strings.Repeat("0", 64) + `"}`,
		"sensitive value shown": `{"formatVersion":1,"environment":"e","summary":{"create":1,"update":0,"delete":0,"unchanged":0},"changes":[{"action":"create","kind":"Connection","namespace":"default","name":"x","risk":"low",
			"changes":[{"path":"/spec/password","op":"add","before":null,"after":"hunter2","sensitive":true}]}],"drift":[],"liveStateRead":false,"recordedState":{"source":"s","empty":true},"hash":"` + strings.Repeat("0", 64) + `"}`,
		"path not a pointer":    `{"formatVersion":1,"environment":"e","summary":{"create":0,"update":0,"delete":0,"unchanged":0},"changes":[],"drift":[{"type":"spec-drift","kind":"Layer","namespace":"default","name":"x","changes":[{"path":"spec.srid","op":"replace","before":1,"after":2}]}],"liveStateRead":true,"recordedState":{"source":"s","empty":false},"hash":"` + strings.Repeat("0", 64) + `"}`,
		"set version":           `{"formatVersion":2,"plans":[]}`,
		"unknown decision":      `{"formatVersion":1,"environment":"e","summary":{"create":0,"update":0,"delete":0,"unchanged":0},"changes":[],"drift":[],"liveStateRead":false,"recordedState":{"source":"s","empty":true},"hash":"` + strings.Repeat("0", 64) + `","verdict":{"decision":"maybe","evaluatedAt":"2026-12-04T21:00:00Z"}}`,
		"rule without message":  `{"formatVersion":1,"environment":"e","summary":{"create":0,"update":0,"delete":0,"unchanged":0},"changes":[],"drift":[],"liveStateRead":false,"recordedState":{"source":"s","empty":true},"hash":"` + strings.Repeat("0", 64) + `","verdict":{"decision":"warn","evaluatedAt":"2026-12-04T21:00:00Z","rules":[{"decision":"warn","rule":"r"}]}}`,
		"unknown verdict field": `{"formatVersion":1,"environment":"e","summary":{"create":0,"update":0,"delete":0,"unchanged":0},"changes":[],"drift":[],"liveStateRead":false,"recordedState":{"source":"s","empty":true},"hash":"` + strings.Repeat("0", 64) + `","verdict":{"decision":"allowed","evaluatedAt":"2026-12-04T21:00:00Z","approved":true}}`,
	}
	for name, doc := range bad {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sch.Validate(inst) == nil {
			t.Errorf("%s: accepted by plan.schema.json", name)
		}
	}
}
