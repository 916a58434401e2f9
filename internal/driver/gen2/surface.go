package gen2

import (
	"fmt"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/apply"
	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// notPossible is the note for what a Generation 2 server cannot hold.
const notPossible = "not possible on Generation 2 servers (kept in git, never written)"

// kept lists, per kind, the spec keys a Generation 2 server holds (see
// mapping.md); every other key is a note.
var kept = map[string][]string{
	"Service":      {"protocols", "enabledProtocols", "accessPolicy"},
	"Connection":   {"name", "description", "provider", "host", "port", "databaseName", "username", "password", "secretReference", "secretType", "sslRequired", "sslMode", "isActive"},
	"Layer":        {"serviceId", "connectionId", "schemaName", "tableName", "geometryColumn", "geometryType", "srid", "primaryKey", "enabled", "fields", "permanentFilter", "popupInfo", "drawingInfo"},
	"Style":        {"layerId", "isDefault", "style", "mapLibreStyle"},
	"Relationship": {"originLayerId", "relatedLayerId", "name", "description", "relationshipType", "originForeignKey", "destinationForeignKey", "role", "composite", "esriRelationshipId"},
}

// fieldKeys are the members of a Layer field the fields facet holds.
var fieldKeys = []string{"name", "alias", "domain", "hidden"}

// Representable returns the part of r a Generation 2 server holds, in the
// form compared with live state: protocol names in Generation 2's
// spelling (sorted: the server keeps a set), SSL modes as the server
// spells them, filter languages canonical, a style's spec.mapLibreStyle
// as spec.style. Labels and annotations stay in git. Kinds with no
// Generation 2 surface (MapTemplate, Theme) and non-default styles are
// left out, with a note.
func (d *Driver) Representable(r *resource.Resource) (*resource.Resource, []string) {
	id := r.ID()
	keys, ok := kept[r.Kind]
	if !ok {
		return nil, []string{fmt.Sprintf("%s: %s has no Generation 2 surface: %s.", id, r.Kind, notPossible)}
	}
	if r.Kind == "Style" && r.Spec["isDefault"] != true {
		return nil, []string{fmt.Sprintf("%s: only a layer's default style (isDefault: true) is an OGC style on Generation 2; other styles are %s.", id, notPossible)}
	}
	out := &resource.Resource{APIVersion: r.APIVersion, Kind: r.Kind, Metadata: resource.Metadata{Name: r.Metadata.Name, Namespace: r.Metadata.Namespace}, Spec: map[string]any{}}
	var dropped []string
	for k, v := range r.Spec {
		if slices.Contains(keys, k) {
			out.Spec[k] = resource.Clone(v)
		} else {
			dropped = append(dropped, "spec."+k)
		}
	}
	switch r.Kind {
	case "Service":
		if v, ok := out.Spec["enabledProtocols"]; ok {
			if _, both := out.Spec["protocols"]; !both {
				out.Spec["protocols"] = v
			}
			delete(out.Spec, "enabledProtocols")
		}
		if v, ok := out.Spec["protocols"]; ok {
			names, unknown := protocols(v)
			all := make([]any, 0, len(names)+len(unknown))
			for _, n := range names {
				all = append(all, n)
			}
			for _, u := range unknown {
				all = append(all, u)
			}
			out.Spec["protocols"] = all
		}
	case "Connection":
		if _, ok := out.Spec["name"]; !ok {
			out.Spec["name"] = r.Metadata.Name
		}
		if s, ok := out.Spec["sslMode"].(string); ok {
			out.Spec["sslMode"] = canonicalSSLMode(s)
		}
	case "Layer":
		if fields, ok := out.Spec["fields"].([]any); ok {
			dropped = append(dropped, fieldsDropped(fields)...)
			out.Spec["fields"] = keepFieldKeys(fields)
		}
		if f, ok := out.Spec["permanentFilter"].(map[string]any); ok {
			lang, _ := f["language"].(string)
			if c, known := filterLanguages[strings.ToLower(lang)]; known {
				f["language"] = c
			}
		}
	case "Style":
		if v, ok := out.Spec["mapLibreStyle"]; ok {
			if _, both := out.Spec["style"]; !both {
				out.Spec["style"] = v
			}
			delete(out.Spec, "mapLibreStyle")
		}
	}
	if len(dropped) == 0 {
		return out, nil
	}
	slices.Sort(dropped)
	return out, []string{fmt.Sprintf("%s: %s %s.", id, strings.Join(slices.Compact(dropped), ", "), notPossible)}
}

func keepFieldKeys(fields []any) []any {
	out := make([]any, 0, len(fields))
	for _, f := range fields {
		m, ok := f.(map[string]any)
		if !ok {
			continue
		}
		k := map[string]any{}
		for _, key := range fieldKeys {
			if v, ok := m[key]; ok {
				k[key] = v
			}
		}
		out = append(out, k)
	}
	return out
}

// fieldsDropped names the field members the fields facet does not hold
// (a field's type comes from its table column).
func fieldsDropped(fields []any) []string {
	var out []string
	for _, f := range fields {
		m, _ := f.(map[string]any)
		for k := range m {
			if !slices.Contains(fieldKeys, k) {
				out = append(out, "spec.fields[]."+k)
			}
		}
	}
	return out
}

// Adopts reports whether a live object of kind that the repository
// declares is taken over by the first apply: Services and Connections
// already exist on every Generation 2 server.
func (d *Driver) Adopts(kind string) bool { return kind == "Service" || kind == "Connection" }

// Blockers says why a change cannot be made on a Generation 2 server.
func (d *Driver) Blockers(c plan.Change, desired, recorded *resource.Resource, live *apply.LiveObject, restore []apply.Prior) []string {
	var l *resource.Resource
	if live != nil {
		l = live.Resource
	}
	switch {
	case c.Action == plan.Delete && l == nil:
		return nil // already gone: only the record changes
	case c.Action == plan.Delete && restores(c.Kind, restore):
		return nil // a rollback restores the prior values instead
	case c.Action == plan.Delete:
		return deleteBlockers(c.Kind)
	}
	var out []string
	switch c.Kind {
	case "Layer":
		if l != nil {
			for _, k := range []string{"serviceId", "connectionId", "schemaName", "tableName", "geometryType", "srid", "primaryKey"} {
				if want, ok := desired.Spec[k]; ok && !sameScalar(want, l.Spec[k]) {
					out = append(out, fmt.Sprintf("spec.%s cannot change after the layer is published (live %v, git %v): publish a new layer under a new name, move its style and relationships to it, then remove this one from git (Generation 2 disables it)", k, l.Spec[k], want))
				}
			}
		}
	case "Connection":
		if l != nil {
			for _, k := range []string{"name", "provider"} {
				if want, ok := desired.Spec[k]; ok && !strings.EqualFold(fmt.Sprint(want), fmt.Sprint(l.Spec[k])) {
					out = append(out, fmt.Sprintf("spec.%s cannot change on a Generation 2 connection (live %v, git %v): recreate needed — create a connection under the new settings by hand, move the layers, then update git", k, l.Spec[k], want))
				}
			}
		}
		if recorded != nil {
			for _, k := range []string{"secretReference", "secretType"} {
				if fmt.Sprint(recorded.Spec[k]) != fmt.Sprint(desired.Spec[k]) && (recorded.Spec[k] != nil || desired.Spec[k] != nil) && desired.Spec["password"] == nil {
					out = append(out, fmt.Sprintf("spec.%s cannot change after a Generation 2 connection is created: recreate needed — or set spec.password, which replaces the secret reference", k))
				}
			}
		}
	case "Service":
		if other := d.sameNamedService(desired); other != "" {
			out = append(out, fmt.Sprintf("%s has the same name: a Generation 2 server knows a service by its name alone (namespaces are a repository grouping it does not have), so both would be one service; rename one", other))
		}
		if l == nil && !d.publishesInto(desired) {
			out = append(out, "Generation 2 creates a service only by publishing its first layer, and no Layer of this environment publishes into it: add one (spec.serviceId), or create the service on the server")
		}
	case "Style":
		out = append(out, styleBlockers(desired)...)
	}
	return out
}

// sameNamedService returns another desired Service whose name matches r's
// as the server matches names (case-insensitively), or "".
func (d *Driver) sameNamedService(r *resource.Resource) string {
	if r == nil {
		return ""
	}
	d.mu.Lock()
	x := d.index
	d.mu.Unlock()
	var others []string
	for id, o := range x.desired {
		if o.Kind == "Service" && id != r.ID().Key() && strings.EqualFold(o.Metadata.Name, r.Metadata.Name) {
			others = append(others, o.ID().String())
		}
	}
	slices.Sort(others)
	return strings.Join(others, ", ")
}

func deleteBlockers(kind string) []string {
	switch kind {
	case "Layer", "Connection", "Relationship":
		return nil
	case "Service":
		return []string{"Generation 2 cannot delete a service: put it back in git, or delete it on the server by hand (then applying only updates the record)"}
	case "Style":
		return []string{"Generation 2 cannot remove a layer's default style: put it back in git, or restyle the layer in git instead"}
	}
	return []string{"Generation 2 cannot delete a " + kind}
}

// sameScalar compares two scalar spec values, case-insensitively for
// strings (the server canonicalises names such as geometry types).
func sameScalar(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		return strings.EqualFold(as, bs)
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}
