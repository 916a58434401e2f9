package emulator

import (
	"net/http"
	"net/url"
	"strconv"
)

// OGC API Features serving endpoints (/ogc/features…), answered from the
// serving catalog. Every route requires the API key, rejects unknown query
// parameters with 400 and, on Generation 2, hides layers whose service does
// not enable OgcFeatures (the protocol gate: 404).

// Content types of the serving endpoints.
const (
	contentTypeGeoJSON = "application/geo+json"
	// ConformanceCore is the OGC API Features Part 1 core conformance class.
	ConformanceCore = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	conformanceJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
)

// ogcQueryParams are the query parameters the OGC routes accept.
var ogcQueryParams = map[string]bool{"f": true, "limit": true, "bbox": true, "offset": true}

type ogcLink struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

type ogcLanding struct {
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Links       []ogcLink `json:"links"`
}

type ogcExtent struct {
	Spatial struct {
		BBox [][4]float64 `json:"bbox"`
		CRS  string       `json:"crs"`
	} `json:"spatial"`
}

type ogcCollection struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Links       []ogcLink `json:"links"`
	Extent      ogcExtent `json:"extent"`
	CRS         []string  `json:"crs"`
	StorageCRS  string    `json:"storageCrs"`
}

type ogcCollections struct {
	Collections []ogcCollection `json:"collections"`
	Links       []ogcLink       `json:"links"`
}

type ogcFeature struct {
	Type       string         `json:"type"`
	ID         int            `json:"id"`
	Geometry   map[string]any `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type ogcFeatureCollection struct {
	Type           string       `json:"type"`
	Features       []ogcFeature `json:"features"`
	NumberMatched  int          `json:"numberMatched"`
	NumberReturned int          `json:"numberReturned"`
	Links          []ogcLink    `json:"links"`
	TimeStamp      string       `json:"timeStamp"`
}

const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// baseURL is the scheme and host the request came in on.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ogcGuard applies the strict query rule and the Generation 2 "no service
// offers OGC API Features" gate, and returns the catalog when the request
// may go on.
func (s *Server) ogcGuard(w http.ResponseWriter, r *http.Request) (servingCatalog, bool) {
	for k := range r.URL.Query() {
		if !ogcQueryParams[k] {
			s.writeProblem(w, http.StatusBadRequest, "Bad Request", "Unknown query parameter '"+k+"'. Allowed: f, limit, bbox, offset.")
			return servingCatalog{}, false
		}
	}
	c := s.servingCatalog()
	if c.OGCOff {
		writeEmpty(w, http.StatusNotFound)
		return c, false
	}
	return c, true
}

func (s *Server) handleOGCLanding(w http.ResponseWriter, r *http.Request, _ params) {
	if _, ok := s.ogcGuard(w, r); !ok {
		return
	}
	base := baseURL(r) + "/ogc/features"
	s.writeJSON(w, http.StatusOK, contentTypeJSON, ogcLanding{
		Title:       "Honua OGC API Features",
		Description: "OGC API Features served by the Honua emulator.",
		Links: []ogcLink{
			{Href: base, Rel: "self", Type: "application/json"},
			{Href: base + "/conformance", Rel: "conformance", Type: "application/json"},
			{Href: base + "/collections", Rel: "data", Type: "application/json"},
		},
	})
}

func (s *Server) handleOGCConformance(w http.ResponseWriter, r *http.Request, _ params) {
	if _, ok := s.ogcGuard(w, r); !ok {
		return
	}
	s.writeJSON(w, http.StatusOK, contentTypeJSON, map[string][]string{"conformsTo": {ConformanceCore, conformanceJSON}})
}

func collectionOf(base string, l servingLayer) ogcCollection {
	self := base + "/ogc/features/collections/" + url.PathEscape(l.CollectionID)
	c := ogcCollection{ID: l.CollectionID, Title: l.Title, Description: l.Description, CRS: []string{crs84}, StorageCRS: crs84,
		Links: []ogcLink{{Href: self, Rel: "self", Type: "application/json"}, {Href: self + "/items", Rel: "items", Type: contentTypeGeoJSON}}}
	c.Extent.Spatial.BBox = [][4]float64{{-180, -90, 180, 90}}
	c.Extent.Spatial.CRS = crs84
	return c
}

func (s *Server) handleOGCCollections(w http.ResponseWriter, r *http.Request, _ params) {
	cat, ok := s.ogcGuard(w, r)
	if !ok {
		return
	}
	base := baseURL(r)
	out := ogcCollections{Collections: []ogcCollection{},
		Links: []ogcLink{{Href: base + "/ogc/features/collections", Rel: "self", Type: "application/json"}}}
	for _, l := range cat.Layers {
		if l.OGC {
			out.Collections = append(out.Collections, collectionOf(base, l))
		}
	}
	s.writeJSON(w, http.StatusOK, contentTypeJSON, out)
}

func (s *Server) handleOGCCollection(w http.ResponseWriter, r *http.Request, p params) {
	cat, ok := s.ogcGuard(w, r)
	if !ok {
		return
	}
	l, found := cat.collection(p["id"])
	if !found {
		s.writeProblem(w, http.StatusNotFound, "Not Found", "Collection '"+p["id"]+"' not found.")
		return
	}
	s.writeJSON(w, http.StatusOK, contentTypeJSON, collectionOf(baseURL(r), l))
}

// handleOGCItems answers with at most one synthetic point feature.
func (s *Server) handleOGCItems(w http.ResponseWriter, r *http.Request, p params) {
	cat, ok := s.ogcGuard(w, r)
	if !ok {
		return
	}
	limit := 10
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.writeProblem(w, http.StatusBadRequest, "Bad Request", "limit must be a non-negative integer.")
			return
		}
		limit = n
	}
	l, found := cat.collection(p["id"])
	if !found {
		s.writeProblem(w, http.StatusNotFound, "Not Found", "Collection '"+p["id"]+"' not found.")
		return
	}
	fc := ogcFeatureCollection{Type: "FeatureCollection", Features: []ogcFeature{}, NumberMatched: 1,
		Links:     []ogcLink{{Href: collectionOf(baseURL(r), l).Links[1].Href, Rel: "self", Type: contentTypeGeoJSON}},
		TimeStamp: s.now().UTC().Format("2006-01-02T15:04:05Z")}
	if limit > 0 {
		fc.Features = append(fc.Features, ogcFeature{Type: "Feature", ID: 1,
			Geometry: map[string]any{"type": "Point", "coordinates": []float64{0, 0}}, Properties: map[string]any{}})
	}
	fc.NumberReturned = len(fc.Features)
	s.writeJSON(w, http.StatusOK, contentTypeGeoJSON, fc)
}
