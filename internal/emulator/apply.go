package emulator

import (
	"context"
	"errors"
	"maps"
)

// Apply actions, lowercase as the server spells them.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
	ActionSkip   = "skip"
)

// Skip messages of a manifest apply.
const (
	msgNoChanges    = "No changes."
	msgDeleteFailed = "Failed to delete resource."
)

// ApplyResult is the data of POST /manifest/apply.
type ApplyResult struct {
	DryRun  bool         `json:"dryRun"`
	Summary ApplySummary `json:"summary"`
	Entries []ApplyEntry `json:"entries"`
}

// ApplySummary counts the entries by action; the counts always equal the
// entries.
type ApplySummary struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
	Deleted int `json:"deleted"`
	Skipped int `json:"skipped"`
}

// ApplyEntry is one resource's outcome. Message is always present: null
// for a successful write, "No changes." for an unchanged resource, and the
// failure for a write that failed (which is still a skip inside HTTP 200).
type ApplyEntry struct {
	Action   string   `json:"action"`
	Resource Identity `json:"resource"`
	Message  *string  `json:"message"`
}

func (r *ApplyResult) add(action string, id Identity, message string) {
	e := ApplyEntry{Action: action, Resource: id}
	if message != "" {
		e.Message = &message
	}
	r.Entries = append(r.Entries, e)
	switch action {
	case ActionCreate:
		r.Summary.Created++
	case ActionUpdate:
		r.Summary.Updated++
	case ActionDelete:
		r.Summary.Deleted++
	case ActionSkip:
		r.Summary.Skipped++
	}
}

// applyManifest applies validated resources one at a time, without a
// transaction, then prunes when asked. A dry run only looks. It stops at the
// first injected write fault or when ctx ends, leaving earlier writes in
// place; that error is returned with the partial result.
func (s *Server) applyManifest(ctx context.Context, resources []DeclaredResource, dryRun, prune bool) (ApplyResult, error) {
	res := ApplyResult{DryRun: dryRun, Entries: []ApplyEntry{}}
	for _, d := range resources {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := s.applyOne(ctx, &res, d, dryRun); err != nil {
			return res, err
		}
	}
	if !prune {
		return res, nil
	}
	for _, victim := range s.pruneCandidates(resources) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := s.pruneOne(ctx, &res, victim, dryRun); err != nil {
			return res, err
		}
	}
	return res, nil
}

// applyOne creates, updates or skips one declared resource. The lookup uses
// the identity as declared (kind case and namespace "" included).
func (s *Server) applyOne(ctx context.Context, res *ApplyResult, d DeclaredResource, dryRun bool) error {
	id := d.Identity()
	desired := specHash(d.Spec) // number text as written (Appendix B.3)
	existing, found := s.store.get(id)
	if found && specHash(existing.Spec) == desired && existing.Metadata.Annotations[AnnotationLastAppliedHash] == desired {
		res.add(ActionSkip, id, msgNoChanges)
		return nil
	}
	action := ActionUpdate
	if !found {
		action = ActionCreate
	}
	if dryRun {
		res.add(action, id, "")
		return nil
	}
	spec, err := storedSpec(d)
	if err != nil {
		res.add(ActionSkip, id, "spec must be a JSON object.")
		return nil
	}
	annotations := maps.Clone(d.Metadata.Annotations)
	annotations[AnnotationLastAppliedHash] = desired
	if !found {
		target := Identity{Kind: d.Kind, Namespace: storedNamespace(d.Metadata.Namespace), Name: d.Metadata.Name}
		err = s.commit(ctx, target, func() error {
			_, err := s.store.insert(d, spec, annotations)
			return err
		})
	} else {
		err = s.commit(ctx, id, func() error {
			_, err := s.store.replace(id, existing.Metadata.ResourceVersion, d, spec, annotations)
			return err
		})
	}
	var fault *injectedFault
	switch {
	case errors.As(err, &fault):
		return err
	case errors.Is(err, errExists):
		res.add(ActionSkip, id, msgExists)
	case errors.Is(err, errConflict), errors.Is(err, errNotFound):
		res.add(ActionSkip, id, msgConflict)
	case err != nil:
		res.add(ActionSkip, id, err.Error())
	default:
		res.add(action, id, "")
	}
	return nil
}

// pruneVictim is a resource prune will delete, with the version it saw.
type pruneVictim struct {
	id              Identity
	resourceVersion string
}

// pruneCandidates lists stored resources that are not in the manifest but
// share a kind and a namespace with a resource that is. Matching is exact,
// so kinds and namespaces the manifest does not mention are never pruned.
func (s *Server) pruneCandidates(resources []DeclaredResource) []pruneVictim {
	type scope struct{ kind, namespace string }
	scopes := map[scope]bool{}
	listed := map[Identity]bool{}
	for i := range resources {
		id := resources[i].Identity()
		scopes[scope{id.Kind, id.Namespace}] = true
		listed[id] = true
	}
	var out []pruneVictim
	for _, r := range s.store.list("", "") {
		id := r.Identity()
		if scopes[scope{id.Kind, id.Namespace}] && !listed[id] {
			out = append(out, pruneVictim{id: id, resourceVersion: r.Metadata.ResourceVersion})
		}
	}
	return out
}

// pruneOne deletes one unlisted resource; a failed delete is a skip.
func (s *Server) pruneOne(ctx context.Context, res *ApplyResult, v pruneVictim, dryRun bool) error {
	if dryRun {
		res.add(ActionDelete, v.id, "")
		return nil
	}
	err := s.commit(ctx, v.id, func() error { return s.store.remove(v.id, v.resourceVersion) })
	var fault *injectedFault
	switch {
	case errors.As(err, &fault):
		return err
	case err != nil:
		res.add(ActionSkip, v.id, msgDeleteFailed)
	default:
		res.add(ActionDelete, v.id, "")
	}
	return nil
}
