package loader

import (
	"fmt"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// doc is one resource document as written in a file, before overlay.
type doc struct {
	node    *document.Node
	id      resource.Identity // canonical kind when known
	exclude bool
}

// splitResources turns a parsed document into resource nodes. A file may hold
// one resource, a list of resources, or {"resources": [...]} — the shapes
// Honua's own GitOps watch reads.
func splitResources(n *document.Node, d *diag.List) []*document.Node {
	switch n.Kind {
	case document.List:
		return n.Items
	case document.Map:
		if r := n.Get("resources"); r != nil && n.Get("kind") == nil {
			if r.Kind != document.List {
				d.Addf(r.Pos, "", "resources must be a list, got %s", r.TypeName())
				return nil
			}
			return r.Items
		}
		return []*document.Node{n}
	}
	d.Addf(n.Pos, "a file holds resources: mappings with apiVersion, kind, metadata and spec", "expected a resource, got %s", n.TypeName())
	return nil
}

// identify reads the identity of a resource document: enough to overlay it.
func identify(n *document.Node, d *diag.List) (doc, bool) {
	if n.Kind != document.Map {
		d.Addf(n.Pos, "a resource is a mapping with apiVersion, kind, metadata and spec", "expected a resource, got %s", n.TypeName())
		return doc{}, false
	}
	ok := true
	av := n.Get("apiVersion")
	switch s, isStr := av.String(); {
	case av == nil:
		d.Addf(n.Pos, "add apiVersion: "+resource.APIVersion, "resource has no apiVersion")
		ok = false
	case !isStr:
		d.Addf(av.Pos, "", "apiVersion must be a string, got %s", av.TypeName())
		ok = false
	case !strings.EqualFold(s, resource.APIVersion) && !strings.EqualFold(s, resource.LegacyAPIVersion):
		d.Addf(av.Pos, "use "+resource.APIVersion, "unsupported apiVersion %q", s)
		ok = false
	}
	var id resource.Identity
	kn := n.Get("kind")
	switch s, isStr := kn.String(); {
	case kn == nil:
		d.Addf(n.Pos, "add kind: one of "+strings.Join(resource.KindNames(), ", "), "resource has no kind")
		ok = false
	case !isStr:
		d.Addf(kn.Pos, "", "kind must be a string, got %s", kn.TypeName())
		ok = false
	default:
		k := resource.LookupKind(s)
		if k == nil {
			d.Addf(kn.Pos, "known kinds: "+strings.Join(resource.KindNames(), ", "), "unknown kind %q", s)
			ok = false
		} else {
			id.Kind = k.Name
		}
	}
	md := n.Get("metadata")
	if md == nil || md.Kind != document.Map {
		if md == nil {
			d.Addf(n.Pos, "add metadata: {name: ...}", "resource has no metadata")
		} else {
			d.Addf(md.Pos, "", "metadata must be a mapping, got %s", md.TypeName())
		}
		return doc{}, false
	}
	name := md.Get("name")
	if name == nil {
		d.Addf(md.Pos, "add metadata.name", "resource has no metadata.name")
		ok = false
	} else if s, isStr := name.String(); !isStr {
		d.Addf(name.Pos, "quote the name", "metadata.name must be a string, got %s", name.TypeName())
		ok = false
	} else if strings.Contains(s, "${") {
		d.Addf(name.Pos, "a resource's identity is fixed across environments; write the name out", "metadata.name must not use variables")
		ok = false
	} else if err := resource.ValidateName(s); err != nil {
		d.Addf(name.Pos, "use a name like roads-2024", "metadata.name %q %v", s, err)
		ok = false
	} else {
		id.Name = s
	}
	id.Namespace = resource.DefaultNamespace
	if ns := md.Get("namespace"); ns != nil && !ns.IsNull() {
		if s, isStr := ns.String(); !isStr {
			d.Addf(ns.Pos, "", "metadata.namespace must be a string, got %s", ns.TypeName())
			ok = false
		} else if s != "" {
			if strings.Contains(s, "${") {
				d.Addf(ns.Pos, "write the namespace out", "metadata.namespace must not use variables")
				ok = false
			} else if err := resource.ValidateName(s); err != nil {
				d.Addf(ns.Pos, "", "metadata.namespace %q %v", s, err)
				ok = false
			}
			id.Namespace = s
		}
	}
	exclude := false
	if ann := md.Get("annotations"); ann != nil && ann.Kind == document.Map {
		if x := ann.Get(resource.AnnotationExclude); x != nil {
			switch s, _ := x.String(); {
			case x.Value == true || s == "true":
				exclude = true
			case x.Value == false || s == "false":
			default:
				d.Addf(x.Pos, `write "true" to exclude the common resource`, "%s must be \"true\" or \"false\"", resource.AnnotationExclude)
				ok = false
			}
		}
	}
	if exclude && n.Get("spec") != nil {
		d.Addf(n.Get("spec").Pos, "remove spec: an exclusion only names the resource", "an excluded resource has no spec")
		ok = false
	}
	return doc{node: n, id: id, exclude: exclude}, ok
}

// toResource decodes a resource node (after overlay and variables) into the
// canonical model, reporting every structural problem.
func toResource(n *document.Node, id resource.Identity, d *diag.List) (*resource.Resource, bool) {
	ok := true
	r := &resource.Resource{APIVersion: resource.APIVersion, Kind: id.Kind}
	r.Metadata.Name, r.Metadata.Namespace = id.Name, id.Namespace
	for _, e := range n.Entries {
		switch e.Key {
		case "apiVersion", "kind":
		case "status":
			// Server-owned; exported manifests carry it. Ignored.
		case "metadata":
			ok = decodeMetadata(e.Value, r, d) && ok
		case "spec":
			if e.Value.Kind != document.Map {
				d.Addf(e.Value.Pos, "spec holds the resource's settings as a mapping", "spec must be a mapping, got %s", e.Value.TypeName())
				ok = false
				continue
			}
			r.Spec = e.Value.Interface().(map[string]any)
		default:
			d.Addf(e.KeyPos, "a resource has apiVersion, kind, metadata and spec; move settings under spec", "unknown top-level key %q in %s", e.Key, id)
			ok = false
		}
	}
	if n.Get("spec") == nil {
		d.Addf(n.Pos, "add spec: with the settings of the "+id.Kind, "%s has no spec", id)
		ok = false
	}
	return r, ok
}

func decodeMetadata(md *document.Node, r *resource.Resource, d *diag.List) bool {
	ok := true
	for _, e := range md.Entries {
		switch e.Key {
		case "name", "namespace":
		case "labels":
			r.Metadata.Labels = stringMap(e.Value, "label", d, nil)
		case "annotations":
			r.Metadata.Annotations = stringMap(e.Value, "annotation", d, func(k string) bool { return k == resource.AnnotationExclude })
		default:
			if resource.IsServerOwnedMetadata(e.Key) {
				continue
			}
			d.Addf(e.KeyPos, "metadata holds name, namespace, labels and annotations", "unknown key %q in metadata", e.Key)
			ok = false
		}
	}
	return ok
}

func stringMap(n *document.Node, what string, d *diag.List, drop func(string) bool) map[string]string {
	if n.IsNull() {
		return nil
	}
	if n.Kind != document.Map {
		d.Addf(n.Pos, "", "%ss must be a mapping of strings, got %s", what, n.TypeName())
		return nil
	}
	out := make(map[string]string, len(n.Entries))
	for _, e := range n.Entries {
		if drop != nil && drop(e.Key) {
			continue
		}
		switch v := e.Value.Value; {
		case e.Value.Kind != document.Scalar:
			d.Addf(e.Value.Pos, "quote the value", "%s %q must be a string, got %s", what, e.Key, e.Value.TypeName())
		case v == nil:
			// An explicit null removes the key (overlay semantics).
		default:
			s, isStr := v.(string)
			if !isStr {
				d.Addf(e.Value.Pos, fmt.Sprintf("quote it: %q", fmt.Sprint(v)), "%s %q must be a string, got %s", what, e.Key, e.Value.TypeName())
				continue
			}
			out[e.Key] = s
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
