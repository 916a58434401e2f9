//go:build !race

package prcomment

// raceEnabled loosens timing assertions under the race detector.
const raceEnabled = false
