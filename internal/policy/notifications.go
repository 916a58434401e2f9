package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/honua-io/honua-gitops/internal/diag"
	"github.com/honua-io/honua-gitops/internal/document"
	"github.com/honua-io/honua-gitops/internal/notify"
	"github.com/honua-io/honua-gitops/internal/secret"
)

// literalSecret is the message for a secret written as a value.
const literalSecret = "a literal secret in policy.yaml would be committed; use ${secret:NAME}"

// channelKeys are each channel type's keys besides type and events, and
// which of them are required and which hold secrets.
var channelKeys = map[notify.ChannelType]struct{ known, required []string }{
	notify.Webhook:   {[]string{"url", "secret"}, []string{"url"}},
	notify.Slack:     {[]string{"url"}, []string{"url"}},
	notify.Email:     {[]string{"smtp", "from", "to", "username", "password"}, []string{"smtp", "from", "to"}},
	notify.PagerDuty: {[]string{"routingKey"}, []string{"routingKey"}},
}

// secretKeys must hold a whole ${secret:NAME} placeholder.
var secretKeys = []string{"url", "secret", "password", "routingKey"}

func decodeNotifications(d *diag.List, n *document.Node) []notify.Channel {
	if n.IsNull() {
		return nil
	}
	if n.Kind != document.List {
		d.Addf(n.Pos, "", "notifications must be a list, got %s", n.TypeName())
		return nil
	}
	var out []notify.Channel
	for i, it := range n.Items {
		if it.Kind != document.Map {
			d.Addf(it.Pos, "", "notifications entries must be mappings, got %s", it.TypeName())
			continue
		}
		if c, ok := decodeChannel(d, it, i); ok {
			out = append(out, c)
		}
	}
	return out
}

func decodeChannel(d *diag.List, n *document.Node, i int) (notify.Channel, bool) {
	c := notify.Channel{Pos: n.Pos}
	tv := n.Get("type")
	ts, _ := tv.String()
	spec, known := channelKeys[notify.ChannelType(ts)]
	if tv == nil || !known {
		pos := n.Pos
		if tv != nil {
			pos = tv.Pos
		}
		d.Addf(pos, "use webhook, slack, email or pagerduty", "notification type must be webhook, slack, email or pagerduty, got %s", describeValue(tv))
		return c, false
	}
	c.Type = notify.ChannelType(ts)
	c.Name = fmt.Sprintf("notifications[%d] (%s)", i, ts)
	what := c.Name
	ok := fields(d, n, what, append([]string{"type", "events"}, spec.known...), spec.required)
	for _, e := range n.Entries {
		if e.Key == "type" || !slices.Contains(spec.known, e.Key) && e.Key != "events" {
			continue
		}
		if e.Key == "events" {
			evs, evOK := decodeEvents(d, e.Value)
			c.Events, ok = evs, ok && evOK
			continue
		}
		if e.Key == "to" {
			to, toOK := addresses(d, e.Value)
			c.To, ok = to, ok && toOK
			continue
		}
		s, isStr := e.Value.String()
		if !isStr || s == "" {
			d.Addf(e.Value.Pos, "", "%s: %s must be a non-empty string, got %s", what, e.Key, e.Value.TypeName())
			ok = false
			continue
		}
		if slices.Contains(secretKeys, e.Key) && !secret.IsWhole(s) {
			d.Addf(e.Value.Pos, "store it as a repository or environment secret and write ${secret:NAME}", "%s: %s: %s", what, e.Key, literalSecret)
			ok = false
			continue
		}
		switch e.Key {
		case "url":
			c.URL = s
		case "secret":
			c.Secret = s
		case "smtp":
			if !strings.Contains(s, ":") {
				d.Addf(e.Value.Pos, "for example smtp.example.org:587", "%s: smtp must be host:port, got %q", what, s)
				ok = false
			}
			c.SMTP = s
		case "from":
			c.From = s
		case "username":
			c.Username = s
		case "password":
			c.Password = s
		case "routingKey":
			c.RoutingKey = s
		}
	}
	return c, ok
}

func decodeEvents(d *diag.List, n *document.Node) ([]notify.EventType, bool) {
	names := make([]string, 0, len(notify.EventTypes()))
	for _, t := range notify.EventTypes() {
		names = append(names, string(t))
	}
	if n.Kind != document.List {
		d.Addf(n.Pos, "known events: "+strings.Join(names, ", "), "events must be a list, got %s", n.TypeName())
		return nil, false
	}
	var out []notify.EventType
	ok := true
	for _, it := range n.Items {
		s, _ := it.String()
		if !slices.Contains(names, s) {
			d.Addf(it.Pos, "known events: "+strings.Join(names, ", "), "unknown event %s", describeValue(it))
			ok = false
			continue
		}
		out = append(out, notify.EventType(s))
	}
	return out, ok
}

func addresses(d *diag.List, n *document.Node) ([]string, bool) {
	if n.Kind != document.List || len(n.Items) == 0 {
		d.Addf(n.Pos, "for example [gis@example.org]", "to must be a list of addresses, got %s", n.TypeName())
		return nil, false
	}
	var out []string
	ok := true
	for _, it := range n.Items {
		s, _ := it.String()
		if !strings.Contains(s, "@") {
			d.Addf(it.Pos, "", "%s is not an email address", describeValue(it))
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}
