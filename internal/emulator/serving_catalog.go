package emulator

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// The serving endpoints (/ogc/features, /rest/services) answer from a
// catalog built afresh from the emulator's state on every request, so a
// write is visible at once (the emulator has no metadata cache).

// servingLayer is one layer as the serving endpoints present it.
type servingLayer struct {
	// CollectionID is the OGC API Features collection id: the integer layer
	// index on Generation 1, the layer name on Generation 2.
	CollectionID string
	// Name is the resource name; Title its display title.
	Name, Title, Description string
	// Service is the name of the service publishing the layer ("" if none).
	Service string
	// LayerIndex is the FeatureServer layer id.
	LayerIndex int
	// OGC says whether the layer is served by OGC API Features.
	OGC bool
}

// servingService is one service and the layers it publishes.
type servingService struct {
	Name          string
	FeatureServer bool // the FeatureServer protocol is enabled
	Layers        []servingLayer
}

// servingCatalog is what the serving endpoints can see.
type servingCatalog struct {
	Layers   []servingLayer
	Services []servingService
	// OGCOff is true on Generation 2 when no service enables OgcFeatures:
	// the whole /ogc/features surface then answers 404.
	OGCOff bool
}

// collection finds an OGC collection by id, or by layer name
// (case-insensitively), as Honua's collection lookup accepts both.
func (c servingCatalog) collection(id string) (servingLayer, bool) {
	for _, l := range c.Layers {
		if l.OGC && (l.CollectionID == id || strings.EqualFold(l.Name, id)) {
			return l, true
		}
	}
	return servingLayer{}, false
}

// service finds a service by name, case-insensitively.
func (c servingCatalog) service(name string) (servingService, bool) {
	for _, sv := range c.Services {
		if strings.EqualFold(sv.Name, name) {
			return sv, true
		}
	}
	return servingService{}, false
}

// servingCatalog builds the catalog of the server's generation.
func (s *Server) servingCatalog() servingCatalog {
	if s.gen2 != nil {
		return s.gen2.servingCatalog()
	}
	return gen1ServingCatalog(s.store.list("", ""))
}

// gen1LayerSpec holds the Layer spec fields the serving endpoints show.
type gen1LayerSpec struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	ServiceID   string `json:"serviceId"`
}

// gen1ServingCatalog presents Generation 1 state: every Layer is a
// collection whose id is its index in identity order, and every Service is
// a FeatureServer publishing the layers whose spec.serviceId names it
// (metadata.name in the layer's namespace, or namespace/name).
func gen1ServingCatalog(all []Resource) servingCatalog {
	var c servingCatalog
	byService := map[Identity][]servingLayer{}
	n := 0
	for _, r := range all {
		if r.Kind != "Layer" {
			continue
		}
		var spec gen1LayerSpec
		_ = json.Unmarshal(r.Spec, &spec) // a spec that does not decode has no title
		l := servingLayer{CollectionID: strconv.Itoa(n), Name: r.Metadata.Name, Title: cmpOr(spec.Title, r.Metadata.Name),
			Description: spec.Description, LayerIndex: n, OGC: true}
		n++
		if spec.ServiceID != "" {
			ns, name, ok := strings.Cut(spec.ServiceID, "/")
			if !ok {
				ns, name = r.Metadata.Namespace, spec.ServiceID
			}
			l.Service = name
			id := Identity{Kind: "Service", Namespace: ns, Name: name}
			byService[id] = append(byService[id], l)
		}
		c.Layers = append(c.Layers, l)
	}
	for _, r := range all {
		if r.Kind == "Service" {
			c.Services = append(c.Services, servingService{Name: r.Metadata.Name, FeatureServer: true, Layers: byService[r.Identity()]})
		}
	}
	return c
}

// servingCatalog presents Generation 2 state: every enabled layer is a
// collection named by its layer name, listed only when its service enables
// OgcFeatures, and its FeatureServer layer id is its index in the service.
func (g *gen2Store) servingCatalog() servingCatalog {
	g.mu.Lock()
	defer g.mu.Unlock()
	var c servingCatalog
	idx := map[string]int{}
	layersOf := map[string][]servingLayer{}
	for _, l := range g.d.Layers {
		if !l.Enabled {
			continue
		}
		key := strings.ToLower(l.ServiceName)
		protocols := gen2Protocols
		if sv := g.service(l.ServiceName); sv != nil {
			protocols = effectiveProtocols(sv.EnabledProtocols)
		}
		sl := servingLayer{CollectionID: l.LayerName, Name: l.LayerName, Title: l.LayerName, Description: l.Description,
			Service: l.ServiceName, LayerIndex: idx[key], OGC: slices.Contains(protocols, "OgcFeatures")}
		idx[key]++
		layersOf[key] = append(layersOf[key], sl)
		c.Layers = append(c.Layers, sl)
	}
	c.OGCOff = len(g.d.Services) > 0
	for _, sv := range g.d.Services {
		if slices.Contains(effectiveProtocols(sv.EnabledProtocols), "OgcFeatures") {
			c.OGCOff = false
		}
		c.Services = append(c.Services, servingService{Name: sv.Name,
			FeatureServer: slices.Contains(effectiveProtocols(sv.EnabledProtocols), "FeatureServer"),
			Layers:        layersOf[strings.ToLower(sv.Name)]})
	}
	return c
}
