package notify

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPagerDuty(t *testing.T) {
	const routingKey = "R0UTINGKEY0123456789abcdef"
	srv, got, n := receiver(t, http.StatusAccepted)
	d, w := newDispatcher(map[string]string{"PD_KEY": routingKey}, nil,
		Channel{Type: PagerDuty, RoutingKey: "${secret:PD_KEY}", Name: "notifications[2] (pagerduty)"})
	d.PagerDutyURL = srv.URL + "/v2/enqueue"

	type body struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
		Payload     *struct {
			Summary       string         `json:"summary"`
			Source        string         `json:"source"`
			Severity      string         `json:"severity"`
			Component     string         `json:"component"`
			Group         string         `json:"group"`
			CustomDetails map[string]any `json:"custom_details"`
		} `json:"payload"`
		Links []struct{ Href, Text string } `json:"links"`
	}
	const dedup = "honua-gitops/honua-io/maps/production"
	tests := []struct {
		typ    EventType
		action string // "" for not sent
	}{
		{Failed, "trigger"},
		{Succeeded, "resolve"},
		{Started, ""},
		{RolledBack, "trigger"},
		{Held, "trigger"},
		{ApprovalRequired, ""},
		{DriftDetected, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			before := n.Load()
			e := testEvent()
			e.Type = tt.typ
			e.Message = "it broke; key " + routingKey
			d.Send(t.Context(), e)
			if ws := w.list(); len(ws) != 0 {
				t.Fatalf("warnings = %q, want none", ws)
			}
			if tt.action == "" {
				if n.Load() != before {
					t.Errorf("%s was sent to PagerDuty", tt.typ)
				}
				return
			}
			var r request
			select {
			case r = <-got:
			case <-time.After(time.Second):
				t.Fatal("nothing sent")
			}
			var b body
			if err := json.Unmarshal(r.body, &b); err != nil {
				t.Fatalf("body %s: %v", r.body, err)
			}
			if b.RoutingKey != routingKey || b.EventAction != tt.action || b.DedupKey != dedup {
				t.Errorf("routing_key, event_action, dedup_key = %q, %q, %q; want %q, %q, %q",
					b.RoutingKey, b.EventAction, b.DedupKey, routingKey, tt.action, dedup)
			}
			if strings.Count(string(r.body), routingKey) != 1 {
				t.Errorf("the routing key appears outside routing_key: %s", r.body)
			}
			if tt.action == "resolve" {
				if b.Payload != nil {
					t.Errorf("resolve carries a payload")
				}
				return
			}
			if b.Payload == nil {
				t.Fatal("trigger without a payload")
			}
			p := b.Payload
			if want := "honua-gitops: production " + string(tt.typ) + ": it broke; key ***"; p.Summary != want {
				t.Errorf("summary = %q, want %q", p.Summary, want)
			}
			if p.Severity != "error" || p.Source != "honua-io/maps" || p.Component != "production" || p.Group != "honua-gitops" {
				t.Errorf("severity, source, component, group = %q, %q, %q, %q", p.Severity, p.Source, p.Component, p.Group)
			}
			if p.CustomDetails["deployment"] != "d-42" || p.CustomDetails["message"] != "it broke; key ***" {
				t.Errorf("custom_details = %v", p.CustomDetails)
			}
			if len(b.Links) != 1 || b.Links[0].Href != e.RunURL || b.Links[0].Text != "View the run" {
				t.Errorf("links = %+v", b.Links)
			}
		})
	}
}

func TestDedupKey(t *testing.T) {
	tests := []struct{ repo, env, want string }{
		{"honua-io/maps", "production", "honua-gitops/honua-io/maps/production"},
		{"", "staging", "honua-gitops/staging"},
	}
	for _, tt := range tests {
		if got := DedupKey(tt.repo, tt.env); got != tt.want {
			t.Errorf("DedupKey(%q, %q) = %q, want %q", tt.repo, tt.env, got, tt.want)
		}
	}
}

func TestPagerDutyNon2xx(t *testing.T) {
	srv, _, _ := receiver(t, http.StatusBadRequest)
	d, w := newDispatcher(map[string]string{"PD_KEY": "R0UTINGKEY0123456789abcdef"}, nil,
		Channel{Type: PagerDuty, RoutingKey: "${secret:PD_KEY}", Name: "notifications[2] (pagerduty)"})
	d.PagerDutyURL = srv.URL
	d.Send(t.Context(), testEvent())
	want := "notifications[2] (pagerduty): not sent: it answered 400 Bad Request; check the receiver and the channel's settings"
	if got := w.list(); len(got) != 1 || got[0] != want {
		t.Errorf("warnings = %q, want [%q]", got, want)
	}
}
