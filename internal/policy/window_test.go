package policy

import (
	"testing"
	"time"
)

func TestWindows(t *testing.T) {
	ny := win(t, monThu, "09:00", "16:00", "America/New_York")
	berlin := win(t, monFri, "08:00", "18:00", "Europe/Berlin")
	kolkata := win(t, monFri, "10:00", "12:00", "Asia/Kolkata")
	wrap := win(t, fri, "22:00", "02:00", "UTC")
	nySpring := win(t, sun, "02:30", "04:00", "America/New_York")
	nyOneToTwo := win(t, sun, "01:00", "02:00", "America/New_York")
	berlinGapOnly := win(t, sun, "02:00", "03:00", "Europe/Berlin")
	berlinSpring := win(t, sun, "02:30", "05:00", "Europe/Berlin")

	tests := []struct {
		name   string
		w      Window
		now    string
		inside bool
		// next is NextOpen when outside ("" = not checked).
		next string
	}{
		{"new york opens at 09:00 EST", ny, "2026-12-07T14:00:00Z", true, ""},
		{"new york before opening", ny, "2026-12-07T13:59:00Z", false, "2026-12-07T14:00:00Z"},
		{"new york closes at 16:00", ny, "2026-12-10T21:00:00Z", false, "2026-12-14T14:00:00Z"},
		{"new york 15:59 thursday", ny, "2026-12-10T20:59:00Z", true, ""},
		{"new york summer time", ny, "2026-07-06T13:00:00Z", true, ""},
		{"new york friday", ny, "2026-12-11T15:00:00Z", false, "2026-12-14T14:00:00Z"},
		{"berlin summer 08:00 CEST", berlin, "2026-07-01T06:00:00Z", true, ""},
		{"berlin summer 07:59 CEST", berlin, "2026-07-01T05:59:00Z", false, "2026-07-01T06:00:00Z"},
		{"berlin winter 08:00 CET", berlin, "2026-12-02T07:00:00Z", true, ""},
		{"kolkata 10:00 IST", kolkata, "2026-07-01T04:30:00Z", true, ""},
		{"kolkata 12:00 IST closed", kolkata, "2026-07-01T06:30:00Z", false, "2026-07-02T04:30:00Z"},
		{"kolkata saturday", kolkata, "2026-07-04T05:00:00Z", false, "2026-07-06T04:30:00Z"},
		{"wrap friday 21:59", wrap, "2026-12-04T21:59:00Z", false, "2026-12-04T22:00:00Z"},
		{"wrap friday 22:00", wrap, "2026-12-04T22:00:00Z", true, ""},
		{"wrap saturday 01:00", wrap, "2026-12-05T01:00:00Z", true, ""},
		{"wrap saturday 02:00", wrap, "2026-12-05T02:00:00Z", false, "2026-12-11T22:00:00Z"},
		{"wrap saturday 03:00", wrap, "2026-12-05T03:00:00Z", false, "2026-12-11T22:00:00Z"},
		{"wrap thursday 01:00 (window starts fridays only)", wrap, "2026-12-03T01:00:00Z", false, "2026-12-04T22:00:00Z"},
		// 2026-03-08: New York springs forward at 02:00 EST to 03:00 EDT.
		{"us spring: 01:59 EST before a start in the gap", nySpring, "2026-03-08T06:59:00Z", false, "2026-03-08T07:00:00Z"},
		{"us spring: 03:00 EDT opens the gap start", nySpring, "2026-03-08T07:00:00Z", true, ""},
		{"us spring: 03:59 EDT", nySpring, "2026-03-08T07:59:00Z", true, ""},
		{"us spring: 04:00 EDT closed", nySpring, "2026-03-08T08:00:00Z", false, "2026-03-15T06:30:00Z"},
		{"us spring: 01:30 EST in 01:00-02:00", nyOneToTwo, "2026-03-08T06:30:00Z", true, ""},
		{"us spring: 03:00 EDT after 01:00-02:00", nyOneToTwo, "2026-03-08T07:00:00Z", false, "2026-03-15T05:00:00Z"},
		// 2026-11-01: New York falls back at 02:00 EDT to 01:00 EST.
		{"us fall: 00:59 EDT", nyOneToTwo, "2026-11-01T04:59:00Z", false, "2026-11-01T05:00:00Z"},
		{"us fall: first 01:30 (EDT)", nyOneToTwo, "2026-11-01T05:30:00Z", true, ""},
		{"us fall: second 01:30 (EST)", nyOneToTwo, "2026-11-01T06:30:00Z", true, ""},
		{"us fall: 02:00 EST closed", nyOneToTwo, "2026-11-01T07:00:00Z", false, "2026-11-08T06:00:00Z"},
		{"us fall: monday window in EST", ny, "2026-11-02T14:00:00Z", true, ""},
		{"us fall: sunday before, next monday 09:00 EST", ny, "2026-11-01T12:00:00Z", false, "2026-11-02T14:00:00Z"},
		// 2026-03-29: Berlin springs forward at 02:00 CET to 03:00 CEST.
		{"eu spring: 01:59 CET before a start in the gap", berlinSpring, "2026-03-29T00:59:00Z", false, "2026-03-29T01:00:00Z"},
		{"eu spring: 03:00 CEST", berlinSpring, "2026-03-29T01:00:00Z", true, ""},
		{"eu spring: a window wholly in the gap does not open", berlinGapOnly, "2026-03-29T00:30:00Z", false, "2026-04-05T00:00:00Z"},
		{"eu spring: 03:00 CEST is after the gap-only window", berlinGapOnly, "2026-03-29T01:00:00Z", false, "2026-04-05T00:00:00Z"},
		// 2026-10-25: Berlin falls back at 03:00 CEST to 02:00 CET.
		{"eu fall: 01:00 CEST", berlinGapOnly, "2026-10-24T23:00:00Z", false, "2026-10-25T00:00:00Z"},
		{"eu fall: first 02:30 (CEST)", berlinGapOnly, "2026-10-25T00:30:00Z", true, ""},
		{"eu fall: second 02:30 (CET)", berlinGapOnly, "2026-10-25T01:30:00Z", true, ""},
		{"eu fall: 03:00 CET closed", berlinGapOnly, "2026-10-25T02:00:00Z", false, "2026-11-01T01:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at(t, tt.now)
			if got := tt.w.Contains(now); got != tt.inside {
				t.Errorf("Contains(%s = %s) = %v, want %v", tt.now, now.In(tt.w.Location), got, tt.inside)
			}
			if tt.next == "" {
				return
			}
			r := &Rules{Windows: []Window{tt.w}}
			got := r.NextOpen(now)
			if want := at(t, tt.next); !got.Equal(want) {
				t.Errorf("NextOpen(%s) = %s (%s), want %s (%s)", tt.now, got.UTC().Format(time.RFC3339), got.In(tt.w.Location), tt.next, want.In(tt.w.Location))
			}
			if !r.Open(got) {
				t.Errorf("NextOpen %s is not open", got)
			}
		})
	}
}

