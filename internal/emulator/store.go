package emulator

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Store errors, mapped to HTTP answers or apply skip messages by callers.
var (
	errExists   = errors.New("resource already exists")
	errNotFound = errors.New("resource not found")
	errConflict = errors.New("resource version conflict")
)

// storeKey is the store's uniqueness key. Honua's unique index ignores the
// kind's case, while its lookups compare the kind exactly: so "layer/x" is
// never found when "Layer/x" is stored, and creating it collides with
// "Resource already exists." (Appendix B.2).
type storeKey struct {
	kind, namespace, name string
}

func keyOf(id Identity) storeKey {
	return storeKey{kind: strings.ToLower(id.Kind), namespace: id.Namespace, name: id.Name}
}

// store is the server's state: resources, manifest versions and pending
// approvals, guarded by one mutex.
type store struct {
	mu        sync.Mutex
	now       func() time.Time
	sequence  uint64
	resources map[storeKey]*Resource
	versions  []ManifestVersion // oldest first
	pending   map[string]*pendingChange
	dirty     bool
}

func newStore(now func() time.Time) *store {
	return &store{
		now:       now,
		resources: map[storeKey]*Resource{},
		pending:   map[string]*pendingChange{},
	}
}

// nextVersion returns a fresh resourceVersion; the caller holds mu.
func (s *store) nextVersion() string {
	s.sequence++
	return strconv.FormatUint(s.sequence, 10)
}

// lookupLocked finds a resource by exact identity; the caller holds mu.
func (s *store) lookupLocked(id Identity) *Resource {
	r := s.resources[keyOf(id)]
	if r == nil || r.Kind != id.Kind {
		return nil
	}
	return r
}

// get returns a copy of the resource with exactly this identity.
func (s *store) get(id Identity) (Resource, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookupLocked(id)
	if r == nil {
		return Resource{}, false
	}
	return r.clone(), true
}

// list returns copies of the resources matching kind and namespace exactly
// (an empty filter matches everything), in identity order.
func (s *store) list(kind, namespace string) []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Resource, 0, len(s.resources))
	for _, r := range s.resources {
		if (kind == "" || r.Kind == kind) && (namespace == "" || r.Metadata.Namespace == namespace) {
			out = append(out, r.clone())
		}
	}
	sortResources(out)
	return out
}

// insert stores a new resource built from d with the given extra
// annotations, and returns a copy.
func (s *store) insert(d DeclaredResource, spec []byte, annotations map[string]string) (Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := Identity{Kind: d.Kind, Namespace: storedNamespace(d.Metadata.Namespace), Name: d.Metadata.Name}
	if _, taken := s.resources[keyOf(id)]; taken {
		return Resource{}, errExists
	}
	now := s.now().UTC()
	r := &Resource{
		APIVersion: d.APIVersion,
		Kind:       d.Kind,
		Metadata: ObjectMeta{
			ID:              newID(),
			Name:            id.Name,
			Namespace:       id.Namespace,
			Labels:          cloneMap(d.Metadata.Labels),
			Annotations:     cloneMap(annotations),
			ResourceVersion: s.nextVersion(),
			Generation:      1,
			CreatedAt:       now,
			UpdatedAt:       now,
		},
		Spec:   spec,
		Status: ResourceStatus{Phase: "Ready", ObservedGeneration: 1},
	}
	s.resources[keyOf(id)] = r
	s.dirty = true
	return r.clone(), nil
}

// replace overwrites the user-authored fields of the resource with exactly
// this identity, if its resourceVersion is still expected, and returns a
// copy. Labels and annotations are replaced wholesale.
func (s *store) replace(id Identity, expected string, d DeclaredResource, spec []byte, annotations map[string]string) (Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookupLocked(id)
	if r == nil {
		return Resource{}, errNotFound
	}
	if r.Metadata.ResourceVersion != expected {
		return Resource{}, errConflict
	}
	r.APIVersion = d.APIVersion
	r.Metadata.Labels = cloneMap(d.Metadata.Labels)
	r.Metadata.Annotations = cloneMap(annotations)
	r.Spec = spec
	r.Metadata.ResourceVersion = s.nextVersion()
	r.Metadata.Generation++
	r.Metadata.UpdatedAt = s.now().UTC()
	r.Status = ResourceStatus{Phase: "Ready", ObservedGeneration: r.Metadata.Generation}
	s.dirty = true
	return r.clone(), nil
}

// remove deletes the resource with exactly this identity if its
// resourceVersion is still expected.
func (s *store) remove(id Identity, expected string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookupLocked(id)
	if r == nil {
		return errNotFound
	}
	if r.Metadata.ResourceVersion != expected {
		return errConflict
	}
	delete(s.resources, keyOf(id))
	s.dirty = true
	return nil
}

// addVersion records a manifest version.
func (s *store) addVersion(v ManifestVersion) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.versions = append(s.versions, v)
	s.dirty = true
}

// latestVersion returns the newest manifest version, if any.
func (s *store) latestVersion() (ManifestVersion, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.versions) == 0 {
		return ManifestVersion{}, false
	}
	return s.versions[len(s.versions)-1], true
}

// versionPage returns up to limit versions, newest first, after skipping
// offset of them.
func (s *store) versionPage(limit, offset int) []VersionSummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []VersionSummary{}
	for i := len(s.versions) - 1 - offset; i >= 0 && len(out) < limit; i-- {
		out = append(out, s.versions[i].VersionSummary)
	}
	return out
}

// version returns one manifest version by id.
func (s *store) version(id string) (ManifestVersion, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.versions {
		if strings.EqualFold(v.VersionID, id) {
			return v, true
		}
	}
	return ManifestVersion{}, false
}
