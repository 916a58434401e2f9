package render

import "github.com/honua-io/honua-gitops/internal/plan"

// Redaction is done once, here, for every format. The plan already carries
// plan.Sensitive for secret fields; as a second line of defence a field
// whose value contains a ${secret:...} placeholder is treated as sensitive
// too, and both of its sides are masked.

// fieldIsSensitive reports whether a field change must be shown masked.
func fieldIsSensitive(fc plan.FieldChange) bool {
	return fc.Sensitive || hasSecretRef(fc.Before) || hasSecretRef(fc.After)
}

// scrubField returns fc with its values masked when it is sensitive.
func scrubField(fc plan.FieldChange) plan.FieldChange {
	if !fieldIsSensitive(fc) {
		return fc
	}
	fc.Sensitive = true
	if fc.Op != plan.OpAdd || fc.Before != nil {
		fc.Before = plan.Sensitive
	}
	if fc.Op != plan.OpRemove || fc.After != nil {
		fc.After = plan.Sensitive
	}
	return fc
}

// scrubFields masks a list of field changes, keeping nil as nil.
func scrubFields(fields []plan.FieldChange) []plan.FieldChange {
	if fields == nil {
		return nil
	}
	out := make([]plan.FieldChange, len(fields))
	for i, fc := range fields {
		out[i] = scrubField(fc)
	}
	return out
}

// fieldLine is a field change ready to print: its path and display values
// are sanitized, and masked when sensitive.
type fieldLine struct {
	Op     plan.Op
	Path   string
	Before string
	After  string
}

// newFieldLine prepares one field change for display.
func newFieldLine(fc plan.FieldChange) fieldLine {
	l := fieldLine{Op: fc.Op, Path: sanitize(fc.Path)}
	if fieldIsSensitive(fc) {
		l.Before, l.After = plan.Sensitive, plan.Sensitive
		return l
	}
	l.Before, l.After = formatValue(fc.Before), formatValue(fc.After)
	return l
}