func TestWindowString(t *testing.T) {
	tests := []struct {
		w    Window
		want string
	}{
		{win(t, monThu, "09:00", "16:00", "America/New_York"), "mon–thu 09:00–16:00 America/New_York"},
		{win(t, []time.Weekday{time.Saturday, time.Sunday}, "10:00", "12:00", "UTC"), "sat, sun 10:00–12:00 UTC"},
		{win(t, []time.Weekday{time.Friday, time.Monday, time.Wednesday}, "22:00", "02:00", "UTC"), "mon, wed, fri 22:00–02:00 UTC"},
		{win(t, []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Thursday}, "00:00", "23:59", "UTC"), "mon, tue, thu, sun 00:00–23:59 UTC"},
	}
	for _, tt := range tests {
		if got := tt.w.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestBlackouts(t *testing.T) {
	freeze := Blackout{Name: "year-end freeze", From: at(t, "2026-12-21T00:00:00Z"), To: at(t, "2027-01-04T00:00:00Z"), Reason: "staff away"}
	ny := win(t, monThu, "09:00", "16:00", "America/New_York")
	long := Blackout{Name: "migration", From: at(t, "2026-06-01T00:00:00Z"), To: at(t, "2026-07-01T00:00:00Z")}
	next := Blackout{Name: "audit", From: at(t, "2027-01-04T00:00:00Z"), To: at(t, "2027-01-05T00:00:00Z")}
	tests := []struct {
		name  string
		rules Rules
		now   string
		open  bool
		next  string
	}{
		{"instant before from", Rules{Blackouts: []Blackout{freeze}}, "2026-12-20T23:59:59Z", true, ""},
		{"from is covered", Rules{Blackouts: []Blackout{freeze}}, "2026-12-21T00:00:00Z", false, "2027-01-04T00:00:00Z"},
		{"instant before to", Rules{Blackouts: []Blackout{freeze}}, "2027-01-03T23:59:59Z", false, "2027-01-04T00:00:00Z"},
		{"to is not covered", Rules{Blackouts: []Blackout{freeze}}, "2027-01-04T00:00:00Z", true, ""},
		{"blackout wins over window", Rules{Blackouts: []Blackout{freeze}, Windows: []Window{ny}}, "2026-12-22T15:00:00Z", false, "2027-01-04T14:00:00Z"},
		{"adjacent blackouts", Rules{Blackouts: []Blackout{freeze, next}}, "2026-12-22T15:00:00Z", false, "2027-01-05T00:00:00Z"},
		{"next window beyond the search horizon", Rules{Blackouts: []Blackout{long}, Windows: []Window{ny}}, "2026-06-01T12:00:00Z", false, "2026-07-01T13:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at(t, tt.now)
			if got := tt.rules.Open(now); got != tt.open {
				t.Errorf("Open(%s) = %v, want %v", tt.now, got, tt.open)
			}
			if tt.next == "" {
				return
			}
			if got := tt.rules.NextOpen(now); !got.Equal(at(t, tt.next)) {
				t.Errorf("NextOpen(%s) = %s, want %s", tt.now, got.UTC().Format(time.RFC3339), tt.next)
			}
		})
	}
}
