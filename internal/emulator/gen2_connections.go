package emulator

import (
	"net/http"
	"strings"
	"time"
)

// Secure connections (/api/v1/admin/connections) are runtime state outside
// the metadata graph: their writes never create graph revisions, but they
// do go through the fault machinery and the state file.

// gen2SslModes are Npgsql's SslMode names; requests parse them
// case-insensitively and responses return these spellings.
var gen2SslModes = []string{"Disable", "Allow", "Prefer", "Require", "VerifyCA", "VerifyFull"}

func canonicalSslMode(s string) (string, bool) {
	for _, m := range gen2SslModes {
		if strings.EqualFold(m, strings.TrimSpace(s)) {
			return m, true
		}
	}
	return "", false
}

type g2ConnectionSummary struct {
	ConnectionID    string     `json:"connectionId"`
	Name            string     `json:"name"`
	Description     *string    `json:"description"`
	Host            string     `json:"host"`
	Port            int        `json:"port"`
	DatabaseName    string     `json:"databaseName"`
	Username        string     `json:"username"`
	Provider        string     `json:"provider"`
	SslRequired     bool       `json:"sslRequired"`
	SslMode         string     `json:"sslMode"`
	StorageType     string     `json:"storageType"`
	IsActive        bool       `json:"isActive"`
	HealthStatus    string     `json:"healthStatus"`
	LastHealthCheck *time.Time `json:"lastHealthCheck"`
	CreatedAt       time.Time  `json:"createdAt"`
	CreatedBy       string     `json:"createdBy"`
}

type g2ConnectionDetail struct {
	g2ConnectionSummary
	CredentialReference *string    `json:"credentialReference"`
	EncryptionVersion   int        `json:"encryptionVersion"`
	UpdatedAt           *time.Time `json:"updatedAt"`
}

func summaryOf(c *g2Connection) g2ConnectionSummary {
	st := "external"
	if c.Managed {
		st = "managed"
	}
	return g2ConnectionSummary{ConnectionID: c.ConnectionID, Name: c.Name, Description: c.Description, Host: c.Host,
		Port: c.Port, DatabaseName: c.DatabaseName, Username: c.Username, Provider: c.Provider, SslRequired: c.SslRequired,
		SslMode: c.SslMode, StorageType: st, IsActive: c.IsActive, HealthStatus: "Unknown", CreatedAt: c.CreatedAt, CreatedBy: "admin"}
}

func detailOf(c *g2Connection) g2ConnectionDetail {
	d := g2ConnectionDetail{g2ConnectionSummary: summaryOf(c), CredentialReference: c.SecretRef, UpdatedAt: c.UpdatedAt}
	if c.Managed {
		d.EncryptionVersion = 1
	}
	return d
}

func (s *Server) handleGen2ListConnections(w http.ResponseWriter, _ *http.Request, _ params) {
	g := s.gen2
	g.mu.Lock()
	out := []g2ConnectionSummary{}
	for _, c := range g.d.Connections {
		if c.IsActive {
			out = append(out, summaryOf(c))
		}
	}
	g.mu.Unlock()
	s.writeDataV2(w, http.StatusOK, out, "")
}

// gen2ConnID applies the {id:guid} route constraint: a non-GUID segment
// matches no route and is a 404 with an empty body.
func gen2ConnID(w http.ResponseWriter, p params) (string, bool) {
	id := p["id"]
	if !isGUID(id) {
		writeEmpty(w, http.StatusNotFound)
		return "", false
	}
	id = strings.ToLower(strings.Trim(id, "{}"))
	if len(id) == 32 {
		id = id[0:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
	}
	return id, true
}

func (s *Server) handleGen2GetConnection(w http.ResponseWriter, _ *http.Request, p params) {
	id, ok := gen2ConnID(w, p)
	if !ok {
		return
	}
	g := s.gen2
	g.mu.Lock()
	c := g.connection(id)
	var out g2ConnectionDetail
	if c != nil {
		out = detailOf(c)
	}
	g.mu.Unlock()
	if c == nil {
		s.writeFailure(w, http.StatusNotFound, "Connection not found")
		return
	}
	s.writeDataV2(w, http.StatusOK, out, "")
}

type g2CreateConnection struct {
	Name            string  `json:"name"`
	Description     *string `json:"description"`
	Host            string  `json:"host"`
	Port            *int    `json:"port"`
	DatabaseName    string  `json:"databaseName"`
	Username        string  `json:"username"`
	Password        string  `json:"password"`
	SecretReference string  `json:"secretReference"`
	SecretType      string  `json:"secretType"`
	Provider        string  `json:"provider"`
	SslRequired     bool    `json:"sslRequired"`
	SslMode         string  `json:"sslMode"`
}

// validate mirrors CreateSecureConnectionRequest's checks; it returns the
// canonical SSL mode and a failure message ("" when valid).
func (req *g2CreateConnection) validate() (string, string) {
	var missing []string
	for _, f := range []struct{ name, v string }{{"Name", req.Name}, {"Host", req.Host}, {"DatabaseName", req.DatabaseName}, {"Username", req.Username}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, "The "+f.name+" field is required.")
		}
	}
	if len(missing) > 0 {
		return "", "Validation failed: " + strings.Join(missing, ", ")
	}
	if req.Port != nil && (*req.Port < 1 || *req.Port > 65535) {
		return "", "Validation failed: Port must be between 1 and 65535."
	}
	if req.SecretReference != "" && req.SecretType == "" {
		return "", "Validation failed: SecretType is required with SecretReference."
	}
	mode, ok := canonicalSslMode(cmpOr(req.SslMode, "Prefer"))
	if !ok {
		return "", "Invalid SSL mode"
	}
	if req.SslRequired && mode == "Disable" {
		return "", "SSL mode 'Disable' is invalid when SSL is required"
	}
	if req.SecretReference == "" && req.Password == "" {
		return "", "Password is required when not using secret reference"
	}
	return mode, ""
}

