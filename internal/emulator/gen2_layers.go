package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Layer publishing (/connections/{idOrName}/layers) and the fields facet
// (/metadata/layers/{layerId}/fields). Both write the graph, so every
// successful write is a new revision.

type g2LayerSummary struct {
	LayerID      int    `json:"layerId"`
	LayerName    string `json:"layerName"`
	Schema       string `json:"schema"`
	Table        string `json:"table"`
	Description  string `json:"description"`
	GeometryType string `json:"geometryType,omitempty"`
	Srid         int    `json:"srid,omitempty"`
	PrimaryKey   string `json:"primaryKey,omitempty"`
	FieldCount   int    `json:"fieldCount"`
	Enabled      bool   `json:"enabled"`
	ServiceName  string `json:"serviceName"`
}

func layerSummary(l *g2Layer) g2LayerSummary {
	return g2LayerSummary{LayerID: l.LayerID, LayerName: l.LayerName, Schema: l.Schema, Table: l.Table, Description: l.Description,
		GeometryType: l.GeometryType, Srid: l.Srid, PrimaryKey: l.PrimaryKey, FieldCount: len(l.Fields), Enabled: l.Enabled, ServiceName: l.ServiceName}
}

const (
	gen2PublishNotFound = "The requested resource was not found."
	gen2PublishConflict = "Layer publishing operation conflicted with existing data."
)

func (s *Server) handleGen2ListLayers(w http.ResponseWriter, r *http.Request, p params) {
	svc := cmpOr(r.URL.Query().Get("serviceName"), "default")
	g := s.gen2
	g.mu.Lock()
	c := g.connectionRef(p["id"])
	out := []g2LayerSummary{}
	if c != nil {
		for _, l := range g.d.Layers {
			if l.ConnectionID == c.ConnectionID && strings.EqualFold(l.ServiceName, svc) {
				out = append(out, layerSummary(l))
			}
		}
	}
	g.mu.Unlock()
	if c == nil {
		s.writeFailure(w, http.StatusNotFound, gen2PublishNotFound)
		return
	}
	s.writeDataV2(w, http.StatusOK, out, "")
}

type g2PublishRequest struct {
	Schema         string   `json:"schema"`
	Table          string   `json:"table"`
	LayerName      string   `json:"layerName"`
	Description    *string  `json:"description"`
	GeometryColumn *string  `json:"geometryColumn"`
	GeometryType   *string  `json:"geometryType"`
	Srid           *int     `json:"srid"`
	PrimaryKey     *string  `json:"primaryKey"`
	Fields         []string `json:"fields"`
	ServiceName    *string  `json:"serviceName"`
	Enabled        *bool    `json:"enabled"`
}

// handleGen2PublishLayer publishes a table: 201 + Location with the layer
// summary; 409 when the service already has the layer name or the table
// (read it back instead); 404 for an unknown connection or table. A new
// service name creates the service (FeatureServer).
func (s *Server) handleGen2PublishLayer(w http.ResponseWriter, r *http.Request, p params) {
	var req g2PublishRequest
	if !decodeGen2(w, r, &req) {
		return
	}
	var missing []string
	for _, f := range []struct{ n, v string }{{"Schema", req.Schema}, {"Table", req.Table}, {"LayerName", req.LayerName}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, "The "+f.n+" field is required.")
		}
	}
	if len(missing) > 0 {
		s.writeFailure(w, http.StatusBadRequest, "Validation failed: "+strings.Join(missing, ", "))
		return
	}
	svc := "default"
	if req.ServiceName != nil && strings.TrimSpace(*req.ServiceName) != "" {
		svc = *req.ServiceName
	}
	status, msg := 0, ""
	var out g2LayerSummary
	err := s.commit(r.Context(), Identity{Kind: "Layer", Namespace: svc, Name: req.LayerName}, func() error {
		g := s.gen2
		g.mu.Lock()
		defer g.mu.Unlock()
		c := g.connectionRef(p["id"])
		if c == nil {
			status, msg = http.StatusNotFound, gen2PublishNotFound
			return nil
		}
		tbl := g.table(c, req.Schema, req.Table)
		if tbl == nil {
			status, msg = http.StatusNotFound, gen2PublishNotFound
			return nil
		}
		for _, l := range g.d.Layers {
			if strings.EqualFold(l.ServiceName, svc) && (strings.EqualFold(l.LayerName, req.LayerName) ||
				(l.ConnectionID == c.ConnectionID && strings.EqualFold(l.Schema, req.Schema) && strings.EqualFold(l.Table, req.Table))) {
				status, msg = http.StatusConflict, gen2PublishConflict
				return nil
			}
		}
		t := *tbl
		if req.GeometryColumn != nil && *req.GeometryColumn != "" {
			t.GeometryColumn = *req.GeometryColumn
		}
		if req.PrimaryKey != nil && *req.PrimaryKey != "" {
			t.PrimaryKey = *req.PrimaryKey
		}
		id := 1
		for _, l := range g.d.Layers {
			id = max(id, l.LayerID+1)
		}
		layer := &g2Layer{LayerID: id, ConnectionID: c.ConnectionID, ServiceName: svc, LayerName: req.LayerName,
			Schema: tbl.Schema, Table: tbl.Table, Enabled: req.Enabled == nil || *req.Enabled,
			GeometryType: t.GeometryType, Srid: t.Srid, PrimaryKey: t.PrimaryKey, Fields: fieldsOf(&t, req.Fields)}
		if req.Description != nil {
			layer.Description = *req.Description
		}
		if req.GeometryType != nil && *req.GeometryType != "" {
			layer.GeometryType = *req.GeometryType
		}
		if req.Srid != nil {
			layer.Srid = *req.Srid
		}
		if g.service(svc) == nil {
			g.d.Services = append(g.d.Services, &g2Service{Name: svc, EnabledProtocols: []string{"FeatureServer"},
				AccessPolicy: Gen2AccessPolicy{AllowedRoles: []string{}, AllowedWriteRoles: []string{}}})
		}
		g.d.Layers = append(g.d.Layers, layer)
		out = layerSummary(layer)
		g.bumpRevision(s.now(), r.Method, r.URL.Path, "layer.publish", svc+"/"+req.LayerName)
		return nil
	})
	if status != 0 && err == nil {
		s.writeFailure(w, status, msg)
		return
	}
	if !s.gen2Finish(w, err) {
		return
	}
	w.Header().Set("Location", BasePath+"/connections/"+p["id"]+"/layers/"+strconv.Itoa(out.LayerID))
	s.writeDataV2(w, http.StatusCreated, out, "")
}

