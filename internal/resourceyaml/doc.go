// Package resourceyaml writes resources in the repository's file format:
// YAML documents a person would have written, in a stable key order, that
// the loader reads back as the same resources. It is the writer of
// `import` and of accepting drift into git (issue 12); it reads nothing and
// decides nothing about what to write, only how.
//
// Rules:
//   - documents are apiVersion, kind, metadata (name, namespace, labels,
//     annotations), spec; a spec's top-level keys come in the order of the
//     kind's known keys (resource.KnownSpecKeys), the rest sorted, and
//     nested objects sorted, except that name and type lead;
//   - lists of scalars, and lists of small flat objects (a layer's fields),
//     are written in flow style, as the example repository is;
//   - a string holding "${" is written with the loader's escape "$${", so a
//     value read from a server is never taken for a variable; a secret
//     placeholder (${secret:NAME}) is written as is;
//   - values a secret key holds must already be placeholders: Encode
//     refuses anything else, so no secret value can reach a file.
package resourceyaml
