package order_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/honua-io/honua-gitops/internal/order"
	"github.com/honua-io/honua-gitops/internal/resource"
)

type op struct {
	id  resource.Identity
	del bool
}

func TestSortAndLevels(t *testing.T) {
	mk := func(kind, name string, del bool) op {
		return op{resource.Identity{Kind: kind, Namespace: "default", Name: name}, del}
	}
	ops := []op{
		mk("Style", "s", true), mk("Layer", "b", false), mk("Connection", "c", true),
		mk("Style", "t", false), mk("Layer", "a", false), mk("Service", "v", false), mk("Layer", "x", true),
	}
	order.Sort(ops, func(o op) resource.Identity { return o.id }, func(o op) bool { return o.del })
	var got []string
	for _, o := range ops {
		prefix := "+"
		if o.del {
			prefix = "-"
		}
		got = append(got, prefix+o.id.Kind+"/"+o.id.Name)
	}
	assert.Equal(t, []string{"+Service/v", "+Layer/a", "+Layer/b", "+Style/t", "-Style/s", "-Layer/x", "-Connection/c"}, got)

	levels := order.Levels(ops, func(o op) resource.Identity { return o.id }, func(o op) bool { return o.del })
	var sizes []int
	for _, l := range levels {
		sizes = append(sizes, len(l))
	}
	assert.Equal(t, []int{1, 2, 1, 1, 1, 1}, sizes, "layers a and b can be written together")
}
