package schemas_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/honua-io/honua-gitops/internal/config"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/validate"
)

// exampleDir is the example configuration repository shipped with the tool.
var exampleDir = filepath.Join("..", "..", "examples", "honua-config")

// TestExampleLoads loads every environment of the example repository with the
// real loader and validator: the example must stay free of errors, and keep
// the shape the documentation describes.
func TestExampleLoads(t *testing.T) {
	cfg, diags := config.Load(exampleDir)
	for _, d := range diags {
		t.Errorf("config: %s: %s", d.Pos, d.Message)
	}
	if got, want := cfg.EnvironmentNames(), []string{"development", "staging", "production"}; !slices.Equal(got, want) {
		t.Fatalf("environments = %v, want %v", got, want)
	}
	if prod := cfg.Environment("production"); len(prod.Targets) != 2 {
		t.Errorf("production has %d targets, want 2", len(prod.Targets))
	}

	l := loader.New(cfg)
	loaded := map[string]*loader.Environment{}
	for _, name := range cfg.EnvironmentNames() {
		env, diags := l.Load(context.Background(), name)
		for _, d := range diags {
			t.Errorf("%s: load: %s: %s (%s)", name, d.Pos, d.Message, d.Hint)
		}
		if env == nil {
			t.Fatalf("%s: not loaded", name)
		}
		for _, d := range validate.Environment(cfg.Environment(name), env) {
			t.Errorf("%s: validate: %s: %s (%s)", name, d.Pos, d.Message, d.Hint)
		}
		loaded[name] = env
		t.Logf("%s: %d resources", name, len(env.Items))
	}

	find := func(env, kind, ns, name string) *resource.Resource {
		for _, r := range loaded[env].Resources() {
			if r.ID() == (resource.Identity{Kind: kind, Namespace: ns, Name: name}) {
				return r
			}
		}
		return nil
	}
	// The overlay, exclusion and variable rules the README walks through.
	if find("production", "Layer", "planning", "parcel-topology-errors") != nil {
		t.Error("production: the QA layer should be excluded")
	}
	if find("staging", "Layer", "planning", "parcel-topology-errors") == nil {
		t.Error("staging: the QA layer from common is missing")
	}
	if find("development", "Layer", "sandbox", "permit-geocode-misses") == nil || find("staging", "Layer", "sandbox", "permit-geocode-misses") != nil {
		t.Error("the debug layer must exist in development only")
	}
	if srid := find("staging", "Layer", "planning", "parcels").Spec["srid"]; srid != int64(2227) {
		t.Errorf("srid = %#v, want int64 2227 (a whole-string ${VAR} keeps the variable's type)", srid)
	}
	devConn := find("development", "Connection", "city", "gis-postgis").Spec
	if _, ok := devConn["secretReference"]; ok || devConn["password"] != "${secret:DEV_GIS_DB_PASSWORD}" || devConn["host"] != "pg-dev.gis.riverton.internal" {
		t.Errorf("development connection = %v", devConn)
	}
	settings := find("staging", "Service", "planning", "permits").Spec["settings"].(map[string]any)
	if settings["maxRecordCount"] != int64(5000) || settings["defaultRecordCount"] != int64(500) {
		t.Errorf("staging permits settings = %v, want the override merged over common", settings)
	}
	prodSvc := find("production", "Service", "planning", "land-records")
	if len(prodSvc.Spec["protocols"].([]any)) != 4 || prodSvc.Metadata.Labels["tier"] != "production" || prodSvc.Metadata.Labels["team"] != "planning" {
		t.Errorf("production land-records = %+v", prodSvc)
	}
}
