package notify

import (
	"context"
	"fmt"
)

// pdEvent is a PagerDuty Events API v2 event.
type pdEvent struct {
	RoutingKey  string     `json:"routing_key"`
	EventAction string     `json:"event_action"`
	DedupKey    string     `json:"dedup_key"`
	Payload     *pdPayload `json:"payload,omitempty"`
	Links       []pdLink   `json:"links,omitempty"`
}

type pdPayload struct {
	Summary       string `json:"summary"`
	Source        string `json:"source"`
	Severity      string `json:"severity"`
	Component     string `json:"component,omitempty"`
	Group         string `json:"group,omitempty"`
	CustomDetails Event  `json:"custom_details"`
}

type pdLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// maxPDSummary is the longest summary PagerDuty accepts.
const maxPDSummary = 1024

// pdAction returns the Events API action for t: trigger on a failure, a
// roll back or a hold, resolve on a success (the environment recovered),
// and "" (not sent) otherwise.
func pdAction(t EventType) string {
	switch t {
	case Failed, RolledBack, Held:
		return "trigger"
	case Succeeded:
		return "resolve"
	}
	return ""
}

// DedupKey is the PagerDuty dedup key of an environment: one incident per
// environment, resolved by its next success.
func DedupKey(repository, environment string) string {
	if repository == "" {
		return "honua-gitops/" + environment
	}
	return "honua-gitops/" + repository + "/" + environment
}

// pagerDuty sends a trigger or resolve event; other events are not sent.
func (s sender) pagerDuty(ctx context.Context, e Event) error {
	action := pdAction(e.Type)
	if action == "" {
		return nil
	}
	e = cleanEvent(e, s.clean)
	ev := pdEvent{
		RoutingKey:  s.c.RoutingKey,
		EventAction: action,
		DedupKey:    DedupKey(e.Repository, e.Environment),
	}
	if action == "trigger" {
		source := e.Repository
		if source == "" {
			source = "honua-gitops"
		}
		summary := fmt.Sprintf("honua-gitops: %s %s", e.Environment, e.Type)
		if e.Message != "" {
			summary += ": " + e.Message
		}
		ev.Payload = &pdPayload{
			Summary:       truncate(summary, maxPDSummary),
			Source:        source,
			Severity:      "error",
			Component:     e.Environment,
			Group:         "honua-gitops",
			CustomDetails: e,
		}
		if e.RunURL != "" {
			ev.Links = []pdLink{{Href: e.RunURL, Text: "View the run"}}
		}
	}
	body, err := marshal(ev)
	if err != nil {
		return err
	}
	target := s.d.PagerDutyURL
	if target == "" {
		target = DefaultPagerDutyURL
	}
	return s.post(ctx, target, body, nil)
}
