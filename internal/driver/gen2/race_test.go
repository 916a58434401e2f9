//go:build race

package gen2_test

const raceEnabled = true
