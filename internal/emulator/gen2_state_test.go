package emulator

import "testing"

func TestGen2SeedValidation(t *testing.T) {
	conn := Gen2SeedConnection{Name: "gis", Host: "db", DatabaseName: "gis", Username: "u", Password: "p"}
	for name, sd := range map[string]*Gen2Seed{
		"unknown protocol":   {Services: []Gen2SeedService{{Name: "a", EnabledProtocols: []string{"featureserver"}}}},
		"duplicate service":  {Services: []Gen2SeedService{{Name: "a"}, {Name: "A"}}},
		"bad ssl mode":       {Connections: []Gen2SeedConnection{{Name: "gis", Host: "db", DatabaseName: "gis", Username: "u", SslMode: "maybe"}}},
		"unknown connection": {Layers: []Gen2SeedLayer{{LayerID: 1, Connection: "nope", LayerName: "l", Table: "t"}}},
		"duplicate layer id": {Connections: []Gen2SeedConnection{conn}, Layers: []Gen2SeedLayer{
			{LayerID: 1, Connection: "gis", LayerName: "a", Table: "a"}, {LayerID: 1, Connection: "gis", LayerName: "b", Table: "b"}}},
		"unknown lifecycle": {Connections: []Gen2SeedConnection{conn}, Layers: []Gen2SeedLayer{
			{LayerID: 1, Connection: "gis", LayerName: "a", Table: "a", Lifecycle: "gone"}}},
	} {
		if _, err := New(Options{APIKey: "k", Generation: Generation2, Gen2Seed: sd}); err == nil {
			t.Errorf("%s: seed accepted", name)
		}
	}
	s, err := New(Options{APIKey: "k", Generation: Generation2, Gen2Seed: &Gen2Seed{Connections: []Gen2SeedConnection{conn},
		Layers: []Gen2SeedLayer{{LayerID: 7, Connection: "gis", LayerName: "a", Table: "a"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if sv := s.gen2.service("default"); sv == nil {
		t.Fatal("a layer without serviceName lands in service default, created when absent")
	}
	if l := s.Gen2Log(); l.Revision != 1 || len(l.Writes) != 0 {
		t.Fatalf("seeded server: %+v", l)
	}
}

// The inventory reports each layer's lifecycle: seeded, else retired when
// disabled and active when enabled (the enabled route clears a seeded one).
func TestGen2InventoryLifecycle(t *testing.T) {
	off := false
	conn := Gen2SeedConnection{Name: "gis", Host: "db", DatabaseName: "gis", Username: "u", Password: "p"}
	s, err := New(Options{APIKey: "k", Generation: Generation2, Gen2Seed: &Gen2Seed{Connections: []Gen2SeedConnection{conn},
		Layers: []Gen2SeedLayer{
			{LayerID: 1, Connection: "gis", LayerName: "on", Table: "on"},
			{LayerID: 2, Connection: "gis", LayerName: "off", Table: "off", Enabled: &off},
			{LayerID: 3, Connection: "gis", LayerName: "kept", Table: "kept", Lifecycle: "Archived"},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	status := func() map[string]string {
		s.gen2.mu.Lock()
		defer s.gen2.mu.Unlock()
		out := map[string]string{}
		for _, e := range s.gen2.entries() {
			if e.ArtifactKind == "resource" || e.ArtifactKind == "publication" {
				out[e.SemanticID] = e.Status
			}
		}
		return out
	}
	want := map[string]string{"res.on": "active", "pub.default.on": "active", "res.off": "retired", "pub.default.off": "retired",
		"res.kept": "archived", "pub.default.kept": "archived"}
	for id, lc := range want {
		if got := status()[id]; got != lc {
			t.Errorf("%s: lifecycle %q, want %q", id, got, lc)
		}
	}
	s.gen2.mu.Lock()
	s.gen2.layer(3).Enabled, s.gen2.layer(3).Lifecycle = true, ""
	s.gen2.mu.Unlock()
	if got := status()["res.kept"]; got != "active" {
		t.Errorf("re-enabled: lifecycle %q, want active", got)
	}
}
