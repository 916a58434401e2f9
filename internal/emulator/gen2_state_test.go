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
