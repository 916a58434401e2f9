package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// GET /metadata/layers/{layerId}/validation compares a layer's metadata
// with its storage table, as LayerValidationService does (check codes
// catalog-layer, permanent-filter, storage-mapping, storage-table,
// primary-key-column, geometry-column, storage-srid, declared-field). It
// is read-only: no revision.

type g2ValidationCheck struct {
	Code     string  `json:"code"`
	Severity string  `json:"severity"`
	Message  string  `json:"message"`
	Expected *string `json:"expected"`
	Actual   *string `json:"actual"`
}

type g2ValidationView struct {
	LayerID       int                 `json:"layerId"`
	LayerName     string              `json:"layerName"`
	Status        string              `json:"status"`
	IsValid       bool                `json:"isValid"`
	StorageSchema *string             `json:"storageSchema"`
	StorageTable  *string             `json:"storageTable"`
	CheckedAt     time.Time           `json:"checkedAt"`
	Checks        []g2ValidationCheck `json:"checks"`
}

func strp(s string) *string { return &s }

func (s *Server) handleGen2GetValidation(w http.ResponseWriter, _ *http.Request, p params) {
	s.readLayer(w, p, func(id int, l *g2Layer) any { return s.gen2.validateLayer(l, s.now()) })
}

// validateLayer runs the checks. The caller holds mu.
func (g *gen2Store) validateLayer(l *g2Layer, now time.Time) g2ValidationView {
	var checks []g2ValidationCheck
	add := func(code, sev, msg string, exp, act *string) {
		checks = append(checks, g2ValidationCheck{Code: code, Severity: sev, Message: msg, Expected: exp, Actual: act})
	}
	add("catalog-layer", "pass", fmt.Sprintf("Layer %d exists in the metadata v2 graph.", l.LayerID), nil, nil)
	if f := l.PermanentFilter; f == nil {
		add("permanent-filter", "pass", "No permanent layer filter is configured.", nil, nil)
	} else {
		var names []string
		for _, fl := range l.Fields {
			names = append(names, fl.Name)
		}
		if msg := validateFilter(f.Language, f.Expression, names); msg != "" {
			add("permanent-filter", "error", "Saved permanent filter is invalid.", strp(f.Expression), strp(msg))
		} else {
			add("permanent-filter", "pass", "Saved permanent layer filter is valid.", strp(f.Expression), strp(f.Language))
		}
	}
	out := g2ValidationView{LayerID: l.LayerID, LayerName: l.LayerName, CheckedAt: now.UTC()}
	pk := cmpOr(l.PrimaryKey, "objectid")
	var geomField *g2Field
	for _, f := range l.Fields {
		if f.Geometry {
			geomField = f
		}
	}
	qualified := l.Schema + "." + l.Table
	out.StorageSchema, out.StorageTable = strp(l.Schema), strp(l.Table)
	add("storage-mapping", "pass", fmt.Sprintf("Layer is mapped to '%s'.", qualified), nil, nil)
	t := g.layerTable(l)
	if t == nil {
		add("storage-table", "error", "Mapped storage table was not found or no longer exposes a geometry column.", strp(qualified), nil)
	} else {
		add("storage-table", "pass", fmt.Sprintf("Mapped storage table '%s.%s' is discoverable.", t.Schema, t.Table), nil, nil)
		col := func(name string) *Gen2SeedColumn {
			for i := range t.Columns {
				if strings.EqualFold(t.Columns[i].Name, name) {
					return &t.Columns[i]
				}
			}
			return nil
		}
		if c := col(pk); c == nil {
			add("primary-key-column", "error", "Mapped primary key column is missing from the storage table.", strp(pk), nil)
		} else {
			add("primary-key-column", "pass", fmt.Sprintf("Primary key column '%s' exists.", c.Name), nil, nil)
		}
		switch {
		case geomField == nil && l.GeometryType == "":
			add("geometry-column", "pass", "Layer is non-spatial.", nil, nil)
		case geomField == nil:
			add("geometry-column", "error", "Layer is spatial but does not define a mapped geometry column.", nil, nil)
		case t.GeometryColumn == "":
			add("geometry-column", "error", "Storage table no longer exposes a geometry column.", strp(geomField.Name), nil)
		case !strings.EqualFold(t.GeometryColumn, geomField.Name):
			add("geometry-column", "error", "Storage table geometry column does not match layer metadata.", strp(geomField.Name), strp(t.GeometryColumn))
		default:
			add("geometry-column", "pass", fmt.Sprintf("Geometry column '%s' exists.", t.GeometryColumn), nil, nil)
		}
		switch {
		case l.Srid <= 0:
			var act *string
			if t.Srid > 0 {
				act = strp(strconv.Itoa(t.Srid))
			}
			add("storage-srid", "warning", "Layer metadata does not define an expected storage SRID.", nil, act)
		case t.Srid <= 0:
			add("storage-srid", "error", "Storage table does not report a valid SRID.", strp(strconv.Itoa(l.Srid)), nil)
		case t.Srid != l.Srid:
			add("storage-srid", "error", "Storage table SRID does not match layer storage metadata.", strp(strconv.Itoa(l.Srid)), strp(strconv.Itoa(t.Srid)))
		default:
			add("storage-srid", "pass", fmt.Sprintf("Storage SRID %d matches layer metadata.", t.Srid), nil, nil)
		}
		for _, f := range l.Fields {
			if f.Geometry {
				continue
			}
			if col(f.Name) != nil {
				add("declared-field", "pass", fmt.Sprintf("Declared field '%s' exists.", f.Name), strp(f.Name), strp(f.Name))
			} else {
				add("declared-field", "error", fmt.Sprintf("Declared field '%s' is missing from the storage table.", f.Name), strp(f.Name), nil)
			}
		}
	}
	out.Status = "valid"
	for _, c := range checks {
		if c.Severity == "error" {
			out.Status = "invalid"
			break
		}
		if c.Severity == "warning" {
			out.Status = "warning"
		}
	}
	out.IsValid = out.Status != "invalid"
	out.Checks = checks
	return out
}
