package policy

import (
	"testing"
	"time"
)

// win builds a window from days, HH:MM bounds and a zone.
func win(t *testing.T, days []time.Weekday, from, to, tz string) Window {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	return Window{Days: days, From: minutes(t, from), To: minutes(t, to), Timezone: tz, Location: loc}
}

func minutes(t *testing.T, hhmm string) int {
	t.Helper()
	c, err := time.Parse("15:04", hhmm)
	if err != nil {
		t.Fatal(err)
	}
	return c.Hour()*60 + c.Minute()
}

// at parses an RFC 3339 instant.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var (
	monThu = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday}
	monFri = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	fri    = []time.Weekday{time.Friday}
	sun    = []time.Weekday{time.Sunday}
)
