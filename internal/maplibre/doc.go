// Package maplibre models what a Honua Generation 2 server does to a
// MapLibre style on PUT /ogc/styles/{styleId} (and the deprecated admin
// style route), so that a GitOps driver can decide at plan time whether a
// style will be accepted and what the server will store.
//
// The model follows honua-io/honua-server's MapLibreStyleNormalizer.cs
// (stored version id 58550020053, tests id 58817896481), StyleDefaults.cs
// (id 58823357372) and CssNamedColors.cs (id 59033433537):
//
//   - Check (and CheckLayer) reports every property or expression the
//     server would reject, each with a JSON pointer into the style, and
//     (CheckLayer) a sources["layer-{id}"] the server would silently
//     replace.
//   - Normalise returns the exact form the server stores: the Honua tile
//     source sources["layer-{id}"] is (re)written, and every non-background
//     layer without a source gets source "layer-{id}" and, for the Honua
//     vector source, source-layer "layer". Nothing else is added, removed
//     or rewritten.
//
// The package is pure: it performs no I/O and imports nothing from this
// module. Values may come from encoding/json (float64 numbers) or from
// gopkg.in/yaml.v3 (int numbers); numbers are treated uniformly and
// Normalise emits them as float64, the form encoding/json decodes, so a
// desired style from YAML and a live style read back as JSON compare equal
// with reflect.DeepEqual.
package maplibre
