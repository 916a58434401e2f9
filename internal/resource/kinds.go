// Package resource is the model of a Honua metadata resource: the envelope,
// its identity, the kinds Honua knows, and value semantics (equality,
// canonical JSON) shared by loading, planning and applying.
package resource

import "strings"

// APIVersion is the only apiVersion Generation 1 Honua accepts for writes.
const APIVersion = "honua.io/v1alpha1"

// LegacyAPIVersion is up-converted by Honua; the loader does the same.
const LegacyAPIVersion = "honua.io/v1alpha0"

// DefaultNamespace is used when metadata.namespace is empty. Honua stores ""
// as "default" but looks it up as "", so it is always sent explicitly.
const DefaultNamespace = "default"

// Ref describes a spec field that names another resource.
type Ref struct {
	// Field is the spec key holding the reference.
	Field string
	// Kind is the canonical kind the reference must resolve to.
	Kind string
	// Required means the field must be present (it is also in RequiredSpec).
	Required bool
}

// KindInfo is what the tool knows about one resource kind.
type KindInfo struct {
	// Name is the canonical spelling, always sent to Honua (Honua stores
	// kinds as written and looks them up case-sensitively).
	Name string
	// Description is shown in help and the JSON Schema.
	Description string
	// RequiredSpec lists the spec keys Honua's schema registry requires.
	RequiredSpec []string
	// Refs lists spec fields that reference other resources.
	Refs []Ref
	// SecretFields are spec keys whose values are secrets for this kind, in
	// addition to the names every kind treats as secret (SecretKeyNames).
	SecretFields []string
	// BreakingFields change what clients see (table, geometry, CRS): an
	// update touching one is high risk.
	BreakingFields []string
	// ListKeys maps the path of a list of objects (a JSON pointer from the
	// resource root, each list index written as *) to the field naming its
	// elements, so that plans show which element was added, removed, moved
	// or changed instead of a whole replaced list.
	ListKeys map[string]string
	// Rank orders kinds by dependency: every Ref points to a lower rank, so
	// creates run in ascending rank and deletes in descending rank.
	Rank int
}

// Kinds are the resource kinds of Honua's Generation 1 schema registry
// (MetadataSchemaRegistry, before the Metadata v2 cutover), with the required
// spec keys it enforces. Refs are the cross-resource fields this tool checks.
var kinds = []KindInfo{
	{
		Name: "Connection", Description: "A PostGIS database connection; credentials by secretReference",
		RequiredSpec:   []string{"name", "host", "databaseName"},
		SecretFields:   []string{"password", "connectionString"},
		BreakingFields: []string{"host", "port", "databaseName", "username", "secretReference"},
		Rank:           0,
	},
	{
		Name: "Theme", Description: "A theme for Honua's map viewer",
		RequiredSpec: []string{"name"},
		Rank:         0,
	},
	{
		Name: "Service", Description: "A published service (OGC API, WMS/WFS, Esri-compatible) grouping layers",
		RequiredSpec:   []string{"description", "srid"},
		Refs:           []Ref{{Field: "connectionId", Kind: "Connection"}},
		BreakingFields: []string{"srid", "connectionId"},
		Rank:           1,
	},
	{
		Name: "Layer", Description: "A layer over a PostGIS table",
		RequiredSpec:   []string{"tableName", "schemaName", "geometryType", "srid"},
		Refs:           []Ref{{Field: "serviceId", Kind: "Service"}, {Field: "connectionId", Kind: "Connection"}},
		BreakingFields: []string{"tableName", "schemaName", "geometryType", "srid", "geometryColumn", "primaryKey", "serviceId", "connectionId"},
		ListKeys:       map[string]string{"/spec/fields": "name"},
		Rank:           2,
	},
	{
		Name: "Style", Description: "A layer's style (MapLibre style JSON)",
		RequiredSpec: []string{"layerId", "style"},
		Refs:         []Ref{{Field: "layerId", Kind: "Layer", Required: true}},
		// MapLibre style layers are identified by id.
		ListKeys: map[string]string{"/spec/style/layers": "id"},
		Rank:     3,
	},
	{
		Name: "Relationship", Description: "A relationship between two layers (Esri-compatible relationship classes)",
		RequiredSpec: []string{"originLayerId", "relatedLayerId", "name", "relationshipType", "originForeignKey", "destinationForeignKey"},
		Refs: []Ref{
			{Field: "originLayerId", Kind: "Layer", Required: true},
			{Field: "relatedLayerId", Kind: "Layer", Required: true},
		},
		BreakingFields: []string{"originLayerId", "relatedLayerId", "relationshipType", "originForeignKey", "destinationForeignKey"},
		Rank:           3,
	},
	{
		Name: "MapTemplate", Description: "A map template for Honua's map viewer",
		RequiredSpec: []string{"name", "category"},
		Rank:         4,
	},
}

// SecretKeyNames are spec keys treated as secrets in every kind, at any depth,
// compared case-insensitively.
var SecretKeyNames = []string{"password", "secret", "apiKey", "token", "clientSecret", "privateKey", "accessKey", "secretKey", "connectionString"}

var byLower = func() map[string]*KindInfo {
	m := make(map[string]*KindInfo, len(kinds))
	for i := range kinds {
		m[strings.ToLower(kinds[i].Name)] = &kinds[i]
	}
	return m
}()

// LookupKind finds a kind case-insensitively; it returns nil for unknown kinds.
func LookupKind(name string) *KindInfo {
	return byLower[strings.ToLower(name)]
}

// Kinds returns every known kind in rank order, then name.
func Kinds() []KindInfo {
	out := make([]KindInfo, len(kinds))
	copy(out, kinds)
	return out
}

// KindNames returns the canonical kind names, for messages.
func KindNames() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.Name
	}
	return out
}

// RankOf returns a kind's dependency rank; unknown kinds sort last.
func RankOf(kind string) int {
	if k := LookupKind(kind); k != nil {
		return k.Rank
	}
	return 100
}

// ListKeysOf returns the list identity keys of a kind (see
// KindInfo.ListKeys); nil for unknown kinds and kinds without keyed lists.
func ListKeysOf(kind string) map[string]string {
	if k := LookupKind(kind); k != nil {
		return k.ListKeys
	}
	return nil
}

// IsSecretKey reports whether a spec key holds a secret for the given kind.
func IsSecretKey(kind, key string) bool {
	for _, s := range SecretKeyNames {
		if strings.EqualFold(s, key) {
			return true
		}
	}
	if k := LookupKind(kind); k != nil {
		for _, s := range k.SecretFields {
			if strings.EqualFold(s, key) {
				return true
			}
		}
	}
	return false
}
