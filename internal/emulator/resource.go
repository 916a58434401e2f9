package emulator

import (
	"encoding/json"
	"maps"
	"strings"
	"time"
)

// Wire constants of the Generation 1 resource model (ADR-0023).
const (
	// APIVersion is the only resource apiVersion Honua stores.
	APIVersion = "honua.io/v1alpha1"
	// APIVersionV1Alpha0 is accepted and up-converted to APIVersion.
	APIVersionV1Alpha0 = "honua.io/v1alpha0"
	// DefaultNamespace is the namespace of a resource sent without one.
	DefaultNamespace = "default"
	// AnnotationLastAppliedHash holds the spec hash of the last manifest
	// apply that wrote the resource.
	AnnotationLastAppliedHash = "honua.io/last-applied-manifest-hash"
	// AnnotationUpConvertedFrom records the apiVersion a resource was
	// up-converted from.
	AnnotationUpConvertedFrom = "honua.io/up-converted-from"
)

// Resource is a stored resource as the server returns it: the user-authored
// envelope plus the server-owned metadata fields and status.
type Resource struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   ObjectMeta      `json:"metadata"`
	Spec       json.RawMessage `json:"spec"`
	Status     ResourceStatus  `json:"status"`
}

// ObjectMeta is a stored resource's metadata. ID, ResourceVersion,
// Generation, CreatedAt and UpdatedAt are owned by the server.
type ObjectMeta struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Namespace       string            `json:"namespace"`
	Labels          map[string]string `json:"labels"`
	Annotations     map[string]string `json:"annotations"`
	ResourceVersion string            `json:"resourceVersion"`
	Generation      int64             `json:"generation"`
	CreatedAt       time.Time         `json:"createdAt"`
	UpdatedAt       time.Time         `json:"updatedAt"`
}

// ResourceStatus is the server-owned status. Honua compiles resources into
// its runtime configuration; the emulator has no compile step and always
// reports the resource as ready.
type ResourceStatus struct {
	Phase              string `json:"phase"`
	ObservedGeneration int64  `json:"observedGeneration"`
}

// Identity returns the stored identity of the resource.
func (r *Resource) Identity() Identity {
	return Identity{Kind: r.Kind, Namespace: r.Metadata.Namespace, Name: r.Metadata.Name}
}

// clone returns a deep copy, so callers never share maps with the store.
func (r *Resource) clone() Resource {
	c := *r
	c.Metadata.Labels = cloneMap(r.Metadata.Labels)
	c.Metadata.Annotations = cloneMap(r.Metadata.Annotations)
	c.Spec = append(json.RawMessage(nil), r.Spec...)
	return c
}

// DeclaredResource is a validated resource as a client declared it: the
// user-authored fields only, apiVersion up-converted, kind as sent, the
// namespace Honua looks it up with, and the spec in canonical form with
// numbers exactly as written. Stored manifest versions and pending approvals
// keep their resources in this form.
type DeclaredResource struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   DeclaredMeta    `json:"metadata"`
	Spec       json.RawMessage `json:"spec"`
}

// DeclaredMeta is the user-authored part of a resource's metadata.
type DeclaredMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// Identity returns the identity Honua uses to look the declared resource up.
func (d *DeclaredResource) Identity() Identity {
	return Identity{Kind: d.Kind, Namespace: d.Metadata.Namespace, Name: d.Metadata.Name}
}

// storedNamespace is the namespace the store writes: Honua looks a resource
// with namespace "" up as "" but stores it as "default" (Appendix B.4).
func storedNamespace(ns string) string {
	if ns == "" {
		return DefaultNamespace
	}
	return ns
}

// ResourceKinds returns the kinds this emulator serves, in the order the
// capabilities document lists them.
func ResourceKinds() []string {
	return []string{"Service", "Layer", "Relationship", "Style", "Connection", "MapTemplate", "Theme"}
}

// canonicalKind returns the canonical spelling of a kind matched
// case-insensitively, and whether it is known.
func canonicalKind(kind string) (string, bool) {
	for _, k := range ResourceKinds() {
		if strings.EqualFold(k, kind) {
			return k, true
		}
	}
	return "", false
}

// requiredSpecKeys lists the spec keys shallow validation requires per
// canonical kind.
func requiredSpecKeys(kind string) []string {
	switch kind {
	case "Service":
		return []string{"description", "srid"}
	case "Layer":
		return []string{"tableName", "schemaName", "geometryType", "srid"}
	case "Relationship":
		return []string{"originLayerId", "relatedLayerId", "name", "relationshipType", "originForeignKey", "destinationForeignKey"}
	case "Style":
		return []string{"layerId", "style"}
	case "Connection":
		return []string{"name", "host", "databaseName"}
	case "MapTemplate":
		return []string{"name", "category"}
	case "Theme":
		return []string{"name"}
	}
	return nil
}

// cloneMap copies a string map, turning nil into an empty map so the wire
// form always carries an object.
func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}
