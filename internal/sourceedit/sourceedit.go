// Package sourceedit changes an environment's configuration files so that
// a resource reads as a new value, with the diff a person would have made:
// it is how `drift --accept` writes the server's values into git.
//
// For each resource it picks the least invasive edit that works:
//
//  1. every changed value is a scalar written in the environment's own
//     files (not through a variable): those scalars are replaced in place,
//     keeping quoting style, comments and everything else byte for byte;
//  2. the resource is defined only in the environment's directory: its
//     document is written again, canonically (resourceyaml);
//  3. the resource comes from the common directory and the environment
//     does not override it yet: an override document with just the changed
//     keys is appended to the environment's override file, so the other
//     environments keep their values.
//
// Anything else (a value from a variable, a common resource the
// environment already overrides with a structural change, a JSON file that
// would need a new document) is refused with the reason and where to edit
// by hand. The package computes new file contents; it writes nothing.
package sourceedit

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diff"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/loader"
	"github.com/honua-io/honua-gitops/internal/resource"
	"github.com/honua-io/honua-gitops/internal/resourceyaml"
)

// Editor accumulates edits to the files of one environment.
type Editor struct {
	envDir       string
	overrideFile string
	read         func(rel string) ([]byte, error)
	files        map[string]*file
	order        []string
}

// file is one file's original content and the edits planned on it.
type file struct {
	src     []byte
	scalars []scalarEdit
	docs    []docEdit
	appends [][]byte
}

// New returns an editor for the environment whose directory is envDir
// (repository-relative, slash-separated). New override documents go to
// overrideFile (also repository-relative); read returns a file's content
// by its repository-relative path, and an error satisfying os.IsNotExist
// when it does not exist.
func New(envDir, overrideFile string, read func(rel string) ([]byte, error)) *Editor {
	return &Editor{envDir: strings.TrimSuffix(envDir, "/"), overrideFile: overrideFile, read: read, files: map[string]*file{}}
}

// RefusedError says why a resource's edit was not planned.
type RefusedError struct {
	Subject string
	Reason  string
}

func (e *RefusedError) Error() string { return e.Subject + ": " + e.Reason }

// Resource plans the edits that make item read as want. The edit of each
// resource is planned whole or not at all: on a RefusedError nothing of it
// is kept.
func (e *Editor) Resource(item *loader.Item, want *resource.Resource) error {
	subject := item.Resource.ID().String()
	refuse := func(format string, a ...any) error {
		return &RefusedError{Subject: subject, Reason: fmt.Sprintf(format, a...)}
	}
	changes := diff.Compare("", item.Resource.Object(), want.Object(), resource.ListKeysOf(want.Kind))
	if len(changes) == 0 {
		return nil
	}
	if edits, ok := e.scalarEdits(item.Node, changes); ok {
		for _, ed := range edits {
			f, err := e.file(ed.file)
			if err != nil {
				return refuse("%v", err)
			}
			f.scalars = append(f.scalars, ed)
		}
		return nil
	}
	own := e.inEnv(item.Pos.File)
	switch {
	case own && item.Overrides == nil:
		return e.rewrite(item, want, refuse)
	case own:
		return refuse("it overrides %s and the change is not a value written in %s; edit that override by hand", item.Overrides, item.Pos)
	default:
		return e.override(item, want, changes, refuse)
	}
}

// rewrite plans writing item's whole document again as want.
func (e *Editor) rewrite(item *loader.Item, want *resource.Resource, refuse func(string, ...any) error) error {
	if isJSON(item.Pos.File) {
		return refuse("its document in %s is JSON and the change is not a single value; edit it by hand", item.Pos)
	}
	f, err := e.file(item.Pos.File)
	if err != nil {
		return refuse("%v", err)
	}
	start, end, ok := documentLines(f.src, item.Pos.Line)
	if !ok {
		return refuse("cannot find its document at %s; edit it by hand", item.Pos)
	}
	if bytes.Contains(lineRange(f.src, start, end), []byte("${")) && !onlySecrets(lineRange(f.src, start, end)) {
		return refuse("its document at %s uses variables, which a rewrite would replace by their values; edit it by hand", item.Pos)
	}
	text, err := resourceyaml.File("", []*resource.Resource{want})
	if err != nil {
		return refuse("%v", err)
	}
	f.docs = append(f.docs, docEdit{start: start, end: end, text: text})
	return nil
}

