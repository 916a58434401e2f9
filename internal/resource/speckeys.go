package resource

import "slices"

// SpecKeys is what Honua knows of one kind's top-level spec keys.
type SpecKeys struct {
	// Keys are the known top-level keys, spelt as Honua reads them (JSON
	// property lookups are case-sensitive).
	Keys []string
	// Open means Honua defines no key set for the kind beyond its required
	// keys and stores the spec as written, so no key can be called unknown.
	Open bool
}

// specKeys is the one table of known spec keys per kind: the union of what
// Generation 1 (the v1alpha1 resource schemas) and Generation 2 (the
// Metadata v2 facet models) accept. Only top-level keys are checked; every
// nested object is open (its inner keys are not checked), as noted per key
// where Honua itself takes the value as opaque JSON.
//
// Sources, paths relative to honua-io/honua-server unless marked "this repo":
//   - required keys of every kind: src/Honua.Core/Features/Metadata/Schema/MetadataSchemaRegistry.cs
//     (its validation is shallow: required keys present, anything else stored);
//   - Generation 1 resource schemas: this repo's internal/schemas/resource.schema.json,
//     written from Honua's Generation 1 admin surface (see
//     /work/shared/reference/honua-control-plane.md);
//   - Generation 2 facet models: listed per kind below.
var specKeys = map[string]SpecKeys{
	// Gen1: MetadataSchemaRegistry.cs (name, host, databaseName).
	// Gen2 (runtime connections, outside the graph):
	// src/Honua.Server/Features/Admin/SecureConnectionEndpoints.cs — POST
	// {name, description, host, port, databaseName, username, password |
	// secretReference + secretType, sslRequired, sslMode}, PUT adds isActive;
	// GET lists provider. connectionString is Generation 1's data-source
	// connection string (schemas/metadata-schema.json dataSources[]).
	"Connection": {Keys: []string{
		"name", "description", "provider", "host", "port", "databaseName", "username",
		"password", "secretReference", "secretType", "connectionString",
		"sslRequired", "sslMode", "isActive",
	}},
	// Gen1 only: MetadataSchemaRegistry.cs requires name and defines nothing
	// else; there is no Generation 2 model. Open: the viewer's keys (colours,
	// logo, font) are stored as written, and Honua's source names none.
	"Theme": {Keys: []string{"name", "description"}, Open: true},
	// Gen1: MetadataSchemaRegistry.cs (description, srid).
	// Gen2: src/Honua.Server/Features/Admin/ServiceSettingsEndpoints.cs
	// (enabledProtocols, accessPolicy, timeInfo, mapServer) and the graph's
	// service record, src/Honua.Core/Features/Metadata/Domain/V2/MetadataV2Graph.cs
	// (serviceType, route, accessPolicy, spatialReference, protocols with the
	// legacy alias enabledProtocols, options, settings).
	"Service": {Keys: []string{
		"title", "description", "srid", "serviceType", "connectionId", "enabled",
		"protocols", "enabledProtocols",
		"settings",     // open: MetadataV2Graph.cs service settings (maxRecordCount, …)
		"accessPolicy", // open: allowAnonymous, allowAnonymousWrite, allowedRoles, allowedWriteRoles
		"timeInfo",     // open: answered 501 by Generation 2 (no v2 representation)
		"mapServer",    // open: answered 501 by Generation 2 (no v2 representation)
		"route", "spatialReference",
		"options", // open: free-form service options in MetadataV2Graph.cs
	}},
	// Gen1: MetadataSchemaRegistry.cs (tableName, schemaName, geometryType, srid).
	// Gen2: src/Honua.Server/Features/Admin/LayerPublishingEndpoints.cs
	// (description, geometryColumn, geometryType, srid, primaryKey, fields,
	// enabled); src/Honua.Server/Features/Admin/AdminLayerFieldConfigurationEndpoints.cs
	// with src/Honua.Server/Features/Admin/Models/LayerFieldConfigurationModels.cs
	// (fields); src/Honua.Server/Features/Admin/AdminLayerFilterConfigurationEndpoints.cs
	// (permanentFilter); src/Honua.Server/Features/Admin/AdminLayerAuthoringEndpoints.cs
	// (popupInfo, drawingInfo); ServiceSettingsEndpoints.cs layer metadata
	// (accessPolicy, timeInfo, license, attribution, publisher, licenseUrl,
	// sourceUrl; rasterMosaic is echoed but dropped, so it is not listed).
	"Layer": {Keys: []string{
		"title", "description", "serviceId", "connectionId",
		"schemaName", "tableName", "geometryColumn", "geometryType", "srid",
		"primaryKey", "displayField",
		"fields", // list of {name, type, alias, nullable, editable, domain, hidden}; inner keys open
		"maxRecordCount", "minScale", "maxScale", "enabled",
		"permanentFilter", // open: {expression, language}
		"popupInfo",       // open: Esri popupInfo JSON, stored verbatim
		"drawingInfo",     // open: Esri drawingInfo JSON, stored verbatim
		"accessPolicy",    // open
		"timeInfo",        // open: {startTimeField, endTimeField, trackIdField}
		"license", "attribution", "publisher", "licenseUrl", "sourceUrl",
	}},
	// Gen1: MetadataSchemaRegistry.cs (layerId, style).
	// Gen2: src/Honua.Server/Features/Admin/AdminLayerStyleEndpoints.cs
	// ({mapLibreStyle, drawingInfo}); the OGC styles route takes the bare
	// stylesheet, which is spec.style.
	"Style": {Keys: []string{
		"layerId", "title", "isDefault",
		"style",         // open: MapLibre style JSON
		"mapLibreStyle", // open: MapLibre style JSON (Generation 2's name for style)
		"drawingInfo",   // open: Esri drawingInfo JSON
	}},
	// Gen1: MetadataSchemaRegistry.cs (originLayerId, relatedLayerId, name,
	// relationshipType, originForeignKey, destinationForeignKey).
	// Gen2: src/Honua.Core/Features/Metadata/Domain/V2/MetadataV2Relationship.cs
	// and the relationships facet of AdminLayerAuthoringEndpoints.cs ({id,
	// name, description, relatedLayerId, role, cardinality, originField,
	// destinationField, esriRelationshipId, composite}).
	"Relationship": {Keys: []string{
		"name", "description", "originLayerId", "relatedLayerId", "relationshipType",
		"originForeignKey", "destinationForeignKey",
		"id", "role", "cardinality", "originField", "destinationField", "esriRelationshipId", "composite",
	}},
	// Gen1 only: MetadataSchemaRegistry.cs requires name and category and
	// defines nothing else; there is no Generation 2 model. Open, as Theme.
	"MapTemplate": {Keys: []string{"name", "category", "description"}, Open: true},
}

// KnownSpecKeys returns the known top-level spec keys of a kind (any
// spelling of its name), and whether the kind is open; ok is false for a
// kind the table does not cover.
func KnownSpecKeys(kind string) (keys SpecKeys, ok bool) {
	k := LookupKind(kind)
	if k == nil {
		return SpecKeys{}, false
	}
	keys, ok = specKeys[k.Name]
	return keys, ok
}

// IsKnownSpecKey reports whether key is a spec key Honua knows for kind.
// Keys of open kinds, and of kinds the table does not cover, are all known.
func IsKnownSpecKey(kind, key string) bool {
	keys, ok := KnownSpecKeys(kind)
	return !ok || keys.Open || slices.Contains(keys.Keys, key)
}
