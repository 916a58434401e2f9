package driver

import (
	"github.com/honua-io/honua-gitops/internal/driver/gen2"
	"github.com/honua-io/honua-gitops/internal/resource"
)

// Notes returns what a server of the named generation cannot hold of rs:
// the notes a plan shows before any target is contacted (a pull request's
// plan), when the environment's last deployment recorded that generation.
// A Generation 1 server holds everything, so it has none.
func Notes(generation string, rs []*resource.Resource) []string {
	if generation != "Generation 2" {
		return nil
	}
	// Representable reads nothing from the server: a driver without a
	// connection answers it.
	surface := gen2.New(nil, nil, "", "", nil)
	var out []string
	for _, r := range rs {
		_, notes := surface.Representable(r)
		out = append(out, notes...)
	}
	return out
}