// override plans appending an override document with the changed keys of
// a resource that comes from the common directory.
func (e *Editor) override(item *loader.Item, want *resource.Resource, changes []diff.Change, refuse func(string, ...any) error) error {
	if e.overrideFile == "" {
		return refuse("it is defined in %s, shared with other environments; override it in %s by hand", item.Pos, e.envDir)
	}
	patch := map[string]any{}
	obj := want.Object()
	for _, c := range changes {
		segs := diff.SplitPointer(c.Path)
		if len(segs) < 2 || segs[0] != "spec" && segs[0] != "metadata" {
			return refuse("%s cannot be overridden per environment; edit %s by hand", c.Path, item.Pos)
		}
		if segs[0] == "metadata" && (len(segs) < 2 || segs[1] != "labels" && segs[1] != "annotations") {
			return refuse("%s cannot be overridden per environment; edit %s by hand", c.Path, item.Pos)
		}
		setPatch(patch, obj, segs)
	}
	over := &resource.Resource{APIVersion: want.APIVersion, Kind: want.Kind,
		Metadata: resource.Metadata{Name: want.Metadata.Name, Namespace: want.Metadata.Namespace}}
	if spec, ok := patch["spec"].(map[string]any); ok {
		over.Spec = spec
	}
	if md, ok := patch["metadata"].(map[string]any); ok {
		over.Metadata.Labels = stringsOf(md["labels"])
		over.Metadata.Annotations = stringsOf(md["annotations"])
	}
	text, err := resourceyaml.File("", []*resource.Resource{over})
	if err != nil {
		return refuse("%v", err)
	}
	f, err := e.file(e.overrideFile)
	if err != nil {
		return refuse("%v", err)
	}
	f.appends = append(f.appends, text)
	return nil
}

// setPatch copies obj's value at the first list boundary of segs (or the
// leaf) into patch, creating the maps above it: the loader's overlay merges
// maps key by key but replaces lists whole. A key absent from obj becomes
// null, which the overlay reads as "remove".
func setPatch(patch, obj map[string]any, segs []string) {
	dst, src := patch, obj
	for i, s := range segs {
		v, present := src[s]
		next, isMap := v.(map[string]any)
		last := i == len(segs)-1
		if !present || !isMap || last {
			if !present {
				dst[s] = nil
			} else {
				dst[s] = resource.Clone(v)
			}
			return
		}
		child, ok := dst[s].(map[string]any)
		if !ok {
			child = map[string]any{}
			dst[s] = child
		}
		dst, src = child, next
	}
}

func stringsOf(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		if s, ok := x.(string); ok {
			out[k] = s
		}
	}
	return out
}

// inEnv reports whether rel is in the environment's directory.
func (e *Editor) inEnv(rel string) bool {
	return e.envDir != "" && strings.HasPrefix(path.Clean(rel), e.envDir+"/")
}

func (e *Editor) file(rel string) (*file, error) {
	if f, ok := e.files[rel]; ok {
		return f, nil
	}
	src, err := e.read(rel)
	if err != nil && !(rel == e.overrideFile && isNotExist(err)) {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	f := &file{src: src}
	e.files[rel] = f
	e.order = append(e.order, rel)
	return f, nil
}

// Files returns the new content of every file the planned edits change,
// by repository-relative path, in the order they were first touched.
func (e *Editor) Files() ([]string, map[string][]byte, error) {
	out := map[string][]byte{}
	var names []string
	for _, rel := range e.order {
		f := e.files[rel]
		if len(f.scalars)+len(f.docs)+len(f.appends) == 0 {
			continue
		}
		data, err := f.apply()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", rel, err)
		}
		out[rel] = data
		names = append(names, rel)
	}
	return names, out, nil
}

// apply makes the file's edits: scalars and documents from the end of the
// file backwards, so earlier offsets stay valid, then the appends.
func (f *file) apply() ([]byte, error) {
	type span struct {
		from, to int
		text     []byte
	}
	var spans []span
	for _, s := range f.scalars {
		spans = append(spans, span{s.from, s.to, []byte(s.text)})
	}
	for _, d := range f.docs {
		from, to := lineOffsets(f.src, d.start, d.end)
		spans = append(spans, span{from, to, d.text})
	}
	slices.SortFunc(spans, func(a, b span) int { return b.from - a.from })
	out := slices.Clone(f.src)
	for i, s := range spans {
		if i > 0 && s.to > spans[i-1].from {
			return nil, fmt.Errorf("edits overlap at byte %d", s.from)
		}
		out = slices.Concat(out[:s.from], s.text, out[s.to:])
	}
	for _, a := range f.appends {
		switch {
		case len(out) == 0:
		case bytes.HasSuffix(out, []byte("\n")):
			out = append(out, "---\n"...)
		default:
			out = append(out, "\n---\n"...)
		}
		out = append(out, a...)
	}
	return out, nil
}

// nodeAt returns the node at a JSON pointer's segments.
func nodeAt(n *document.Node, segs []string) *document.Node {
	for _, s := range segs {
		switch {
		case n == nil:
			return nil
		case n.Kind == document.Map:
			n = n.Get(s)
		case n.Kind == document.List:
			i, ok := index(s)
			if !ok || i >= len(n.Items) {
				return nil
			}
			n = n.Items[i]
		default:
			return nil
		}
	}
	return n
}

func index(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isJSON(rel string) bool { return strings.EqualFold(path.Ext(rel), ".json") }
