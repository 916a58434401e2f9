package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOutside(t *testing.T) {
	ch := func(a Action, name string) Change {
		return Change{Action: a, Kind: "Layer", Namespace: "default", Name: name}
	}
	reviewed := &Plan{Changes: []Change{ch(Create, "a"), ch(Update, "b"), ch(Delete, "c")}}
	tests := []struct {
		name    string
		changes []Change
		outside []string
	}{
		{"nothing left", nil, nil},
		{"what failed remains", []Change{ch(Update, "b"), ch(Delete, "c")}, nil},
		{"a create that landed differently is now an update", []Change{ch(Update, "a")}, nil},
		{"a resource the review never saw", []Change{ch(Update, "b"), ch(Update, "z")}, []string{"Layer/default/z"}},
		{"a delete where the review wrote", []Change{ch(Delete, "b")}, []string{"Layer/default/b"}},
		{"a write where the review deleted", []Change{ch(Create, "c")}, []string{"Layer/default/c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range (&Plan{Changes: tt.changes}).Outside(reviewed) {
				got = append(got, c.Subject())
			}
			assert.Equal(t, tt.outside, got)
		})
	}
}
