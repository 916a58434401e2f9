package notify

import (
	"context"
	"fmt"
	"strings"
)

// slackText is a Block Kit text object.
type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackBlock is a Block Kit block (header, section or context).
type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

// slackMessage is an incoming webhook's payload.
type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// maxSlackHeader is the longest header text Slack accepts.
const maxSlackHeader = 150

// slack POSTs the event to a Slack incoming webhook as Block Kit.
func (s sender) slack(ctx context.Context, e Event) error {
	body, err := marshal(slackPayload(cleanEvent(e, s.clean)))
	if err != nil {
		return err
	}
	return s.post(ctx, s.c.URL, body, nil)
}

// slackPayload builds the Block Kit message for e, whose text is already
// cleaned of secrets.
func slackPayload(e Event) slackMessage {
	title := fmt.Sprintf("honua-gitops: %s %s", e.Environment, e.Type)
	message := e.Message
	if message == "" {
		message = "(no message)"
	}
	verdict := string(e.Verdict)
	if verdict == "" {
		verdict = "not evaluated"
	}
	deployment := e.Deployment
	if deployment == "" {
		deployment = "none"
	}
	mrkdwn := func(s string) slackText { return slackText{Type: "mrkdwn", Text: s} }
	blocks := []slackBlock{
		{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(title, maxSlackHeader)}},
		{Type: "section", Fields: []slackText{
			mrkdwn("*Environment*\n" + slackEscape(e.Environment)),
			mrkdwn("*Deployment*\n" + slackEscape(deployment)),
			mrkdwn(fmt.Sprintf("*Changes*\n+%d ~%d -%d", e.Summary.Create, e.Summary.Update, e.Summary.Delete)),
			mrkdwn("*Verdict*\n" + slackEscape(verdict)),
		}},
		{Type: "section", Text: &slackText{Type: "mrkdwn", Text: slackEscape(message)}},
	}
	if e.RunURL != "" {
		link := strings.ReplaceAll(slackEscape(e.RunURL), "|", "%7C")
		blocks = append(blocks, slackBlock{Type: "context", Elements: []slackText{mrkdwn("<" + link + "|View the run>")}})
	}
	return slackMessage{Text: slackEscape(title + ": " + message), Blocks: blocks}
}

// slackEscape escapes user-provided text for Slack mrkdwn: &, < and >
// are its control characters.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate shortens s to at most n runes, ending it with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
