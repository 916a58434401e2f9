package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

// DefaultGen2Environment is the environment a stock Generation 2 server
// serves (Metadata:Environment ?? Environment ?? "default").
const DefaultGen2Environment = "default"

// gen2StateFormatVersion versions the Generation 2 state file layout; it
// differs from the Generation 1 layout so neither loads the other's file.
const gen2StateFormatVersion = 2

// Gen2Seed is the initial state of a Generation 2 emulator. Its JSON shape
// (camelCase) is what --seed FILE reads; see README.md.
type Gen2Seed struct {
	// Environment is the graph's environment; "" means "default".
	Environment string `json:"environment,omitempty"`
	// Services are the v2 services, keyed case-insensitively by name.
	Services []Gen2SeedService `json:"services,omitempty"`
	// Connections are the runtime secure connections, with the tables their
	// database holds (what publish can read).
	Connections []Gen2SeedConnection `json:"connections,omitempty"`
	// Layers are already-published layers.
	Layers []Gen2SeedLayer `json:"layers,omitempty"`
	// Databases are PostgreSQL databases reachable from the server, keyed
	// by host and database name. A connection (seeded, or created at run
	// time through POST /connections) whose host and databaseName match a
	// database (case-insensitively) sees its tables, after its own seeded
	// tables. Host "*" matches any host, and databaseName "*" any database
	// name, so one seed serves environments whose DB_HOST and DB_NAME differ.
	Databases []Gen2SeedDatabase `json:"databases,omitempty"`
}

// Gen2SeedDatabase is a database and the tables it holds.
type Gen2SeedDatabase struct {
	Host         string          `json:"host"`
	DatabaseName string          `json:"databaseName"`
	Tables       []Gen2SeedTable `json:"tables"`
}

// Gen2SeedService is one service in a seed.
type Gen2SeedService struct {
	Name             string           `json:"name"`
	Description      string           `json:"description,omitempty"`
	EnabledProtocols []string         `json:"enabledProtocols,omitempty"`
	AccessPolicy     Gen2AccessPolicy `json:"accessPolicy"`
}

// Gen2AccessPolicy is a service's access policy.
type Gen2AccessPolicy struct {
	AllowAnonymous      bool     `json:"allowAnonymous"`
	AllowAnonymousWrite bool     `json:"allowAnonymousWrite"`
	AllowedRoles        []string `json:"allowedRoles"`
	AllowedWriteRoles   []string `json:"allowedWriteRoles"`
}

// Gen2SeedConnection is one secure connection in a seed. Password is
// write-only; SecretReference is returned only by GET /connections/{id},
// as credentialReference.
type Gen2SeedConnection struct {
	ConnectionID    string          `json:"connectionId,omitempty"`
	Name            string          `json:"name"`
	Description     string          `json:"description,omitempty"`
	Host            string          `json:"host"`
	Port            int             `json:"port,omitempty"`
	DatabaseName    string          `json:"databaseName"`
	Username        string          `json:"username"`
	Provider        string          `json:"provider,omitempty"`
	SslRequired     bool            `json:"sslRequired,omitempty"`
	SslMode         string          `json:"sslMode,omitempty"`
	SecretReference string          `json:"secretReference,omitempty"`
	SecretType      string          `json:"secretType,omitempty"`
	Password        string          `json:"password,omitempty"`
	IsActive        *bool           `json:"isActive,omitempty"`
	Tables          []Gen2SeedTable `json:"tables,omitempty"`
}

// Gen2SeedTable is a table in a connection's database.
type Gen2SeedTable struct {
	Schema         string           `json:"schema"`
	Table          string           `json:"table"`
	GeometryColumn string           `json:"geometryColumn,omitempty"`
	GeometryType   string           `json:"geometryType,omitempty"`
	Srid           int              `json:"srid,omitempty"`
	PrimaryKey     string           `json:"primaryKey,omitempty"`
	Columns        []Gen2SeedColumn `json:"columns,omitempty"`
}

// Gen2SeedColumn is a table column; Type is Honua's PascalCase field type
// (String, Integer, Double, DateTime, Geometry, …).
type Gen2SeedColumn struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

// Gen2SeedLayer is an already-published layer: a table of a connection
// published into a service under an integer layer id.
type Gen2SeedLayer struct {
	LayerID     int    `json:"layerId"`
	Connection  string `json:"connection"`
	ServiceName string `json:"serviceName,omitempty"`
	LayerName   string `json:"layerName"`
	Schema      string `json:"schema"`
	Table       string `json:"table"`
	Description string `json:"description,omitempty"`
	Enabled     *bool  `json:"enabled,omitempty"`
	// ReadOnly marks the resource read-only (no editing), which composite
	// relationships require.
	ReadOnly bool `json:"readOnly,omitempty"`
	// Lifecycle is the resource's status.lifecycle the inventory reports:
	// draft, active, deprecated, retired or archived (any case). "" derives
	// it as the server does: retired when disabled, else active.
	Lifecycle string `json:"lifecycle,omitempty"`
}

