package loader

import (
	"context"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// layered is a resource document of one layer (common or environment) on its
// way to becoming an Item.
type layered struct {
	id        resource.Identity
	node      *document.Node
	pos       diag.Pos
	overrides *diag.Pos
	exclude   bool
	added     bool // an environment document that overlays no common one
}

// collect parses the resources of files in order, reporting duplicate
// identities within the layer unless cross-file checks are skipped (then
// the first definition wins silently).
func (l *Loader) collect(ctx context.Context, files []string, crossFile *skipper, d *diag.List) []layered {
	var out []layered
	seen := map[resource.Identity]diag.Pos{}
	for _, f := range files {
		p := l.parsed(ctx, f)
		if p == nil {
			continue
		}
		*d = append(*d, p.diags...)
		for _, n := range p.docs {
			for _, rn := range splitResources(n, d) {
				doc, ok := identify(rn, d)
				if !ok {
					continue
				}
				key := doc.id.Key()
				if prev, dup := seen[key]; dup {
					if crossFile.skipped() {
						continue
					}
					d.Addf(rn.Pos, "rename one of them or remove the duplicate", "duplicate resource %s, first defined at %s", doc.id, prev)
					continue
				}
				seen[key] = rn.Pos
				out = append(out, layered{id: doc.id, node: rn, pos: rn.Pos, exclude: doc.exclude})
			}
		}
	}
	return out
}

// overlay applies the environment's documents to the common ones: same
// identity → deep merge; exclusion annotation → the common resource is
// removed; anything else is added. While cross-file checks are skipped, an
// exclusion that matches nothing is dropped silently: its target may be in
// a file that does not parse.
func overlay(common, own []layered, crossFile *skipper, d *diag.List) []layered {
	index := make(map[resource.Identity]int, len(common))
	for i, c := range common {
		if c.exclude {
			d.Addf(c.pos, "exclusions belong in an environment directory", "%s in common is marked %s", c.id, resource.AnnotationExclude)
		}
		index[c.id.Key()] = i
	}
	removed := make([]bool, len(common))
	var added []layered
	for _, o := range own {
		i, found := index[o.id.Key()]
		switch {
		case o.exclude && !found:
			if crossFile.skipped() {
				continue
			}
			d.Addf(o.pos, "remove the exclusion, or check the kind, namespace and name", "%s excludes a common resource that does not exist", o.id)
		case o.exclude:
			removed[i] = true
		case found:
			base := common[i]
			pos := base.pos
			common[i] = layered{id: base.id, node: merge(base.node, o.node), pos: o.pos, overrides: &pos}
		default:
			added = append(added, layered{id: o.id, node: dropNulls(o.node), pos: o.pos, added: true})
		}
	}
	out := make([]layered, 0, len(common)+len(added))
	for i, c := range common {
		if removed[i] {
			continue
		}
		c.node = dropNulls(c.node)
		out = append(out, c)
	}
	return append(out, added...)
}
