package resource

import "strings"

// Annotations the tool stamps or reads. The prefix is the tool's own; Honua's
// annotations use honua.io/.
const (
	// AnnotationManagedBy marks resources this tool applied; only they are
	// ever deleted by apply.
	AnnotationManagedBy = "gitops.honua.io/managed-by"
	// ManagedByValue is the value of AnnotationManagedBy.
	ManagedByValue = "honua-gitops"
	// AnnotationEnvironment records which environment applied the resource.
	AnnotationEnvironment = "gitops.honua.io/environment"
	// AnnotationExclude in an environment file removes the common resource
	// with the same identity from that environment.
	AnnotationExclude = "gitops.honua.io/exclude"
	// AnnotationAdopt "true" on a resource imported as observed (import
	// --observe) makes the repository own it: the next apply writes what
	// git declares and records it as owned.
	AnnotationAdopt = "gitops.honua.io/adopt"
	// AnnotationLastAppliedHash is stamped by Honua's manifest apply.
	AnnotationLastAppliedHash = "honua.io/last-applied-manifest-hash"
	// AnnotationUpConvertedFrom is stamped by Honua when it up-converts an
	// older apiVersion.
	AnnotationUpConvertedFrom = "honua.io/up-converted-from"
)

// Adopts reports whether r carries AnnotationAdopt "true".
func Adopts(r *Resource) bool {
	return strings.EqualFold(r.Metadata.Annotations[AnnotationAdopt], "true")
}

// IsServerOwnedAnnotation reports annotations that the server or this tool
// stamps; comparisons ignore them.
func IsServerOwnedAnnotation(key string) bool {
	switch key {
	case AnnotationLastAppliedHash, AnnotationUpConvertedFrom, AnnotationManagedBy, AnnotationEnvironment:
		return true
	}
	return strings.HasPrefix(key, "gitops.honua.io/state-")
}

// ServerOwnedMetadata are metadata keys the server sets; users' files may
// carry them (an exported manifest does) and they are dropped.
var ServerOwnedMetadata = []string{"id", "resourceVersion", "generation", "createdAt", "updatedAt", "uid", "creationTimestamp"}

// IsServerOwnedMetadata reports whether a metadata key is server-owned.
func IsServerOwnedMetadata(key string) bool {
	for _, k := range ServerOwnedMetadata {
		if k == key {
			return true
		}
	}
	return false
}
