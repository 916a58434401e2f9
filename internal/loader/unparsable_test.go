package loader_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A file that does not parse contributes its parse errors only, and the
// loader withholds (and counts) the findings of checks that depend on other
// files, which would only repeat that error.
func TestUnparsableFileContributesItsParseErrorsOnly(t *testing.T) {
	const broken = commonLayer + "---\napiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata:\n    name: b\n  spec: {}\n"
	const exclusion = "apiVersion: honua.io/v1alpha1\nkind: Layer\nmetadata:\n  name: gone\n  annotations: {gitops.honua.io/exclude: \"true\"}\n"
	tests := []struct {
		name       string
		files      map[string]string
		unparsable []string
		common     bool
		skipped    int
		items      int
	}{
		{
			name: "common file: its valid first document is dropped too",
			files: map[string]string{
				"environments/common/a.yaml":      broken,
				"environments/dev/x.yaml":         exclusion,
				"environments/dev/variables.yaml": "UNUSED: 1\n",
			},
			unparsable: []string{"environments/common/a.yaml"},
			common:     true,
			skipped:    2, // the exclusion of a missing resource, the unused variable
		},
		{
			name: "environment file: duplicates elsewhere are withheld",
			files: map[string]string{
				"environments/dev/a.yaml": broken,
				"environments/dev/b.yaml": commonLayer,
				"environments/dev/c.yaml": commonLayer,
			},
			unparsable: []string{"environments/dev/a.yaml"},
			skipped:    1,
			items:      1,
		},
		{
			name: "variables file: its variables are not reported undefined",
			files: map[string]string{
				"environments/dev/variables.yaml": "A: [\n",
				"environments/dev/b.yaml":         "apiVersion: honua.io/v1alpha1\nkind: Service\nmetadata: {name: s}\nspec: {description: \"${A}\"}\n",
			},
			unparsable: []string{"environments/dev/variables.yaml"},
			skipped:    1,
			items:      1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, d := load(t, writeRepo(t, tt.files), "dev")
			var msgs []string
			for _, x := range d {
				msgs = append(msgs, x.Pos.String()+": "+x.Message)
				assert.True(t, x.Parse, "only parse errors are reported, got %s", x)
			}
			assert.Len(t, d, 1, msgs)
			assert.Equal(t, tt.unparsable, e.Unparsable)
			assert.Equal(t, tt.common, e.CommonUnparsable)
			assert.Equal(t, tt.skipped, e.Skipped)
			assert.Len(t, e.Items, tt.items)
		})
	}
}