func (s *Server) handleGen2CreateConnection(w http.ResponseWriter, r *http.Request, _ params) {
	var req g2CreateConnection
	if !decodeGen2(w, r, &req) {
		return
	}
	mode, msg := req.validate()
	if msg != "" {
		s.writeFailure(w, http.StatusBadRequest, msg)
		return
	}
	port := 5432
	if req.Port != nil {
		port = *req.Port
	}
	c := &g2Connection{ConnectionID: newID(), Name: req.Name, Description: req.Description, Host: req.Host, Port: port,
		DatabaseName: req.DatabaseName, Username: req.Username, Provider: cmpOr(req.Provider, "postgresql"),
		SslRequired: req.SslRequired, SslMode: mode, IsActive: true, CreatedAt: s.now().UTC(), Tables: []Gen2SeedTable{}}
	if req.SecretReference != "" {
		ref, typ := req.SecretReference, req.SecretType
		c.SecretRef, c.SecretType = &ref, &typ
	} else {
		c.Managed = true
	}
	duplicate := false
	var out g2ConnectionSummary
	err := s.commit(r.Context(), Identity{Kind: "Connection", Namespace: "runtime", Name: req.Name}, func() error {
		g := s.gen2
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.connectionByName(req.Name) != nil {
			duplicate = true
			return nil
		}
		g.d.Connections = append(g.d.Connections, c)
		out = summaryOf(c)
		return nil
	})
	if duplicate && err == nil {
		s.writeFailure(w, http.StatusBadRequest, "Secure connection request is invalid.")
		return
	}
	if !s.gen2Finish(w, err) {
		return
	}
	w.Header().Set("Location", BasePath+"/connections/"+c.ConnectionID)
	s.writeDataV2(w, http.StatusCreated, out, "")
}

// g2UpdateConnection is UpdateSecureConnectionRequest: name, provider and
// secretReference are not members, so sending them changes nothing.
type g2UpdateConnection struct {
	Description  *string `json:"description"`
	Host         *string `json:"host"`
	Port         *int    `json:"port"`
	DatabaseName *string `json:"databaseName"`
	Username     *string `json:"username"`
	Password     *string `json:"password"`
	SslRequired  *bool   `json:"sslRequired"`
	SslMode      *string `json:"sslMode"`
	IsActive     *bool   `json:"isActive"`
}

