package source

import "testing"

// SetMaxWalk lowers the bound on the commits Contains reads, for the test.
func SetMaxWalk(t testing.TB, n int) {
	old := maxWalk
	maxWalk = n
	t.Cleanup(func() { maxWalk = old })
}
