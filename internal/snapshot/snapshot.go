// Package snapshot is the recorded state of one environment: the canonical
// resources last applied, in the JSON document stored on the state branch
// at <env>/snapshot.json. Secrets never appear in it, only placeholders.
package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/honua-io/honua-gitops/internal/resource"
)

// FormatVersion is the version of the snapshot document.
const FormatVersion = 1

// Snapshot is what was applied to an environment.
type Snapshot struct {
	FormatVersion int                  `json:"formatVersion"`
	Environment   string               `json:"environment"`
	Resources     []*resource.Resource `json:"resources"`
	// Observed are resources imported as observed, not owned (import
	// --observe): in the document they are entries of "resources" with
	// "ownership": "observed". Nothing ever writes or deletes them.
	Observed []*resource.Resource `json:"-"`
	// Adopted marks, by identity key, owned resources the repository took
	// over by import rather than created ("ownership": "adopted"): their
	// server copies may carry no ownership marks, and are still its own.
	Adopted map[resource.Identity]bool `json:"-"`
}

// Ownership values of a snapshot entry; an entry without the key is owned.
const (
	ownershipKey      = "ownership"
	OwnershipObserved = "observed"
	OwnershipAdopted  = "adopted"
)

// New returns a snapshot of resources, sorted by identity.
func New(environment string, rs []*resource.Resource) *Snapshot {
	s := &Snapshot{FormatVersion: FormatVersion, Environment: environment, Resources: slices.Clone(rs)}
	s.sort()
	return s
}

func (s *Snapshot) sort() {
	byID := func(a, b *resource.Resource) int { return a.ID().Compare(b.ID()) }
	slices.SortFunc(s.Resources, byID)
	slices.SortFunc(s.Observed, byID)
}

// Parse reads a snapshot document. Numbers are normalised and server-owned
// fields dropped, exactly as for any other resource source.
func Parse(data []byte) (*Snapshot, error) {
	v, err := resource.DecodeJSON(data)
	if err != nil {
		return nil, fmt.Errorf("snapshot is not valid JSON: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("snapshot must be a JSON object")
	}
	s := &Snapshot{}
	switch fv := obj["formatVersion"].(type) {
	case int64:
		s.FormatVersion = int(fv)
	default:
		return nil, fmt.Errorf("snapshot has no formatVersion")
	}
	if s.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("snapshot formatVersion %d is not supported (this version reads %d); upgrade honua-gitops", s.FormatVersion, FormatVersion)
	}
	s.Environment, _ = obj["environment"].(string)
	list, _ := obj["resources"].([]any)
	seen := map[resource.Identity]bool{}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("snapshot resources[%d] is not an object", i)
		}
		ownership, _ := m[ownershipKey].(string)
		if _, has := m[ownershipKey]; has && ownership != OwnershipObserved && ownership != OwnershipAdopted {
			return nil, fmt.Errorf("snapshot resources[%d]: ownership %v is not %q or %q", i, m[ownershipKey], OwnershipObserved, OwnershipAdopted)
		}
		delete(m, ownershipKey)
		r, err := resource.FromObject(m)
		if err != nil {
			return nil, fmt.Errorf("snapshot resources[%d]: %w", i, err)
		}
		if seen[r.ID().Key()] {
			return nil, fmt.Errorf("snapshot lists %s twice", r.ID())
		}
		seen[r.ID().Key()] = true
		switch ownership {
		case OwnershipObserved:
			s.Observed = append(s.Observed, r)
			continue
		case OwnershipAdopted:
			if s.Adopted == nil {
				s.Adopted = map[resource.Identity]bool{}
			}
			s.Adopted[r.ID().Key()] = true
		}
		s.Resources = append(s.Resources, r)
	}
	s.sort()
	return s, nil
}

// Marshal encodes the snapshot as indented JSON with sorted keys, so that
// the state branch shows small, readable diffs.
func (s *Snapshot) Marshal() ([]byte, error) {
	s.sort()
	objs := make([]any, 0, len(s.Resources)+len(s.Observed))
	for _, r := range s.Resources {
		o := r.Object()
		if s.Adopted[r.ID().Key()] {
			o[ownershipKey] = OwnershipAdopted
		}
		objs = append(objs, o)
	}
	for _, r := range s.Observed {
		o := r.Object()
		o[ownershipKey] = OwnershipObserved
		objs = append(objs, o)
	}
	doc := map[string]any{"formatVersion": int64(s.FormatVersion), "environment": s.Environment, "resources": objs}
	canon, err := resource.CanonicalJSON(doc)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, canon, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