func (s *Server) handleGen2UpdateConnection(w http.ResponseWriter, r *http.Request, p params) {
	id, ok := gen2ConnID(w, p)
	if !ok {
		return
	}
	var req g2UpdateConnection
	if !decodeGen2(w, r, &req) {
		return
	}
	if req.Port != nil && (*req.Port < 1 || *req.Port > 65535) {
		s.writeFailure(w, http.StatusBadRequest, "Validation failed: Port must be between 1 and 65535.")
		return
	}
	g := s.gen2
	g.mu.Lock()
	cur := g.connection(id)
	var next g2Connection
	if cur != nil {
		next = *cur
	}
	g.mu.Unlock()
	if cur == nil {
		s.writeFailure(w, http.StatusNotFound, "Connection not found")
		return
	}
	if req.Description != nil {
		next.Description = req.Description
	}
	setStr := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setStr(&next.Host, req.Host)
	setStr(&next.DatabaseName, req.DatabaseName)
	setStr(&next.Username, req.Username)
	if req.Port != nil {
		next.Port = *req.Port
	}
	if req.SslRequired != nil {
		next.SslRequired = *req.SslRequired
	}
	if req.IsActive != nil {
		next.IsActive = *req.IsActive
	}
	if req.SslMode != nil && strings.TrimSpace(*req.SslMode) != "" {
		mode, ok := canonicalSslMode(*req.SslMode)
		if !ok {
			s.writeFailure(w, http.StatusBadRequest, "Invalid SSL mode")
			return
		}
		next.SslMode = mode
	}
	if next.SslRequired && next.SslMode == "Disable" {
		s.writeFailure(w, http.StatusBadRequest, "SSL mode 'Disable' is invalid when SSL is required")
		return
	}
	if req.Password != nil && strings.TrimSpace(*req.Password) != "" {
		// A password replaces the secret reference with a managed secret.
		next.Managed, next.SecretRef, next.SecretType = true, nil, nil
	}
	now := s.now().UTC()
	next.UpdatedAt = &now
	var out g2ConnectionSummary
	err := s.commit(r.Context(), Identity{Kind: "Connection", Namespace: "runtime", Name: next.Name}, func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		c := g.connection(id)
		if c == nil {
			return errGen2Gone
		}
		*c = next
		out = summaryOf(c)
		return nil
	})
	if !s.gen2Finish(w, err) {
		return
	}
	s.writeDataV2(w, http.StatusOK, out, "")
}

func (s *Server) handleGen2DeleteConnection(w http.ResponseWriter, r *http.Request, p params) {
	id, ok := gen2ConnID(w, p)
	if !ok {
		return
	}
	g := s.gen2
	g.mu.Lock()
	c := g.connection(id)
	inUse := false
	name := ""
	if c != nil {
		name = c.Name
		for _, l := range g.d.Layers {
			if l.ConnectionID == id {
				inUse = true
			}
		}
	}
	g.mu.Unlock()
	switch {
	case c == nil:
		s.writeFailure(w, http.StatusNotFound, "Connection not found")
		return
	case inUse:
		s.writeFailure(w, http.StatusConflict, "Connection is in use by services")
		return
	}
	err := s.commit(r.Context(), Identity{Kind: "Connection", Namespace: "runtime", Name: name}, func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		for i, c := range g.d.Connections {
			if c.ConnectionID == id {
				g.d.Connections = append(g.d.Connections[:i], g.d.Connections[i+1:]...)
				return nil
			}
		}
		return errGen2Gone
	})
	if !s.gen2Finish(w, err) {
		return
	}
	s.writeDataV2(w, http.StatusOK, nil, "Connection deleted")
}

type g2ConnectionTest struct {
	ConnectionID   string    `json:"connectionId"`
	ConnectionName string    `json:"connectionName"`
	IsHealthy      bool      `json:"isHealthy"`
	TestedAt       time.Time `json:"testedAt"`
	Message        string    `json:"message"`
}

// The emulator has no databases: a test is healthy when the connection (or
// draft) is valid and active.
func (s *Server) handleGen2TestConnection(w http.ResponseWriter, _ *http.Request, p params) {
	id, ok := gen2ConnID(w, p)
	if !ok {
		return
	}
	g := s.gen2
	g.mu.Lock()
	c := g.connection(id)
	var out g2ConnectionTest
	if c != nil {
		out = g2ConnectionTest{ConnectionID: c.ConnectionID, ConnectionName: c.Name, IsHealthy: c.IsActive, TestedAt: s.now().UTC()}
	}
	g.mu.Unlock()
	if c == nil {
		s.writeFailure(w, http.StatusNotFound, "Connection not found")
		return
	}
	out.Message = "Connection test failed"
	if out.IsHealthy {
		out.Message = "Connection is healthy"
	}
	s.writeDataV2(w, http.StatusOK, out, "")
}

func (s *Server) handleGen2TestDraftConnection(w http.ResponseWriter, r *http.Request, _ params) {
	var req g2CreateConnection
	if !decodeGen2(w, r, &req) {
		return
	}
	if _, msg := req.validate(); msg != "" {
		s.writeFailure(w, http.StatusBadRequest, msg)
		return
	}
	s.writeDataV2(w, http.StatusOK, g2ConnectionTest{ConnectionID: "00000000-0000-0000-0000-000000000000",
		ConnectionName: req.Name, IsHealthy: true, TestedAt: s.now().UTC(), Message: "Connection is healthy"}, "")
}