// gen2LayerID applies the {layerId:int} constraint: not an int, no route.
func gen2LayerID(w http.ResponseWriter, p params) (int, bool) {
	id, err := strconv.ParseInt(p["layerId"], 10, 32)
	if err != nil {
		writeEmpty(w, http.StatusNotFound)
		return 0, false
	}
	return int(id), true
}

func (s *Server) handleGen2SetLayerEnabled(w http.ResponseWriter, r *http.Request, p params) {
	id, ok := gen2LayerID(w, p)
	if !ok {
		return
	}
	var req struct {
		Enabled bool `json:"enabled"`
	}
	if !decodeGen2(w, r, &req) {
		return
	}
	svc := cmpOr(r.URL.Query().Get("serviceName"), "default")
	status, msg := 0, ""
	var out g2LayerSummary
	err := s.commit(r.Context(), Identity{Kind: "Layer", Namespace: svc, Name: strconv.Itoa(id)}, func() error {
		g := s.gen2
		g.mu.Lock()
		defer g.mu.Unlock()
		c := g.connectionRef(p["id"])
		if c == nil {
			status, msg = http.StatusNotFound, gen2PublishNotFound
			return nil
		}
		l := g.layer(id)
		if l == nil || l.ConnectionID != c.ConnectionID || !strings.EqualFold(l.ServiceName, svc) {
			status, msg = http.StatusNotFound, "Layer not found."
			return nil
		}
		l.Enabled, l.Lifecycle = req.Enabled, ""
		out = layerSummary(l)
		g.bumpRevision(s.now(), r.Method, r.URL.Path, "layer.enabled", strconv.Itoa(id))
		return nil
	})
	if status != 0 && err == nil {
		s.writeFailure(w, status, msg)
		return
	}
	if !s.gen2Finish(w, err) {
		return
	}
	s.writeDataV2(w, http.StatusOK, out, "")
}

// g2FieldView is one field of the fields facet; absent members are
// omitted, never null.
type g2FieldView struct {
	Name   string          `json:"name"`
	Type   string          `json:"type"`
	Alias  *string         `json:"alias,omitempty"`
	Domain json.RawMessage `json:"domain,omitempty"`
	Hidden bool            `json:"hidden"`
}

type g2FieldsView struct {
	LayerID int           `json:"layerId"`
	Fields  []g2FieldView `json:"fields"`
}

// fieldsView renders the facet. Without an override row the alias falls
// back to the column description, as the server does.
func fieldsView(l *g2Layer) g2FieldsView {
	out := g2FieldsView{LayerID: l.LayerID, Fields: []g2FieldView{}}
	for _, f := range l.Fields {
		v := g2FieldView{Name: f.Name, Type: f.Type, Domain: f.Domain, Hidden: f.Hidden, Alias: f.Alias}
		if !f.Overridden && f.Description != "" {
			d := f.Description
			v.Alias = &d
		}
		out.Fields = append(out.Fields, v)
	}
	return out
}

// readLayer answers a read of one layer's facet: the integer id from the
// path (400 when it is not one), view of the layer under the store's lock,
// 404 for an unknown layer, else 200 with the view as data.
func (s *Server) readLayer(w http.ResponseWriter, p params, view func(id int, l *g2Layer) any) {
	id, ok := gen2LayerID(w, p)
	if !ok {
		return
	}
	g := s.gen2
	g.mu.Lock()
	l := g.layer(id)
	var out any
	if l != nil {
		out = view(id, l)
	}
	g.mu.Unlock()
	if l == nil {
		s.layerNotFound(w, id)
		return
	}
	s.writeDataV2(w, http.StatusOK, out, "")
}

