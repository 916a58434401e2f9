package emulator

import "net/http"

// gen2Routes registers the Generation 2 surface emulated so far (see
// README.md): the capability manifest, the environment inventory, the
// service settings PUTs and the write-only layer metadata, the secure
// connections, layer publishing, the layer facets (fields, filter,
// relationships, validation, popup-info, drawing-info, the deprecated
// style), OGC styles, release packages, prevalidate, the bindings query,
// and the test-only write log. The branch-only facets (display, editing,
// discovery, spatial, subtypes, attribute-rules, extrusion, status,
// publication overrides, settings-caps, service discovery) are not on
// trunk and stay unmapped: 404. Literal routes come before parameterised ones.
func (s *Server) gen2Routes(rt *router) {
	const (
		get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
		services            = BasePath + "/services"
		conns               = BasePath + "/connections"
	)
	rt.handle(get, "/__emulator/gen2/log", true, s.handleGen2Log)
	rt.handle(get, "/api/v1/capabilities/manifest", true, s.handleGen2CapabilityManifest)
	rt.handle(get, BasePath+"/metadata/environments/{env}/inventory", false, s.handleGen2Inventory)

	rt.handle(get, services, false, s.handleGen2ListServices)
	rt.handle(get, services+"/", false, s.handleGen2ListServices)
	rt.handle(get, services+"/{name}/settings", false, s.handleGen2ServiceSettings)
	rt.handle(put, services+"/{name}/protocols", false, s.handleGen2PutProtocols)
	rt.handle(put, services+"/{name}/access-policy", false, s.handleGen2PutAccessPolicy)
	rt.handle(put, services+"/{name}/mapserver", false, s.handleGen2NotRepresentable("MapServer settings update not supported",
		"MapServer settings are not yet representable in the Metadata v2 graph. Track this gap on the metadata cutover epic before resuming the admin path."))
	rt.handle(put, services+"/{name}/timeinfo", false, s.handleGen2NotRepresentable("Service-level TimeInfo update not supported",
		"Service-scope TimeInfo is not representable in the Metadata v2 graph. Use PUT /api/v1/admin/services/{serviceName}/layers/{layerId}/metadata instead."))

	rt.handle(get, conns, false, s.handleGen2ListConnections)
	rt.handle(get, conns+"/", false, s.handleGen2ListConnections)
	rt.handle(post, conns, false, s.handleGen2CreateConnection)
	rt.handle(post, conns+"/", false, s.handleGen2CreateConnection)
	rt.handle(post, conns+"/test", false, s.handleGen2TestDraftConnection)
	rt.handle(get, conns+"/{id}/layers", false, s.handleGen2ListLayers)
	rt.handle(post, conns+"/{id}/layers", false, s.handleGen2PublishLayer)
	rt.handle(put, conns+"/{id}/layers/{layerId}/enabled", false, s.handleGen2SetLayerEnabled)
	rt.handle(get, BasePath+"/metadata/layers/{layerId}/fields", false, s.handleGen2GetFields)
	rt.handle(put, BasePath+"/metadata/layers/{layerId}/fields", false, s.handleGen2PutFields)
	for _, d := range []struct{ facet, key, kind string }{
		{"popup-info", gen2PopupInfoKey, "LayerPopupInfo"}, {"drawing-info", gen2DrawingInfoKey, "LayerDrawingInfo"},
	} {
		rt.handle(get, BasePath+"/metadata/layers/{layerId}/"+d.facet, false, s.handleGen2GetDocument(d.key))
		rt.handle(put, BasePath+"/metadata/layers/{layerId}/"+d.facet, false, s.handleGen2PutDocument(d.facet, d.key, d.kind))
	}
	layers := BasePath + "/metadata/layers"
	rt.handle(get, layers+"/{layerId}/filter", false, s.handleGen2GetFilter)
	rt.handle(put, layers+"/{layerId}/filter", false, s.handleGen2PutFilter)
	rt.handle(put, layers+"/relationships/batch", false, s.handleGen2PutRelationshipsBatch)
	rt.handle(get, layers+"/{layerId}/relationships", false, s.handleGen2GetRelationships)
	rt.handle(put, layers+"/{layerId}/relationships", false, s.handleGen2PutRelationships)
	rt.handle(get, layers+"/{layerId}/validation", false, s.handleGen2GetValidation)
	rt.handle(get, layers+"/{layerId}/style", false, s.handleGen2GetAdminStyle)
	rt.handle(put, layers+"/{layerId}/style", false, s.handleGen2PutAdminStyle)
	rt.handle(put, services+"/{name}/layers/{layerId}/metadata", false, s.handleGen2PutLayerMetadata)

	const release = BasePath + "/metadata/release-packages"
	rt.handle(post, release, false, s.handleGen2CreatePackage)
	rt.handle(get, release, false, s.handleGen2ListPackages)
	rt.handle(get, release+"/{id}", false, s.handleGen2GetPackage)
	rt.handle(get, release+"/{id}/gitops-manifest", false, s.handleGen2PackageManifest)
	rt.handle(post, BasePath+"/metadata/prevalidate", false, s.handleGen2Prevalidate)
	rt.handle(post, BasePath+"/metadata/environment-bindings/query", false, s.handleGen2BindingsQuery)

	rt.handle(get, "/ogc/styles", true, s.handleGen2ListStyles)
	rt.handle(get, "/ogc/styles/{styleId}", true, s.handleGen2GetStyle)
	rt.handle(put, "/ogc/styles/{styleId}", false, s.handleGen2PutStyle)
	rt.handle(get, conns+"/{id}", false, s.handleGen2GetConnection)
	rt.handle(put, conns+"/{id}", false, s.handleGen2UpdateConnection)
	rt.handle(del, conns+"/{id}", false, s.handleGen2DeleteConnection)
	rt.handle(post, conns+"/{id}/test", false, s.handleGen2TestConnection)
}
