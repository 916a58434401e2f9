package render

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// TestNoSecretInAnyFormat feeds values with ${secret:...} placeholders that
// the plan did not mark sensitive, and a sensitive field whose values were
// left unmasked, through every format.
func TestNoSecretInAnyFormat(t *testing.T) {
	t.Parallel()
	for _, format := range Formats() {
		for _, color := range []bool{false, true} {
			t.Run(format.String(), func(t *testing.T) {
				t.Parallel()
				var buf bytes.Buffer
				err := Render(&buf, []*plan.Plan{secretsPlan(), stagingPlan()}, format, RenderOptions{Color: color})
				require.NoError(t, err)
				containsNone(t, buf.String(), leakedSecrets...)
				containsAll(t, buf.String(), "/spec/dsn", "/spec/password", "/spec/header", "(sensitive")
			})
		}
	}
}

func TestScrubField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   plan.FieldChange
		want plan.FieldChange
	}{
		{
			name: "plain value is kept",
			in:   plan.FieldChange{Path: "/spec/title", Op: plan.OpReplace, Before: "a", After: "b"},
			want: plan.FieldChange{Path: "/spec/title", Op: plan.OpReplace, Before: "a", After: "b"},
		},
		{
			name: "placeholder in an added value",
			in:   plan.FieldChange{Path: "/spec/dsn", Op: plan.OpAdd, After: "x${secret:A}"},
			want: plan.FieldChange{Path: "/spec/dsn", Op: plan.OpAdd, After: plan.Sensitive, Sensitive: true, SecretsAfter: []string{"A"}},
		},
		{
			name: "placeholder in a removed nested value",
			in:   plan.FieldChange{Path: "/spec/o", Op: plan.OpRemove, Before: map[string]any{"k": []any{"${secret:A}"}}},
			want: plan.FieldChange{Path: "/spec/o", Op: plan.OpRemove, Before: plan.Sensitive, Sensitive: true, SecretsBefore: []string{"A"}},
		},
		{
			name: "placeholder in a map key",
			in:   plan.FieldChange{Path: "/spec/o", Op: plan.OpAdd, After: map[string]any{"${secret:A}": true}},
			want: plan.FieldChange{Path: "/spec/o", Op: plan.OpAdd, After: plan.Sensitive, Sensitive: true, SecretsAfter: []string{"A"}},
		},
		{
			name: "one side masks both",
			in:   plan.FieldChange{Path: "/spec/h", Op: plan.OpReplace, Before: "${secret:A}", After: "plain"},
			want: plan.FieldChange{Path: "/spec/h", Op: plan.OpReplace, Before: plan.Sensitive, After: plan.Sensitive, Sensitive: true, SecretsBefore: []string{"A"}},
		},
		{
			name: "sensitive flag with unmasked values",
			in:   plan.FieldChange{Path: "/spec/password", Op: plan.OpReplace, Before: "hunter2", After: "x", Sensitive: true},
			want: plan.FieldChange{Path: "/spec/password", Op: plan.OpReplace, Before: plan.Sensitive, After: plan.Sensitive, Sensitive: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, scrubField(tt.in))
		})
	}
}

// Issue 9 item 1: a reviewer sees which secret a field uses, and when the
// placeholder changes, never its value.
func TestSensitiveFieldsNameTheirSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   plan.FieldChange
		text string
	}{
		{"added", plan.FieldChange{Path: "/spec/password", Op: plan.OpAdd, After: plan.Sensitive, Sensitive: true, SecretsAfter: []string{"DB_PW"}}, "(sensitive: DB_PW)"},
		{"removed", plan.FieldChange{Path: "/spec/password", Op: plan.OpRemove, Before: plan.Sensitive, Sensitive: true, SecretsBefore: []string{"DB_PW"}}, "(sensitive: DB_PW)"},
		{"same secret", plan.FieldChange{Path: "/spec/dsn", Op: plan.OpReplace, Before: "h=a;p=${secret:DB_PW}", After: "h=b;p=${secret:DB_PW}"}, "(sensitive: DB_PW)"},
		{"another secret", plan.FieldChange{Path: "/spec/password", Op: plan.OpReplace, Before: plan.Sensitive, After: plan.Sensitive, Sensitive: true,
			SecretsBefore: []string{"DB_PW"}, SecretsAfter: []string{"DB_PW_2026"}}, "(sensitive, now DB_PW_2026)"},
		{"a literal now", plan.FieldChange{Path: "/spec/password", Op: plan.OpReplace, Before: "${secret:DB_PW}", After: "x", Sensitive: true}, "(sensitive, was DB_PW)"},
		{"no placeholder", plan.FieldChange{Path: "/spec/password", Op: plan.OpReplace, Before: "a", After: "b", Sensitive: true}, plan.Sensitive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newFieldLine(tt.in)
			require.Equal(t, tt.text, l.Masked)
			require.NotContains(t, l.Before+l.After, "${secret:")
		})
	}
}