func (s *Server) layerNotFound(w http.ResponseWriter, id int) {
	s.writeProblem(w, http.StatusNotFound, "Layer not found", fmt.Sprintf("Layer %d was not found.", id))
}

func (s *Server) handleGen2GetFields(w http.ResponseWriter, _ *http.Request, p params) {
	s.readLayer(w, p, func(id int, l *g2Layer) any { return fieldsView(l) })
}

type g2FieldOverride struct {
	Name   string          `json:"name"`
	Alias  *string         `json:"alias"`
	Domain json.RawMessage `json:"domain"`
	Hidden *bool           `json:"hidden"`
}

type g2CodedDomain struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	CodedValues []struct {
		Code json.RawMessage `json:"code"`
		Name string          `json:"name"`
	} `json:"codedValues"`
}

// validateDomain accepts only codedValue domains with 1–512 codes and
// returns the domain as stored (JSONB-ordered on the way out).
func validateDomain(raw json.RawMessage) (json.RawMessage, string) {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, ""
	}
	var d g2CodedDomain
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, "domain must be an object"
	}
	if d.Type != "codedValue" {
		return nil, fmt.Sprintf("domain type '%s' is not supported; use codedValue", d.Type)
	}
	if len(d.CodedValues) < 1 || len(d.CodedValues) > 512 {
		return nil, "a codedValue domain needs 1 to 512 coded values"
	}
	for _, cv := range d.CodedValues {
		if len(cv.Code) == 0 || string(cv.Code) == "null" || cv.Name == "" {
			return nil, "every coded value needs a code and a name"
		}
	}
	norm, err := json.Marshal(d)
	if err != nil {
		return nil, "domain is invalid"
	}
	return norm, ""
}

// handleGen2PutFields upserts per named field; fields not named are
// untouched. Within a named field an omitted or null alias or domain is
// cleared, and only hidden:null keeps the current value. It saves once.
func (s *Server) handleGen2PutFields(w http.ResponseWriter, r *http.Request, p params) {
	id, ok := gen2LayerID(w, p)
	if !ok {
		return
	}
	var req struct {
		Fields []g2FieldOverride `json:"fields"`
	}
	if !decodeGen2(w, r, &req) {
		return
	}
	bad := func(detail string) { s.writeProblem(w, http.StatusBadRequest, "Invalid field configuration", detail) }
	if req.Fields == nil {
		bad("fields is required.")
		return
	}
	domains := make([]json.RawMessage, len(req.Fields))
	for i, f := range req.Fields {
		if f.Alias != nil && len([]rune(*f.Alias)) > 256 {
			bad(fmt.Sprintf("Field '%s': alias must be 256 characters or fewer.", f.Name))
			return
		}
		d, msg := validateDomain(f.Domain)
		if msg != "" {
			bad(fmt.Sprintf("Field '%s': %s.", f.Name, msg))
			return
		}
		domains[i] = d
	}
	g := s.gen2
	g.mu.Lock()
	l := g.layer(id)
	detail := ""
	if l != nil {
	check:
		for _, f := range req.Fields {
			var tf *g2Field
			for _, x := range l.Fields {
				if strings.EqualFold(x.Name, f.Name) {
					tf = x
				}
			}
			switch {
			case tf == nil:
				detail = fmt.Sprintf("Field '%s' does not exist on layer %d.", f.Name, id)
				break check
			case f.Hidden != nil && *f.Hidden && (tf.Geometry || tf.Primary || strings.EqualFold(tf.Name, "OBJECTID")):
				detail = fmt.Sprintf("Field '%s' cannot be hidden.", tf.Name)
				break check
			}
		}
	}
	g.mu.Unlock()
	switch {
	case l == nil:
		s.layerNotFound(w, id)
		return
	case detail != "":
		bad(detail)
		return
	}
	var out g2FieldsView
	ok = s.gen2GraphWrite(w, r, Identity{Kind: "LayerFields", Namespace: s.gen2Env(), Name: strconv.Itoa(id)}, "layer.fields", strconv.Itoa(id), func(g *gen2Store) error {
		l := g.layer(id)
		if l == nil {
			return errGen2Gone
		}
		for i, f := range req.Fields {
			for _, tf := range l.Fields {
				if !strings.EqualFold(tf.Name, f.Name) {
					continue
				}
				tf.Overridden = true
				tf.Alias = f.Alias
				tf.Domain = domains[i]
				if f.Hidden != nil {
					tf.Hidden = *f.Hidden
				}
			}
		}
		out = fieldsView(l)
		return nil
	})
	if ok {
		s.writeDataV2(w, http.StatusOK, out, "")
	}
}
