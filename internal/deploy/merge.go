package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// ErrMergeConflict reports a state-branch file that the local and the
// remote branch changed in ways that cannot be combined.
var ErrMergeConflict = errors.New("conflicting changes")

// MergeFile combines a state-branch file that both the local branch (ours:
// unpushed commits being replayed, so the newer) and the remote (theirs)
// changed since base; nil data is an absent file and a nil result deletes
// it. It has the signature of statebranch.Options.Merge.
//
// One side unchanged, or both changed alike, is no conflict for any file.
// Otherwise recent.json lists are united and index.json counts and latest
// deployments combined; a deployment record, claim, hold or snapshot changed
// differently on both sides is an ErrMergeConflict, as is any file outside
// the layout.
func MergeFile(path string, base, ours, theirs []byte) ([]byte, error) {
	switch {
	case same(ours, base):
		return theirs, nil
	case same(theirs, base), same(ours, theirs):
		return ours, nil
	}
	env, name, _ := strings.Cut(path, "/")
	switch {
	case name == "recent.json" && ours != nil && theirs != nil:
		return mergeRecent(path, base, ours, theirs)
	case name == "index.json" && ours != nil && theirs != nil:
		return mergeIndex(path, base, ours, theirs)
	case name == "snapshot.json", name == "claim.json", name == "hold.json":
		return nil, fmt.Errorf("%w: both the local and the remote state branch recorded a deployment of %s (%s differs)", ErrMergeConflict, env, name)
	case strings.HasPrefix(name, "deployments/"):
		id := strings.TrimSuffix(name[strings.LastIndexByte(name, '/')+1:], ".json")
		return nil, fmt.Errorf("%w: deployment %s of %s was recorded differently on the local and the remote state branch", ErrMergeConflict, id, env)
	}
	return nil, fmt.Errorf("%w to %s, which is not a state-branch file honua-gitops can combine", ErrMergeConflict, path)
}

// same compares file contents, an absent file (nil) differing from an empty
// one.
func same(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

func decode[T any](path, side string, data []byte, v *T) error {
	if data == nil {
		return nil // absent: the zero value
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s on the %s state branch is not valid: %w", path, side, err)
	}
	return nil
}

// mergeRecent unites the two lists by id: the deployments only ours has go
// in front (replayed, they land after theirs), then theirs in their order,
// each the newer of the two versions where both have it; capped at
// MaxRecent.
func mergeRecent(path string, baseData, oursData, theirsData []byte) ([]byte, error) {
	var base, ours, theirs Recent
	for _, d := range []struct {
		side string
		data []byte
		v    *Recent
	}{{"common", baseData, &base}, {"local", oursData, &ours}, {"remote", theirsData, &theirs}} {
		if err := decode(path, d.side, d.data, d.v); err != nil {
			return nil, err
		}
	}
	byID := func(list []Summary) map[string]Summary {
		m := make(map[string]Summary, len(list))
		for _, s := range list {
			m[s.ID] = s
		}
		return m
	}
	inBase, inOurs, inTheirs := byID(base.Deployments), byID(ours.Deployments), byID(theirs.Deployments)
	var list []Summary
	for _, s := range ours.Deployments {
		_, known := inTheirs[s.ID]
		_, old := inBase[s.ID] // theirs dropped it off the end of the list
		if !known && !old {
			list = append(list, s)
		}
	}
	for _, t := range theirs.Deployments {
		if o, ok := inOurs[t.ID]; ok {
			t = pick(inBase[t.ID], o, t)
		}
		list = append(list, t)
	}
	if len(list) > MaxRecent {
		list = list[:MaxRecent]
	}
	out := theirs
	out.Deployments = list
	return Encode(out)
}

// mergeIndex combines two indexes: the count grows by the deployments ours
// added since base, and the latest and deployed summaries are ours where
// ours recorded a newer deployment.
func mergeIndex(path string, baseData, oursData, theirsData []byte) ([]byte, error) {
	var base, ours, theirs Index
	for _, d := range []struct {
		side string
		data []byte
		v    *Index
	}{{"common", baseData, &base}, {"local", oursData, &ours}, {"remote", theirsData, &theirs}} {
		if err := decode(path, d.side, d.data, d.v); err != nil {
			return nil, err
		}
	}
	out := theirs
	out.Count = theirs.Count + max(0, ours.Count-base.Count)
	out.Last = latest(base.Last, ours.Last, theirs.Last)
	out.Deployed = latest(base.Deployed, ours.Deployed, theirs.Deployed)
	return Encode(out)
}

// latest merges one "newest deployment" slot of an index: ours when it names
// a deployment base did not (replayed, it landed last), the newer version
// when both name the same one, else theirs.
func latest(base, ours, theirs *Summary) *Summary {
	switch {
	case reflect.DeepEqual(ours, base):
		return theirs
	case reflect.DeepEqual(theirs, base):
		return ours
	case ours == nil:
		return theirs
	case theirs == nil:
		return ours
	case ours.ID == theirs.ID:
		s := pick(deref(base), *ours, *theirs)
		return &s
	case base == nil || ours.ID != base.ID:
		return ours
	}
	return theirs // ours only updated a deployment theirs has since superseded
}

func deref(s *Summary) Summary {
	if s == nil {
		return Summary{}
	}
	return *s
}

// pick chooses between two versions of one deployment's summary: the one
// that changed since base, else the one that is over (final status, then
// the later finish); ours when nothing tells them apart.
func pick(base, ours, theirs Summary) Summary {
	switch {
	case reflect.DeepEqual(ours, base):
		return theirs
	case reflect.DeepEqual(theirs, base):
		return ours
	case ours.Status.Final() != theirs.Status.Final():
		if theirs.Status.Final() {
			return theirs
		}
		return ours
	case theirs.FinishedAt.After(ours.FinishedAt):
		return theirs
	}
	return ours
}
