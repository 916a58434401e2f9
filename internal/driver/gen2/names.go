package gen2

import (
	"slices"
	"strings"
)

// protocolNames maps the repository's protocol names to Generation 2's
// (case-sensitive on the server). Generation 2 names are accepted as
// written.
var protocolNames = map[string]string{
	"ogc-api-features":     "OgcFeatures",
	"ogc-api-tiles":        "OGC-API-Tiles",
	"ogc-api-maps":         "OGC-API-Maps",
	"wms":                  "Wms",
	"wmts":                 "Wmts",
	"wfs":                  "Wfs20",
	"wcs":                  "Wcs",
	"esri-feature-service": "FeatureServer",
	"esri-map-service":     "MapServer",
	"stac":                 "Stac",
}

// gen2Protocols are the names a Generation 2 server accepts.
var gen2Protocols = []string{"FeatureServer", "MapServer", "ImageServer", "GPServer", "OgcFeatures", "OGC-API-Maps",
	"OGC-API-Coverages", "OGC-API-Tiles", "Wfs20", "Wms", "Wmts", "Wcs", "OData", "Grpc", "Stac", "Terrain", "Elevation"}

// protocols returns the Generation 2 names of a protocol list, sorted and
// without duplicates (the server keeps a set), and the names it does not
// know.
func protocols(v any) (names, unknown []string) {
	list, _ := v.([]any)
	for _, e := range list {
		s, _ := e.(string)
		switch {
		case protocolNames[strings.ToLower(s)] != "":
			names = append(names, protocolNames[strings.ToLower(s)])
		case slices.Contains(gen2Protocols, s):
			names = append(names, s)
		default:
			unknown = append(unknown, s)
		}
	}
	slices.Sort(names)
	return slices.Compact(names), unknown
}

// sslModes are Npgsql's spellings, as the server returns them.
var sslModes = []string{"Disable", "Allow", "Prefer", "Require", "VerifyCA", "VerifyFull"}

// canonicalSSLMode spells an SSL mode as the server returns it
// (verify-full → VerifyFull); an unknown mode is returned unchanged.
func canonicalSSLMode(s string) string {
	flat := strings.ReplaceAll(strings.ToLower(s), "-", "")
	for _, m := range sslModes {
		if strings.ToLower(m) == flat {
			return m
		}
	}
	return s
}

// filterLanguages maps filter language aliases to the canonical names the
// server stores; an absent language is arcgis-sql.
var filterLanguages = map[string]string{
	"":                "arcgis-sql",
	"arcgis":          "arcgis-sql",
	"geoservices-sql": "arcgis-sql",
	"arcgis-sql":      "arcgis-sql",
	"cql2":            "cql2-text",
	"cql2-text":       "cql2-text",
	"cql2-json":       "cql2-json",
}

// cardinalities maps a Relationship's relationshipType to the facet's
// cardinality.
var cardinalities = map[string]string{
	"one-to-one": "one-to-one", "onetoone": "one-to-one", "esrirelcardinalityonetoone": "one-to-one",
	"one-to-many": "one-to-many", "onetomany": "one-to-many", "esrirelcardinalityonetomany": "one-to-many",
	"many-to-many": "many-to-many", "manytomany": "many-to-many", "esrirelcardinalitymanytomany": "many-to-many",
}
