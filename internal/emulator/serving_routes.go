package emulator

import "net/http"

// servingRoutes registers the serving endpoints a post-apply smoke check
// reads, on both generations: OGC API Features and the GeoServices REST
// catalog and FeatureServer metadata. All require the API key.
func (s *Server) servingRoutes(rt *router) {
	const (
		get      = http.MethodGet
		features = "/ogc/features"
		rest     = "/rest/services"
	)
	rt.handle(get, features, false, s.handleOGCLanding)
	rt.handle(get, features+"/conformance", false, s.handleOGCConformance)
	rt.handle(get, features+"/collections", false, s.handleOGCCollections)
	rt.handle(get, features+"/collections/{id}", false, s.handleOGCCollection)
	rt.handle(get, features+"/collections/{id}/items", false, s.handleOGCItems)
	rt.handle(get, rest, false, s.handleGSCatalog)
	rt.handle(get, rest+"/{svc}/FeatureServer", false, s.handleGSFeatureServer)
	rt.handle(get, rest+"/{svc}/FeatureServer/{layerId}", false, s.handleGSLayer)
}
