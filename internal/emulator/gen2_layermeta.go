package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// PUT /services/{name}/layers/{layerId}/metadata (ServiceSettingsEndpoints
// HandleUpdateLayerMetadata): write-only per-layer access policy, time
// info and source governance. There is no GET (405).

type g2TimeInfo struct {
	StartTimeField *string `json:"startTimeField,omitempty"`
	EndTimeField   *string `json:"endTimeField,omitempty"`
	TrackIDField   *string `json:"trackIdField,omitempty"`
}

// g2LayerMeta is what the graph keeps: resource.accessPolicy,
// resource.temporal and the governance members of resource.metadata.
type g2LayerMeta struct {
	AccessPolicy *Gen2AccessPolicy `json:"accessPolicy,omitempty"`
	TimeInfo     *g2TimeInfo       `json:"timeInfo,omitempty"`
	License      *string           `json:"license,omitempty"`
	Attribution  *string           `json:"attribution,omitempty"`
	Publisher    *string           `json:"publisher,omitempty"`
	LicenseURL   *string           `json:"licenseUrl,omitempty"`
	SourceURL    *string           `json:"sourceUrl,omitempty"`
}

type g2LayerMetaRequest struct {
	AccessPolicy *g2AccessPolicyRequest `json:"accessPolicy"`
	TimeInfo     *struct {
		StartTimeField *string `json:"startTimeField"`
		EndTimeField   *string `json:"endTimeField"`
		TrackIDField   *string `json:"trackIdField"`
	} `json:"timeInfo"`
	License      *string `json:"license"`
	Attribution  *string `json:"attribution"`
	Publisher    *string `json:"publisher"`
	LicenseURL   *string `json:"licenseUrl"`
	SourceURL    *string `json:"sourceUrl"`
	RasterMosaic *struct {
		MergeStrategy *string `json:"mergeStrategy"`
	} `json:"rasterMosaic"`
}

type g2RasterMosaic struct {
	MergeStrategy *string `json:"mergeStrategy"`
}

type g2LayerMetaView struct {
	LayerID      int               `json:"layerId"`
	LayerName    string            `json:"layerName"`
	License      *string           `json:"license,omitempty"`
	Attribution  *string           `json:"attribution,omitempty"`
	Publisher    *string           `json:"publisher,omitempty"`
	LicenseURL   *string           `json:"licenseUrl,omitempty"`
	SourceURL    *string           `json:"sourceUrl,omitempty"`
	AccessPolicy *Gen2AccessPolicy `json:"accessPolicy,omitempty"`
	TimeInfo     *g2TimeInfo       `json:"timeInfo,omitempty"`
	RasterMosaic *g2RasterMosaic   `json:"rasterMosaic,omitempty"`
}

var gen2MergeStrategies = []string{"newest", "oldest", "average", "max", "min"}

// mergeString applies one merge member: nil keeps, "" clears, a value
// replaces.
func mergeString(cur, in *string) *string {
	switch {
	case in == nil:
		return cur
	case *in == "":
		return nil
	}
	v := *in
	return &v
}

func (s *Server) handleGen2PutLayerMetadata(w http.ResponseWriter, r *http.Request, p params) {
	id, ok := gen2LayerID(w, p)
	if !ok {
		return
	}
	var req g2LayerMetaRequest
	if !decodeGen2(w, r, &req) {
		return
	}
	name := p["name"]
	g := s.gen2
	g.mu.Lock()
	sv := g.service(name)
	hasFS := sv != nil && slices.Contains(effectiveProtocols(sv.EnabledProtocols), "FeatureServer")
	var l *g2Layer
	if sv != nil {
		if cand := g.layer(id); cand != nil && strings.EqualFold(cand.ServiceName, sv.Name) {
			l = cand
		}
	}
	g.mu.Unlock()
	conflict := func(title, detail string) {
		s.writeJSON(w, http.StatusConflict, contentTypeProblem, problem{Type: "https://tools.ietf.org/html/rfc9110#section-15.5.10",
			Title: title, Status: http.StatusConflict, Detail: detail})
	}
	switch {
	case sv == nil:
		s.writeFailure(w, http.StatusNotFound, "Service '"+name+"' not found.")
		return
	case !hasFS:
		conflict("FeatureServer service not found", fmt.Sprintf("Service '%s' does not resolve to a FeatureServer service.", name))
		return
	case l == nil:
		s.writeFailure(w, http.StatusNotFound, fmt.Sprintf("Layer %d not found in service '%s'.", id, name))
		return
	}
	var mosaic *g2RasterMosaic
	if req.RasterMosaic != nil {
		mosaic = &g2RasterMosaic{}
		if ms := req.RasterMosaic.MergeStrategy; ms != nil && *ms != "" {
			canon := strings.ToLower(*ms)
			if !slices.Contains(gen2MergeStrategies, canon) {
				s.writeFailure(w, http.StatusBadRequest, fmt.Sprintf("Invalid mergeStrategy '%s'. Allowed values: newest, oldest, average, max, min.", *ms))
				return
			}
			mosaic.MergeStrategy = &canon
		}
	}
	var out g2LayerMetaView
	ok = s.gen2GraphWrite(w, r, Identity{Kind: "LayerMetadata", Namespace: s.gen2Env(), Name: strconv.Itoa(id)}, "layer.metadata", name+"/"+strconv.Itoa(id), func(g *gen2Store) error {
		l := g.layer(id)
		if l == nil {
			return errGen2Gone
		}
		m := l.Meta
		if m == nil {
			m = &g2LayerMeta{}
		}
		if in := req.AccessPolicy; in != nil {
			ap := Gen2AccessPolicy{AllowedRoles: []string{}, AllowedWriteRoles: []string{}}
			if m.AccessPolicy != nil {
				ap = *m.AccessPolicy
			}
			if in.AllowAnonymous != nil {
				ap.AllowAnonymous = *in.AllowAnonymous
			}
			if in.AllowAnonymousWrite != nil {
				ap.AllowAnonymousWrite = *in.AllowAnonymousWrite
			}
			if in.AllowedRoles != nil {
				ap.AllowedRoles = append([]string{}, in.AllowedRoles...)
			}
			if in.AllowedWriteRoles != nil {
				ap.AllowedWriteRoles = append([]string{}, in.AllowedWriteRoles...)
			}
			m.AccessPolicy = &ap
		}
		if in := req.TimeInfo; in != nil {
			ti := g2TimeInfo{}
			if m.TimeInfo != nil {
				ti = *m.TimeInfo
			}
			ti.StartTimeField = mergeString(ti.StartTimeField, in.StartTimeField)
			ti.EndTimeField = mergeString(ti.EndTimeField, in.EndTimeField)
			ti.TrackIDField = mergeString(ti.TrackIDField, in.TrackIDField)
			m.TimeInfo = &ti
		}
		m.License = mergeString(m.License, req.License)
		m.Attribution = mergeString(m.Attribution, req.Attribution)
		m.Publisher = mergeString(m.Publisher, req.Publisher)
		m.LicenseURL = mergeString(m.LicenseURL, req.LicenseURL)
		m.SourceURL = mergeString(m.SourceURL, req.SourceURL)
		l.Meta = m
		out = g2LayerMetaView{LayerID: id, LayerName: l.LayerName, License: m.License, Attribution: m.Attribution,
			Publisher: m.Publisher, LicenseURL: m.LicenseURL, SourceURL: m.SourceURL, AccessPolicy: m.AccessPolicy,
			TimeInfo: m.TimeInfo, RasterMosaic: mosaic}
		return nil
	})
	if ok {
		s.writeDataV2(w, http.StatusOK, out, "")
	}
}
