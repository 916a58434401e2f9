package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // windows name IANA zones; machines without zoneinfo still load them
)

// searchDays is how far ahead NextOpen looks for an open window.
const searchDays = 15

// dayNames are the weekday spellings of windows, Sunday first as time.Weekday.
var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Contains reports whether t is inside the window, judged from t's wall
// clock in the window's zone: on a fall-back day a repeated wall-clock time
// is inside both times, and a start in a spring-forward gap opens at the
// first instant after the gap.
func (w Window) Contains(t time.Time) bool {
	lt := t.In(w.Location)
	m := lt.Hour()*60 + lt.Minute()
	today := slices.Contains(w.Days, lt.Weekday())
	if w.From < w.To {
		return today && m >= w.From && m < w.To
	}
	yesterday := slices.Contains(w.Days, (lt.Weekday()+6)%7)
	return (today && m >= w.From) || (yesterday && m < w.To)
}

// starts returns the window's start instants from the day before after's
// date through searchDays days after it.
func (w Window) starts(after time.Time) []time.Time {
	lt := after.In(w.Location)
	var out []time.Time
	for i := -1; i <= searchDays; i++ {
		d := time.Date(lt.Year(), lt.Month(), lt.Day()+i, 12, 0, 0, 0, w.Location)
		if !slices.Contains(w.Days, d.Weekday()) {
			continue
		}
		h, m := w.From/60, w.From%60
		s := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, w.Location)
		if s.Hour() != h || s.Minute() != m {
			// In a spring-forward gap: open when the gap ends. time.Date
			// may normalise to either side of the gap (01:30 EST or 03:30
			// CEST for 02:30), so take the zone transition near it.
			if _, end := s.Add(-3 * time.Hour).ZoneBounds(); !end.IsZero() && end.Sub(s).Abs() <= 3*time.Hour {
				s = end
			}
		}
		// On a fall-back day the start may happen twice: open at the first.
		for _, back := range []time.Duration{time.Hour, 30 * time.Minute} {
			if e := s.Add(-back); e.Hour() == h && e.Minute() == m && e.Day() == s.Day() {
				s = e
				break
			}
		}
		out = append(out, s)
	}
	return out
}

// String renders the window as "mon–thu 09:00–16:00 America/New_York".
func (w Window) String() string {
	return fmt.Sprintf("%s %s–%s %s", formatDays(w.Days), clock(w.From), clock(w.To), w.Timezone)
}

// formatDays renders days in week order (Monday first), runs of three or
// more as ranges: "mon–thu", "sat, sun", "mon, wed, fri".
func formatDays(days []time.Weekday) string {
	idx := func(d time.Weekday) int { return (int(d) + 6) % 7 } // Monday = 0
	var order []int
	for _, d := range days {
		if !slices.Contains(order, idx(d)) {
			order = append(order, idx(d))
		}
	}
	slices.Sort(order)
	name := func(i int) string { return dayNames[(i+1)%7] }
	var parts []string
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && order[j+1] == order[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, name(order[i])+"–"+name(order[j]))
		default:
			for k := i; k <= j; k++ {
				parts = append(parts, name(order[k]))
			}
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// Covers reports whether the blackout covers t (From <= t < To).
func (b Blackout) Covers(t time.Time) bool { return !t.Before(b.From) && t.Before(b.To) }

// Open reports whether a plan with changes may be applied at t as far as
// blackouts and windows go: outside every blackout and, when there are
// windows, inside one.
func (r *Rules) Open(t time.Time) bool {
	for _, b := range r.Blackouts {
		if b.Covers(t) {
			return false
		}
	}
	if len(r.Windows) == 0 {
		return true
	}
	for _, w := range r.Windows {
		if w.Contains(t) {
			return true
		}
	}
	return false
}

// NextOpen returns the first instant after now at which Open holds, looking
// at blackout ends and window starts over the next searchDays days; zero
// when none is found.
func (r *Rules) NextOpen(now time.Time) time.Time {
	var cands []time.Time
	for _, b := range r.Blackouts {
		if b.To.After(now) {
			cands = append(cands, b.To)
		}
	}
	// Window starts after now, and after each blackout's end, which may be
	// beyond searchDays.
	froms := []time.Time{now}
	for _, b := range r.Blackouts {
		if b.To.After(now) {
			froms = append(froms, b.To)
		}
	}
	for _, w := range r.Windows {
		for _, from := range froms {
			for _, s := range w.starts(from) {
				if s.After(now) {
					cands = append(cands, s)
				}
			}
		}
	}
	slices.SortFunc(cands, func(a, b time.Time) int { return a.Compare(b) })
	for _, c := range cands {
		if r.Open(c) {
			return c
		}
	}
	return time.Time{}
}
