package notify

import "github.com/honua-io/honua-gitops/internal/diag"

// ChannelType is the kind of a notification channel.
type ChannelType string

// Channel types.
const (
	Webhook   ChannelType = "webhook"
	Slack     ChannelType = "slack"
	Email     ChannelType = "email"
	PagerDuty ChannelType = "pagerduty"
)

// Channel is one notification channel as policy.yaml declares it. URL,
// Secret, RoutingKey and Password hold ${secret:NAME} placeholders, never
// values: they are resolved when a notification is sent.
type Channel struct {
	Type ChannelType
	// Events the channel receives; empty means every event.
	Events []EventType
	// URL: webhook and slack.
	URL string
	// Secret signs webhook bodies (HMAC-SHA256).
	Secret string
	// SMTP is the mail server as host:port (email).
	SMTP     string
	From     string
	To       []string
	Username string
	Password string
	// RoutingKey is the PagerDuty Events API v2 integration key.
	RoutingKey string
	// Name is how messages name the channel ("notifications[0] (webhook)").
	Name string
	// Pos is where the channel is declared.
	Pos diag.Pos
}

// Wants reports whether the channel receives events of type t.
func (c Channel) Wants(t EventType) bool {
	if len(c.Events) == 0 {
		return true
	}
	for _, e := range c.Events {
		if e == t {
			return true
		}
	}
	return false
}
