package notify

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestSlack(t *testing.T) {
	const token = "XXXXXXXXXXXXXXXXXXXXXXXX"
	tests := []struct {
		name   string
		event  func(Event) Event
		golden string
	}{
		{
			name: "escaped",
			event: func(e Event) Event {
				e.Message = "<script>& went wrong; token " + token
				return e
			},
			golden: `{
  "text": "honua-gitops: production failed: &lt;script&gt;&amp; went wrong; token ***",
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "honua-gitops: production failed"}},
    {"type": "section", "fields": [
      {"type": "mrkdwn", "text": "*Environment*\nproduction"},
      {"type": "mrkdwn", "text": "*Deployment*\nd-42"},
      {"type": "mrkdwn", "text": "*Changes*\n+1 ~2 -3"},
      {"type": "mrkdwn", "text": "*Verdict*\nneeds-approval"}
    ]},
    {"type": "section", "text": {"type": "mrkdwn", "text": "&lt;script&gt;&amp; went wrong; token ***"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "<https://github.com/honua-io/maps/actions/runs/1|View the run>"}]}
  ]
}`,
		},
		{
			name: "sparse",
			event: func(e Event) Event {
				return Event{Type: DriftDetected, Environment: "a&b", Summary: e.Summary, RunURL: "https://x.test/?a=1&b=<2>|"}
			},
			golden: `{
  "text": "honua-gitops: a&amp;b drift-detected: (no message)",
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "honua-gitops: a&b drift-detected"}},
    {"type": "section", "fields": [
      {"type": "mrkdwn", "text": "*Environment*\na&amp;b"},
      {"type": "mrkdwn", "text": "*Deployment*\nnone"},
      {"type": "mrkdwn", "text": "*Changes*\n+1 ~2 -3"},
      {"type": "mrkdwn", "text": "*Verdict*\nnot evaluated"}
    ]},
    {"type": "section", "text": {"type": "mrkdwn", "text": "(no message)"}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "<https://x.test/?a=1&amp;b=&lt;2&gt;%7C|View the run>"}]}
  ]
}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, got, _ := receiver(t, http.StatusOK)
			url := srv.URL + "/services/T0000/B0000/" + token
			d, w := newDispatcher(map[string]string{"SLACK_URL": url}, nil,
				Channel{Type: Slack, URL: "${secret:SLACK_URL}", Name: "notifications[1] (slack)"})
			d.Send(t.Context(), tt.event(testEvent()))
			if ws := w.list(); len(ws) != 0 {
				t.Fatalf("warnings = %q, want none", ws)
			}
			r := <-got
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var gotJSON, wantJSON any
			if err := json.Unmarshal(r.body, &gotJSON); err != nil {
				t.Fatalf("body %s: %v", r.body, err)
			}
			if err := json.Unmarshal([]byte(tt.golden), &wantJSON); err != nil {
				t.Fatalf("golden: %v", err)
			}
			if !reflect.DeepEqual(gotJSON, wantJSON) {
				pretty, _ := json.MarshalIndent(gotJSON, "", "  ")
				t.Errorf("payload =\n%s\nwant\n%s", pretty, tt.golden)
			}
			if strings.Contains(string(r.body), token) {
				t.Errorf("payload contains the webhook token")
			}
		})
	}
}

func TestSlackEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"<script>&", "&lt;script&gt;&amp;"},
		{"&amp;", "&amp;amp;"},
		{"*bold* _it_", "*bold* _it_"},
	}
	for _, tt := range tests {
		if got := slackEscape(tt.in); got != tt.want {
			t.Errorf("slackEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
