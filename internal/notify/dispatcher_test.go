package notify

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/honua-io/honua-gitops/internal/plan"
)

// testEvent is a failed deployment with every field set.
func testEvent() Event {
	return Event{
		Type:        Failed,
		Environment: "production",
		Deployment:  "d-42",
		Kind:        "apply",
		Summary:     plan.Summary{Create: 1, Update: 2, Delete: 3, Unchanged: 4},
		Verdict:     plan.NeedsApproval,
		Rules:       []string{"deletes need approval"},
		PlanHash:    "p-abc",
		Message:     "apply failed",
		Actor:       "alice",
		Repository:  "honua-io/maps",
		Commit:      "deadbeef",
		RunURL:      "https://github.com/honua-io/maps/actions/runs/1",
		At:          time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC),
	}
}

// warnings collects a dispatcher's warnings.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) add(msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msg)
}

func (w *warnings) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.msgs...)
}

// newDispatcher returns a dispatcher over channels resolving secrets from
// values, redacting the caller's secrets in redacted, and collecting its
// warnings.
func newDispatcher(values map[string]string, redacted []string, channels ...Channel) (*Dispatcher, *warnings) {
	w := &warnings{}
	return &Dispatcher{
		Channels: channels,
		Secrets: func(name string) (string, bool) {
			v, ok := values[name]
			return v, ok
		},
		Redact: func(s string) string {
			for _, v := range redacted {
				s = strings.ReplaceAll(s, v, "***")
			}
			return s
		},
		Warn: w.add,
	}, w
}

// request is one request a receiver got.
type request struct {
	header http.Header
	body   []byte
}

// receiver is a local HTTP endpoint answering status and recording what it
// receives.
func receiver(t *testing.T, status int) (*httptest.Server, <-chan request, *atomic.Int32) {
	t.Helper()
	got := make(chan request, 10)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the body: %v", err)
		}
		got <- request{r.Header.Clone(), b}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, got, &n
}

func TestUnsetPlaceholderSkips(t *testing.T) {
	srv, _, n := receiver(t, http.StatusOK)
	tests := []struct {
		name    string
		channel Channel
		want    string
	}{
		{"webhook url", Channel{Type: Webhook, URL: "${secret:HOOK_URL}", Name: "notifications[0] (webhook)"},
			"notifications[0] (webhook): ${secret:HOOK_URL} is not set; skipped"},
		{"webhook secret", Channel{Type: Webhook, URL: srv.URL, Secret: "${secret:HOOK_KEY}", Name: "notifications[0] (webhook)"},
			"notifications[0] (webhook): ${secret:HOOK_KEY} is not set; skipped"},
		{"slack url and more", Channel{Type: Slack, URL: "${secret:SLACK_URL}", Secret: "${secret:OTHER}", Name: "notifications[1] (slack)"},
			"notifications[1] (slack): ${secret:SLACK_URL}, ${secret:OTHER} are not set; skipped"},
		{"pagerduty routing key", Channel{Type: PagerDuty, RoutingKey: "${secret:PD_KEY}", Name: "notifications[2] (pagerduty)"},
			"notifications[2] (pagerduty): ${secret:PD_KEY} is not set; skipped"},
		{"email password", Channel{Type: Email, SMTP: "127.0.0.1:1", From: "a@example.com", To: []string{"b@example.com"}, Username: "u", Password: "${secret:SMTP_PASSWORD}", Name: "notifications[3] (email)"},
			"notifications[3] (email): ${secret:SMTP_PASSWORD} is not set; skipped"},
		{"empty value", Channel{Type: Webhook, URL: "${secret:EMPTY}", Name: "notifications[0] (webhook)"},
			"notifications[0] (webhook): ${secret:EMPTY} is not set; skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, w := newDispatcher(map[string]string{"EMPTY": ""}, nil, tt.channel)
			d.PagerDutyURL = srv.URL
			d.Send(t.Context(), testEvent())
			if got := w.list(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("warnings = %q, want [%q]", got, tt.want)
			}
			if n.Load() != 0 {
				t.Errorf("%d requests sent, want none", n.Load())
			}
		})
	}
}

func TestSendOnlyWantedChannels(t *testing.T) {
	srv, _, n := receiver(t, http.StatusOK)
	d, w := newDispatcher(nil, nil,
		Channel{Type: Webhook, URL: srv.URL, Events: []EventType{Succeeded}},
		Channel{Type: Webhook, URL: srv.URL, Events: []EventType{Failed, Held}},
		Channel{Type: Webhook, URL: srv.URL},
	)
	d.Send(t.Context(), testEvent())
	if got := n.Load(); got != 2 {
		t.Errorf("%d requests, want 2", got)
	}
	if got := w.list(); len(got) != 0 {
		t.Errorf("warnings = %q, want none", got)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: Close waits for handlers
	tests := []struct {
		name    string
		channel Channel
	}{
		{"webhook", Channel{Type: Webhook, URL: srv.URL, Name: "notifications[0] (webhook)"}},
		{"slack", Channel{Type: Slack, URL: srv.URL, Name: "notifications[0] (slack)"}},
		{"pagerduty", Channel{Type: PagerDuty, RoutingKey: "r", Name: "notifications[0] (pagerduty)"}},
		{"email", Channel{Type: Email, SMTP: silentSMTP(t), From: "a@example.com", To: []string{"b@example.com"}, Name: "notifications[0] (email)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, w := newDispatcher(nil, nil, tt.channel)
			d.Timeout = 200 * time.Millisecond
			d.PagerDutyURL = srv.URL
			start := time.Now()
			d.Send(t.Context(), testEvent())
			if el := time.Since(start); el > d.Timeout+500*time.Millisecond {
				t.Errorf("Send took %s, want about %s", el, d.Timeout)
			}
			want := tt.channel.Name + ": not sent within 200ms; check that it is reachable and answers promptly"
			if got := w.list(); len(got) != 1 || got[0] != want {
				t.Errorf("warnings = %q, want [%q]", got, want)
			}
		})
	}
}

func TestNilWarnAndRedact(t *testing.T) {
	srv, _, _ := receiver(t, http.StatusInternalServerError)
	d := &Dispatcher{Channels: []Channel{
		{Type: Webhook, URL: srv.URL},
		{Type: Webhook, URL: "${secret:UNSET}"},
		{Type: "carrier-pigeon"},
		{Type: Email},
	}}
	d.Send(context.Background(), testEvent())
}

func TestUnknownChannelType(t *testing.T) {
	d, w := newDispatcher(nil, nil, Channel{Type: "carrier-pigeon", Name: "notifications[0] (carrier-pigeon)"})
	d.Send(t.Context(), testEvent())
	want := `notifications[0] (carrier-pigeon): unknown channel type "carrier-pigeon"; skipped (use webhook, slack, email or pagerduty)`
	if got := w.list(); len(got) != 1 || got[0] != want {
		t.Errorf("warnings = %q, want [%q]", got, want)
	}
}

func TestWarningsInChannelOrder(t *testing.T) {
	d, w := newDispatcher(nil, nil,
		Channel{Type: Webhook, URL: "${secret:A}", Name: "n0"},
		Channel{Type: Slack, URL: "${secret:B}", Name: "n1"},
		Channel{Type: PagerDuty, RoutingKey: "${secret:C}", Name: "n2"},
	)
	d.Send(t.Context(), testEvent())
	want := []string{
		"n0: ${secret:A} is not set; skipped",
		"n1: ${secret:B} is not set; skipped",
		"n2: ${secret:C} is not set; skipped",
	}
	if got := w.list(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings = %q, want %q", got, want)
	}
}
