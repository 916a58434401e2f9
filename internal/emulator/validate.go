package emulator

import (
	"encoding/json"
	"fmt"
	"strings"
)

// inputResource is a resource as a client sends it. Server-owned fields
// (metadata.id, generation, timestamps, status) are accepted in any shape and
// ignored; resourceVersion must be a string when present, as in Honua, where
// a number fails model binding (Appendix B.8).
type inputResource struct {
	APIVersion *string         `json:"apiVersion"`
	Kind       *string         `json:"kind"`
	Metadata   *inputMeta      `json:"metadata"`
	Spec       json.RawMessage `json:"spec"`
	Status     json.RawMessage `json:"status"`
}

type inputMeta struct {
	ID              json.RawMessage   `json:"id"`
	Name            *string           `json:"name"`
	Namespace       *string           `json:"namespace"`
	Labels          map[string]string `json:"labels"`
	Annotations     map[string]string `json:"annotations"`
	ResourceVersion *string           `json:"resourceVersion"`
	Generation      json.RawMessage   `json:"generation"`
	CreatedAt       json.RawMessage   `json:"createdAt"`
	UpdatedAt       json.RawMessage   `json:"updatedAt"`
}

// validationError is a shallow-validation failure, answered with 400.
type validationError struct {
	msg string
}

func (e *validationError) Error() string { return e.msg }

func invalid(format string, args ...any) error {
	return &validationError{msg: fmt.Sprintf(format, args...)}
}

// validateResource performs Honua's shallow validation: apiVersion
// (v1alpha0 is up-converted), a known kind (matched case-insensitively but
// kept as sent), metadata.name, spec an object, and the required spec keys
// of the kind. Nothing more is checked.
func validateResource(in *inputResource) (DeclaredResource, error) {
	if in == nil {
		return DeclaredResource{}, invalid("resource must be a JSON object.")
	}
	if in.APIVersion == nil || *in.APIVersion == "" {
		return DeclaredResource{}, invalid("apiVersion is required.")
	}
	upConvertedFrom := ""
	switch strings.ToLower(*in.APIVersion) {
	case APIVersion:
	case APIVersionV1Alpha0:
		upConvertedFrom = APIVersionV1Alpha0
	default:
		return DeclaredResource{}, invalid("Unsupported apiVersion '%s'.", *in.APIVersion)
	}
	if in.Kind == nil || *in.Kind == "" {
		return DeclaredResource{}, invalid("kind is required.")
	}
	kind, ok := canonicalKind(*in.Kind)
	if !ok {
		return DeclaredResource{}, invalid("Unsupported kind '%s'.", *in.Kind)
	}
	if in.Metadata == nil || in.Metadata.Name == nil || *in.Metadata.Name == "" {
		return DeclaredResource{}, invalid("metadata.name is required.")
	}
	spec, err := parseObject(in.Spec)
	if err != nil {
		return DeclaredResource{}, invalid("spec must be a JSON object.")
	}
	for _, key := range requiredSpecKeys(kind) {
		if _, present := spec[key]; !present {
			return DeclaredResource{}, invalid("spec.%s is required for kind %s.", key, kind)
		}
	}
	canonical, err := canonicalJSON(spec)
	if err != nil {
		return DeclaredResource{}, invalid("spec: %v.", err)
	}
	namespace := DefaultNamespace
	if in.Metadata.Namespace != nil {
		namespace = *in.Metadata.Namespace // "" stays "" for lookups (Appendix B.4)
	}
	annotations := cloneMap(in.Metadata.Annotations)
	if upConvertedFrom != "" {
		annotations[AnnotationUpConvertedFrom] = upConvertedFrom
	}
	return DeclaredResource{
		APIVersion: APIVersion,
		Kind:       *in.Kind,
		Metadata: DeclaredMeta{
			Name:        *in.Metadata.Name,
			Namespace:   namespace,
			Labels:      cloneMap(in.Metadata.Labels),
			Annotations: annotations,
		},
		Spec: canonical,
	}, nil
}

// storedSpec returns the spec as the store keeps it, numbers normalised.
func storedSpec(d DeclaredResource) (json.RawMessage, error) {
	obj, err := parseObject(d.Spec)
	if err != nil {
		return nil, err
	}
	return canonicalJSON(normalizeNumbers(obj))
}