// LoadGen2Seed reads a seed file.
func LoadGen2Seed(path string) (*Gen2Seed, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read seed: %w", err)
	}
	var sd Gen2Seed
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sd); err != nil {
		return nil, fmt.Errorf("read seed %s: %w", path, err)
	}
	return &sd, nil
}

// Gen2Write is one graph write, as GET /__emulator/gen2/log reports it.
type Gen2Write struct {
	Revision int64     `json:"revision"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	Facet    string    `json:"facet"`
	Target   string    `json:"target"`
	At       time.Time `json:"at"`
}

type g2Service struct {
	Name             string           `json:"name"`
	Description      string           `json:"description"`
	EnabledProtocols []string         `json:"enabledProtocols"`
	AccessPolicy     Gen2AccessPolicy `json:"accessPolicy"`
}

type g2Connection struct {
	ConnectionID string          `json:"connectionId"`
	Name         string          `json:"name"`
	Description  *string         `json:"description"`
	Host         string          `json:"host"`
	Port         int             `json:"port"`
	DatabaseName string          `json:"databaseName"`
	Username     string          `json:"username"`
	Provider     string          `json:"provider"`
	SslRequired  bool            `json:"sslRequired"`
	SslMode      string          `json:"sslMode"`
	SecretRef    *string         `json:"secretRef"`
	SecretType   *string         `json:"secretType"`
	Managed      bool            `json:"managed"` // encrypted password stored
	IsActive     bool            `json:"isActive"`
	CreatedAt    time.Time       `json:"createdAt"`
	UpdatedAt    *time.Time      `json:"updatedAt"`
	Tables       []Gen2SeedTable `json:"tables"`
}

type g2Layer struct {
	LayerID      int    `json:"layerId"`
	ConnectionID string `json:"connectionId"`
	ServiceName  string `json:"serviceName"`
	LayerName    string `json:"layerName"`
	Schema       string `json:"schema"`
	Table        string `json:"table"`
	Description  string `json:"description"`
	Enabled      bool   `json:"enabled"`
	// Lifecycle is a seeded status.lifecycle ("" = derived from Enabled);
	// enabling or disabling the layer resets it, as on the server.
	Lifecycle    string `json:"lifecycle,omitempty"`
	GeometryType string `json:"geometryType,omitempty"`
	Srid         int    `json:"srid,omitempty"`
	PrimaryKey   string `json:"primaryKey,omitempty"`
	// Fields are the published columns, in table order, with their
	// overrides (the fields facet).
	Fields []*g2Field `json:"fields"`
	// Extensions are resource.extensions: geoservices:popupInfo and
	// geoservices:drawingInfo documents, stored verbatim.
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
	// Style is the normalised MapLibre style, nil when unstyled. The OGC
	// style and the deprecated admin layer style share it.
	Style json.RawMessage `json:"style,omitempty"`
	// StyleDrawingInfo is the admin style's drawingInfo (the style
	// catalog's column, distinct from the drawing-info facet).
	StyleDrawingInfo   json.RawMessage `json:"styleDrawingInfo,omitempty"`
	StyleVersion       int             `json:"styleVersion,omitempty"`
	StyleRevisedAt     *time.Time      `json:"styleRevisedAt,omitempty"`
	StyleRevisedBy     string          `json:"styleRevisedBy,omitempty"`
	StyleChangeSummary string          `json:"styleChangeSummary,omitempty"`
	// ReadOnly: see Gen2SeedLayer.ReadOnly.
	ReadOnly bool `json:"readOnly,omitempty"`
	// PermanentFilter is resource.permanentFilter, nil when none.
	PermanentFilter *g2Filter `json:"permanentFilter,omitempty"`
	// Relationships are resource.relationships, in the order written.
	Relationships []g2Relationship `json:"relationships,omitempty"`
	// Meta is the write-only per-layer metadata (access, time, governance).
	Meta *g2LayerMeta `json:"meta,omitempty"`
}

// g2Field is one published field and its override row.
type g2Field struct {
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	Description string          `json:"description,omitempty"`
	Geometry    bool            `json:"geometry,omitempty"`
	Primary     bool            `json:"primary,omitempty"`
	Overridden  bool            `json:"overridden,omitempty"`
	Alias       *string         `json:"alias,omitempty"`
	Domain      json.RawMessage `json:"domain,omitempty"`
	Hidden      bool            `json:"hidden,omitempty"`
}

// gen2Data is the persisted Generation 2 state.
type gen2Data struct {
	FormatVersion int             `json:"formatVersion"`
	Environment   string          `json:"environment"`
	Revision      int64           `json:"revision"`
	ETag          string          `json:"etag"`
	GeneratedAt   time.Time       `json:"generatedAt"`
	Services      []*g2Service    `json:"services"`
	Connections   []*g2Connection `json:"connections"`
	Layers        []*g2Layer      `json:"layers"`
	Writes        []Gen2Write     `json:"writes"`
	// Databases are the seeded databases (outside the graph).
	Databases []Gen2SeedDatabase `json:"databases,omitempty"`
	// Packages are the release packages (outside the graph: no revision).
	Packages []*g2Package `json:"packages,omitempty"`
}

// gen2Store holds a Generation 2 server's state under one lock.
type gen2Store struct {
	mu sync.Mutex
	d  gen2Data
}

func (g *gen2Store) service(name string) *g2Service {
	for _, sv := range g.d.Services {
		if strings.EqualFold(sv.Name, name) {
			return sv
		}
	}
	return nil
}

func (g *gen2Store) connection(id string) *g2Connection {
	for _, c := range g.d.Connections {
		if strings.EqualFold(c.ConnectionID, id) {
			return c
		}
	}
	return nil
}

func (g *gen2Store) connectionByName(name string) *g2Connection {
	for _, c := range g.d.Connections {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

func (g *gen2Store) layer(id int) *g2Layer {
	for _, l := range g.d.Layers {
		if l.LayerID == id {
			return l
		}
	}
	return nil
}

// connectionRef resolves a connection by GUID or by name, as the publish
// routes' {id} does.
func (g *gen2Store) connectionRef(ref string) *g2Connection {
	if isGUID(ref) {
		id := strings.ToLower(strings.Trim(ref, "{}"))
		if c := g.connection(id); c != nil {
			return c
		}
	}
	return g.connectionByName(ref)
}

func (g *gen2Store) layerCount(service string) int {
	n := 0
	for _, l := range g.d.Layers {
		if strings.EqualFold(l.ServiceName, service) {
			n++
		}
	}
	return n
}

// graphETag is the quoted SHA-256 hex of the graph document, as
// PostgresMetadataV2GraphStore computes it. The revision is part of the
// document, so even an identical write changes the ETag.
func (g *gen2Store) graphETag() string {
	doc, _ := json.Marshal(struct {
		Environment string       `json:"environment"`
		Revision    int64        `json:"revision"`
		Services    []*g2Service `json:"services"`
		Layers      []*g2Layer   `json:"layers"`
	}{g.d.Environment, g.d.Revision, g.d.Services, g.d.Layers})
	sum := sha256.Sum256(doc)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// bumpRevision records one graph save: MAX(revision)+1, a new ETag, and a
// log entry. The caller holds mu.
func (g *gen2Store) bumpRevision(now time.Time, method, path, facet, target string) {
	g.d.Revision++
	g.d.GeneratedAt = now.UTC()
	g.d.ETag = g.graphETag()
	g.d.Writes = append(g.d.Writes, Gen2Write{Revision: g.d.Revision, Method: method, Path: path, Facet: facet, Target: target, At: now.UTC()})
}

// newGen2Store builds the state from the state file when it exists, else
// from the seed. A stock server starts at revision 1.
func newGen2Store(opts Options, now time.Time) (*gen2Store, error) {
	g := &gen2Store{}
	if opts.StateFile != "" {
		raw, err := os.ReadFile(opts.StateFile)
		switch {
		case err == nil:
			if err := json.Unmarshal(raw, &g.d); err != nil {
				return nil, fmt.Errorf("read state file %s: %w", opts.StateFile, err)
			}
			if g.d.FormatVersion != gen2StateFormatVersion {
				return nil, fmt.Errorf("read state file %s: format version %d, want %d (Generation 2)", opts.StateFile, g.d.FormatVersion, gen2StateFormatVersion)
			}
			return g, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("read state file: %w", err)
		}
	}
	sd := opts.Gen2Seed
	if sd == nil {
		sd = &Gen2Seed{}
	}
	g.d = gen2Data{FormatVersion: gen2StateFormatVersion, Environment: sd.Environment}
	for _, db := range sd.Databases {
		if db.Host == "" || db.DatabaseName == "" {
			return nil, errors.New("seed: a database needs a host (or \"*\") and a databaseName")
		}
		if db.Tables == nil {
			db.Tables = []Gen2SeedTable{}
		}
		g.d.Databases = append(g.d.Databases, db)
	}
	if g.d.Environment == "" {
		g.d.Environment = DefaultGen2Environment
	}
	for _, sv := range sd.Services {
		if sv.Name == "" {
			return nil, errors.New("seed: a service needs a name")
		}
		if g.service(sv.Name) != nil {
			return nil, fmt.Errorf("seed: duplicate service %q", sv.Name)
		}
		for _, p := range sv.EnabledProtocols {
			if !validProtocol(p) {
				return nil, fmt.Errorf("seed: service %q: unknown protocol %q", sv.Name, p)
			}
		}
		ap := sv.AccessPolicy
		ap.AllowedRoles = nonNil(ap.AllowedRoles)
		ap.AllowedWriteRoles = nonNil(ap.AllowedWriteRoles)
		g.d.Services = append(g.d.Services, &g2Service{Name: sv.Name, Description: sv.Description,
			EnabledProtocols: nonNil(sv.EnabledProtocols), AccessPolicy: ap})
	}
	for _, c := range sd.Connections {
		conn, err := seedConnection(c, now)
		if err != nil {
			return nil, fmt.Errorf("seed: connection %q: %w", c.Name, err)
		}
		if g.connectionByName(c.Name) != nil || g.connection(conn.ConnectionID) != nil {
			return nil, fmt.Errorf("seed: duplicate connection %q", c.Name)
		}
		g.d.Connections = append(g.d.Connections, conn)
	}
	for _, l := range sd.Layers {
		c := g.connectionByName(l.Connection)
		if c == nil {
			return nil, fmt.Errorf("seed: layer %q: unknown connection %q", l.LayerName, l.Connection)
		}
		if l.LayerID <= 0 || l.LayerName == "" || l.Table == "" {
			return nil, fmt.Errorf("seed: layer %q: layerId (positive), layerName and table are required", l.LayerName)
		}
		svc := l.ServiceName
		if svc == "" {
			svc = "default"
		}
		for _, o := range g.d.Layers {
			if o.LayerID == l.LayerID {
				return nil, fmt.Errorf("seed: duplicate layer id %d", l.LayerID)
			}
		}
		if g.service(svc) == nil {
			g.d.Services = append(g.d.Services, &g2Service{Name: svc, EnabledProtocols: []string{"FeatureServer"},
				AccessPolicy: Gen2AccessPolicy{AllowedRoles: []string{}, AllowedWriteRoles: []string{}}})
		}
		enabled := l.Enabled == nil || *l.Enabled
		layer := &g2Layer{LayerID: l.LayerID, ConnectionID: c.ConnectionID, ServiceName: svc,
			LayerName: l.LayerName, Schema: cmpOr(l.Schema, "public"), Table: l.Table, Description: l.Description, Enabled: enabled}
		layer.ReadOnly = l.ReadOnly
		lc, ok := canonicalLifecycle(l.Lifecycle)
		if !ok {
			return nil, fmt.Errorf("seed: layer %q: lifecycle %q is not one of %s", l.LayerName, l.Lifecycle, strings.Join(gen2Lifecycles, ", "))
		}
		layer.Lifecycle = lc
		if tbl := g.table(c, layer.Schema, layer.Table); tbl != nil {
			layer.GeometryType, layer.Srid, layer.PrimaryKey = tbl.GeometryType, tbl.Srid, tbl.PrimaryKey
			layer.Fields = fieldsOf(tbl, nil)
		}
		if layer.Fields == nil {
			layer.Fields = []*g2Field{}
		}
		g.d.Layers = append(g.d.Layers, layer)
	}
	g.d.Revision = 1
	g.d.GeneratedAt = now.UTC()
	g.d.ETag = g.graphETag()
	g.d.Writes = []Gen2Write{}
	return g, nil
}

func seedConnection(c Gen2SeedConnection, now time.Time) (*g2Connection, error) {
	if c.Name == "" || c.Host == "" || c.DatabaseName == "" || c.Username == "" {
		return nil, errors.New("name, host, databaseName and username are required")
	}
	mode, ok := canonicalSslMode(cmpOr(c.SslMode, "Prefer"))
	if !ok {
		return nil, fmt.Errorf("unknown sslMode %q", c.SslMode)
	}
	id := c.ConnectionID
	if id == "" {
		id = newID()
	} else if !isGUID(id) {
		return nil, fmt.Errorf("connectionId %q is not a GUID", id)
	}
	conn := &g2Connection{ConnectionID: strings.ToLower(strings.Trim(id, "{}")), Name: c.Name, Host: c.Host,
		Port: c.Port, DatabaseName: c.DatabaseName, Username: c.Username, Provider: cmpOr(c.Provider, "postgresql"),
		SslRequired: c.SslRequired, SslMode: mode, IsActive: c.IsActive == nil || *c.IsActive, CreatedAt: now.UTC(),
		Tables: c.Tables}
	if conn.Port == 0 {
		conn.Port = 5432
	}
	if c.Description != "" {
		conn.Description = &c.Description
	}
	if c.SecretReference != "" {
		ref, typ := c.SecretReference, cmpOr(c.SecretType, "environment")
		conn.SecretRef, conn.SecretType = &ref, &typ
	} else {
		conn.Managed = true
	}
	if conn.Tables == nil {
		conn.Tables = []Gen2SeedTable{}
	}
	return conn, nil
}

// table finds a table of the connection's database, case-insensitively.
func (c *g2Connection) table(schema, table string) *Gen2SeedTable {
	for i := range c.Tables {
		if strings.EqualFold(c.Tables[i].Schema, schema) && strings.EqualFold(c.Tables[i].Table, table) {
			return &c.Tables[i]
		}
	}
	return nil
}

// table finds a table the connection can see: its own seeded tables
// first, then those of the first seeded database with the same host (or
// host "*") and database name (or "*") holding it.
func (g *gen2Store) table(c *g2Connection, schema, table string) *Gen2SeedTable {
	if t := c.table(schema, table); t != nil {
		return t
	}
	for i := range g.d.Databases {
		db := &g.d.Databases[i]
		if (db.Host != "*" && !strings.EqualFold(db.Host, c.Host)) || (db.DatabaseName != "*" && !strings.EqualFold(db.DatabaseName, c.DatabaseName)) {
			continue
		}
		for j := range db.Tables {
			if strings.EqualFold(db.Tables[j].Schema, schema) && strings.EqualFold(db.Tables[j].Table, table) {
				return &db.Tables[j]
			}
		}
	}
	return nil
}

// layerTable is the storage table behind a layer, nil when it is gone.
func (g *gen2Store) layerTable(l *g2Layer) *Gen2SeedTable {
	c := g.connection(l.ConnectionID)
	if c == nil {
		return nil
	}
	return g.table(c, l.Schema, l.Table)
}

// field finds a layer's published field, case-insensitively.
func (l *g2Layer) field(name string) *g2Field {
	for _, f := range l.Fields {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// fieldsOf lists a table's columns as published fields: only the named
// ones when names is non-empty (plus the key and geometry), and a
// Geometry field for the geometry column when it is not a listed column.
func fieldsOf(t *Gen2SeedTable, names []string) []*g2Field {
	out := []*g2Field{}
	seenGeom := false
	for _, col := range t.Columns {
		isGeom := t.GeometryColumn != "" && strings.EqualFold(col.Name, t.GeometryColumn)
		isPK := t.PrimaryKey != "" && strings.EqualFold(col.Name, t.PrimaryKey)
		if len(names) > 0 && !isGeom && !isPK && !containsFold(names, col.Name) {
			continue
		}
		typ := col.Type
		if isGeom {
			typ, seenGeom = "Geometry", true
		}
		out = append(out, &g2Field{Name: col.Name, Type: cmpOr(typ, "String"), Description: col.Description, Geometry: isGeom, Primary: isPK})
	}
	if t.GeometryColumn != "" && !seenGeom {
		out = append(out, &g2Field{Name: t.GeometryColumn, Type: "Geometry", Geometry: true})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// snapshotJSON encodes the state for the state file. The caller holds mu.
func (g *gen2Store) snapshotJSON() ([]byte, error) {
	body, err := json.MarshalIndent(g.d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(body, '\n'), nil
}

// gen2Lifecycles are MetadataV2LifecycleStatus's JSON names.
var gen2Lifecycles = []string{"draft", "active", "deprecated", "retired", "archived"}

// canonicalLifecycle is a seeded lifecycle's JSON name ("" stays "").
func canonicalLifecycle(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	for _, l := range gen2Lifecycles {
		if strings.EqualFold(l, strings.TrimSpace(s)) {
			return l, true
		}
	}
	return "", false
}

// lifecycle is the layer's status.lifecycle: disabling a layer retires
// its resource and publications on the server (enabling makes them
// active again), unless a seed set it.
func (l *g2Layer) lifecycle() string {
	switch {
	case l.Lifecycle != "":
		return l.Lifecycle
	case !l.Enabled:
		return "retired"
	}
	return "active"
}
