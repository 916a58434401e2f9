package render

import (
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/plan"
	"github.com/honua-io/honua-gitops/internal/secret"
)

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
	fc.SecretsBefore, fc.SecretsAfter = secretNames(fc)
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
	// Masked is the one text of a sensitive change, "" otherwise.
	Masked string
}

// secretNames are the placeholders of a field change's sides: what the
// plan recorded, else what its values still carry.
func secretNames(fc plan.FieldChange) (before, after []string) {
	before, after = fc.SecretsBefore, fc.SecretsAfter
	if len(before) == 0 {
		before = secret.NamesIn(fc.Before)
	}
	if len(after) == 0 {
		after = secret.NamesIn(fc.After)
	}
	return before, after
}

func sensitiveText(names []string) string {
	if len(names) == 0 {
		return plan.Sensitive
	}
	return "(sensitive: " + strings.Join(names, ", ") + ")"
}

// newFieldLine prepares one field change for display. A sensitive value
// shows which secret it uses: "(sensitive: NAME)", and "(sensitive, now
// NAME2)" when the placeholder changes.
func newFieldLine(fc plan.FieldChange) fieldLine {
	l := fieldLine{Op: fc.Op, Path: sanitize(fc.Path)}
	if fieldIsSensitive(fc) {
		before, after := secretNames(fc)
		l.Before, l.After = sensitiveText(before), sensitiveText(after)
		if fc.Op == plan.OpReplace && !slices.Equal(before, after) {
			switch {
			case len(after) > 0:
				l.After = "(sensitive, now " + strings.Join(after, ", ") + ")"
			case len(before) > 0:
				l.After = "(sensitive, was " + strings.Join(before, ", ") + ")"
			}
		}
		l.Masked = l.After
		if fc.Op == plan.OpRemove {
			l.Masked = l.Before
		}
		return l
	}
	l.Before, l.After = formatValue(fc.Before), formatValue(fc.After)
	return l
}
